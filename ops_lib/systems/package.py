"""The part of a system's :data:`SYSTEM` that every system fills the same way.

Each system keeps its error reader, its 429 reader, its register and
reference readers and its ``rules.yaml`` in its own package; the seam's
methods only hand calls on to them. :class:`SystemPackage` does that
handing-on once: a system's class names its package and those functions
and keeps for itself only what really differs (grants, company identity,
clients, writers and posters).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar

import httpx

from ops_lib.systems.rules import Rule, load_rules

if TYPE_CHECKING:
    import pandas as pd

    from ops_lib.core.errors import ApiError
    from ops_lib.model.references import References
    from ops_lib.state.cache import RegisterCache


class SystemPackage:
    """The seam's pass-through methods, served from the package a system names.

    Subclasses set ``package`` (where ``rules.yaml`` lives) and wrap their
    package's functions in ``staticmethod``: ``error_reader(response, language)``,
    ``retry_reader(response)``, ``register_reader(client, register, cache=, full=, **options)``
    and ``reference_reader(client)``.
    """

    name: str
    package: ClassVar[str]
    error_reader: ClassVar[Callable[..., ApiError]]
    retry_reader: ClassVar[Callable[[httpx.Response], float | None]]
    register_reader: ClassVar[Callable[..., pd.DataFrame]]
    reference_reader: ClassVar[Callable[[Any], References]]

    def __repr__(self) -> str:
        return f"<System {self.name}>"

    def translator(self, language: str) -> Callable[[httpx.Response], ApiError]:
        """Turns an error answer into the suite's exception, explained in ``language``."""
        read = self.error_reader
        return lambda response: read(response, language)

    def retry_after(self, response: httpx.Response) -> float | None:
        return self.retry_reader(response)

    def rules(self, register: str) -> tuple[Rule, ...]:
        return load_rules(self.package, register)

    def read_register(self, client: Any, register: str, *, cache: RegisterCache | None = None, full: bool = False,
                      **options: Any) -> pd.DataFrame:
        return self.register_reader(client, register, cache=cache, full=full, **options)

    def read_references(self, client: Any) -> References:
        return self.reference_reader(client)


__all__ = ["SystemPackage"]
