"""eAccounting's own options block: where projects live.

eAccounting has no single place for projects. An integration either
keeps them as the items of one cost centre (the default, ``Projekt``) or
in the Projects register. That choice is eAccounting's, so it is
declared here and carried by a job's settings as their
``system_options`` block; neutral code only passes the block on to this
system's reader and writer (:meth:`EAccountingOptions.as_kwargs`).
The notebooks' and the CLI's flat ``project_target``/``cost_center`` names
land here too (see :mod:`ops_lib.core.options`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

from ops_lib.core.options import choice, option, settings_from, text


def _centre_name(value: Any) -> str:
    name = text(value).strip()
    if not name:
        raise ValueError("is empty: name the cost centre holding one item per project")
    return name


# Where projects live: the items of one cost centre (the integration's default), or eAccounting's projects.
PROJECT_TARGETS = ("cost_center_items", "projects")


@dataclass(frozen=True)
class EAccountingOptions:
    """The options of eAccounting registers (the ``system_options`` of a job's settings)."""

    project_target: str = option("cost_center_items", choice(*PROJECT_TARGETS),
                                 "projects become the items of cost_center, or Projects register entries")
    cost_center: str = option("Projekt", _centre_name, "the cost centre holding one item per project")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "EAccountingOptions":
        """Validate ``values``; raises ConfigurationError naming an unknown or bad option."""
        return settings_from(cls, values, "eAccounting system_options")

    def as_kwargs(self) -> dict[str, Any]:
        """The keywords of this system's register reader and writer."""
        return asdict(self)
