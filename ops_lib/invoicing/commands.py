"""The command a dry run prints to apply its plan: every flag that made the plan, so the apply plans the same.

A dry run's plan hash covers what the run was given: the export and its
default article, the period and whether the costs are billable, the
company and the state database whose ledger sorted the plan. An apply
command that left one of them out would plan something else, and the
approval would be refused as a changed plan (or, with another state
database, sorted against another ledger). So the printed command carries
each flag that was set, quoted for a POSIX shell.
"""

from __future__ import annotations

import shlex
from typing import Any, Mapping

from ops_lib.systems.options import default_options
from ops_lib.systems.registry import DEFAULT_SYSTEM

# Settings field -> its flag, for the fields every invoice command shares (left out when empty).
SHARED_FLAGS = {"company": "--company", "sandbox_url": "--sandbox-url", "tenant_id": "--tenant-id",
                "state_db": "--state-db"}


def apply_command(command: str, settings: Any, plan_hash: str, flags: Mapping[str, str | bool | None]) -> str:
    """``ops invoices <command> ... --apply --approved-hash <plan_hash>``, with the flags that made the plan.

    ``flags`` maps a flag to its value (text: given when not empty; ``True``: the flag alone; ``False`` or
    ``None``: left out), in the order printed, before the shared ones and the system's options.
    """
    words = ["ops", "invoices", command]
    if settings.system != DEFAULT_SYSTEM:
        words += ["--system", settings.system]
    words += ["--target", settings.target]
    for flag, value in flags.items():
        if value is True:
            words.append(flag)
        elif value:
            words += [flag, str(value)]
    words += [w for name, flag in SHARED_FLAGS.items() if getattr(settings, name, "")
              for w in (flag, str(getattr(settings, name)))]
    words += _option_flags(settings)
    return shlex.join([*words, "--apply", "--approved-hash", plan_hash])


def _option_flags(settings: Any) -> list[str]:
    """The system's options that differ from its defaults, as the CLI's flags (eAccounting's two)."""
    options = getattr(settings, "system_options", None)
    if options is None or not hasattr(options, "as_kwargs"):
        return []
    defaults = default_options(settings.system)
    given = options.as_kwargs()
    unchanged = defaults.as_kwargs() if hasattr(defaults, "as_kwargs") else {}
    return [w for name, value in given.items() if value != unchanged.get(name)
            for w in (f"--{name.replace('_', '-')}", str(value))]
