"""Account setup for journal export: the accounts and series every voucher leans on, checked against the chart.

Expense and payroll journals become vouchers in one voucher series, with
the credit on the card wallet's contra account or the out-of-pocket
account, reimbursements against their own contra account, the VAT share
on the input VAT account and a payroll's rounding on the rounding account.
Those last two have defaults that belong to the system and its country's
chart, not to this module: the system's :class:`SetupRules` carries them,
and ``accounts.yaml`` names them only to differ. The integration guides
warn that these must exist, be active, and exist in the *current* fiscal
year: an account added only to last year's chart makes every export fail. :func:`check_setup` says which
setting is wrong and how to fix it, before anything is sent.

The chart is system-neutral (:class:`Chart`); each system's module reads
its own (``ops_lib.systems.eaccounting.chart``) and says what its country's
conventions are (:class:`SetupRules`).
"""

from __future__ import annotations

import re
from dataclasses import MISSING, asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from ops_lib.core.errors import DataInputError
from ops_lib.core.files import write_private_file
from ops_lib.core.yaml_files import read_mapping
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.chart import Chart

ACCOUNT_ROLES = {
    "card_contra_account": "the card wallet's contra account",
    "out_of_pocket_account": "the out-of-pocket (employee liability) account",
    "reimbursement_contra_account": "the contra account reimbursements are paid from",
    "input_vat_account": "the input VAT account",
    "rounding_account": "the rounding account",
}
# Accounts that only some VAT treatments book to: role -> (meaning, the treatments that need it).
RULE_ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "reverse_charge_input_vat_account": ("the input VAT account for reverse charge",
                                         ("reverse_charge_eu", "reverse_charge_non_eu")),
    "foreign_vat_account": ("the account for foreign VAT (a cost, or a receivable when it is claimed back)",
                            ("foreign",)),
    "representation_account": ("the account for representation that is not deductible", ("representation",)),
    "exchange_gain_account": ("the account for exchange-rate gains", ()),
    "exchange_loss_account": ("the account for exchange-rate losses", ()),
}
_FLAGS = ("payroll_names_in_text",)
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0", ""}


@dataclass(frozen=True)
class AccountSetup:
    """The setup a journal export books with (``params/mappings/accounts.yaml``).

    An empty ``input_vat_account`` or ``rounding_account`` (the key left out)
    means the system's default: :meth:`with_defaults` fills it in from
    :attr:`SetupRules.booking_defaults` once the system is known (its
    country's accounts, then its own). The accounts of the VAT rules
    (:data:`RULE_ROLES`) are needed only by a category that uses the rule.
    ``payroll_names_in_text`` puts the employee's name in payroll row
    texts: off unless asked for, since a name beside a salary row puts one
    person's pay in the general ledger.
    """

    voucher_series: str
    card_contra_account: str
    out_of_pocket_account: str
    reimbursement_contra_account: str
    input_vat_account: str = ""
    rounding_account: str = ""
    reverse_charge_input_vat_account: str = ""
    foreign_vat_account: str = ""
    representation_account: str = ""
    exchange_gain_account: str = ""
    exchange_loss_account: str = ""
    payroll_names_in_text: bool = False

    @classmethod
    def read(cls, path: Path | str) -> "AccountSetup":
        """Read the YAML file; a missing or unknown field is named with the file."""
        path = Path(path)
        data = read_mapping(path, "account setup", "the account setup is a mapping of field: value")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DataInputError(f"{path}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        values: dict[str, Any] = {name: str(value).strip() for name, value in data.items() if value is not None}
        missing = [f.name for f in fields(cls) if not values.get(f.name) and f.default is MISSING]
        if missing:
            raise DataInputError(f"{path}: the field(s) {', '.join(missing)} are missing or empty")
        for flag in _FLAGS:
            text = str(values.get(flag, "")).casefold()
            if text not in _TRUE | _FALSE:
                raise DataInputError(f"{path}, key {flag!r}: {values[flag]!r} is not true or false")
            values[flag] = text in _TRUE
        return cls(**values)

    def with_defaults(self, defaults: Mapping[str, str]) -> "AccountSetup":
        """This setup with each account it leaves empty taken from ``defaults`` (role -> account)."""
        filled = {f.name: defaults[f.name] for f in fields(self)
                  if f.name not in _FLAGS and not getattr(self, f.name) and defaults.get(f.name)}
        return replace(self, **filled) if filled else self

    def origins(self) -> dict[str, str]:
        """Each account of the setup -> where it is set (``accounts.yaml, key 'card_contra_account'``), for messages."""
        keys: dict[str, str] = {}
        for role in (*ACCOUNT_ROLES, *RULE_ROLES):
            if getattr(self, role):
                keys.setdefault(getattr(self, role), f"accounts.yaml, key {role!r}")
        return keys

    def write(self, path: Path | str) -> Path:
        """Write the setup as diffable YAML, atomically (it holds no secrets, so it is readable by all)."""
        path = Path(path)
        values = {name: value for name, value in asdict(self).items() if value}  # empty: the system's default
        write_private_file(path, yaml.safe_dump(values, sort_keys=False, allow_unicode=True).encode("utf-8"),
                           mode=0o644)
        return path


@dataclass(frozen=True)
class SetupProblem:
    """One setting that would make an export fail, with how to fix it."""

    field: str
    value: str
    problem: str
    fix: str


def check_setup(setup: AccountSetup, chart: Chart, rules: SetupRules = SetupRules(),
                treatments: Sequence[str] = ()) -> list[SetupProblem]:
    """Every problem with the setup (its empty accounts taken from the rules) against the chart; empty when usable.

    The accounts of :data:`RULE_ROLES` are checked when one of ``treatments``
    (the VAT treatments the categories use) needs them.
    """
    setup = setup.with_defaults(rules.booking_defaults)
    problems: list[SetupProblem] = []
    if chart.fiscal_year is None:
        problems.append(SetupProblem("fiscal_year", str(chart.day), f"no fiscal year covers {chart.day}",
                                     "create the fiscal year in the accounting system before exporting"))
    elif chart.locked:
        problems.append(SetupProblem("fiscal_year", f"{chart.fiscal_year[0]}..{chart.fiscal_year[1]}",
                                     "the fiscal year is locked for accounting", "unlock it, or book in an open year"))
    if not re.match(rules.voucher_series_pattern, setup.voucher_series):
        problems.append(SetupProblem("voucher_series", setup.voucher_series, "not a voucher series name",
                                     f"use the series' letter(s) as the accounting system shows them "
                                     f"({rules.voucher_series_pattern})"))
    roles = {**ACCOUNT_ROLES, **{role: meaning for role, (meaning, needed_by) in RULE_ROLES.items()
                                 if set(needed_by) & set(treatments)}}
    for role, meaning in roles.items():
        number = getattr(setup, role)
        account = chart.accounts.get(number)
        if not number:
            problems.append(SetupProblem(role, "", f"{meaning} is not set, and the system has no default for it",
                                         f"set {role} in accounts.yaml"))
        elif account is None:
            where = " (it exists in another fiscal year)" if number in chart.other_years else ""
            problems.append(SetupProblem(role, number, f"{meaning} {number} is not in this fiscal year's chart{where}",
                                         "add the account to the current fiscal year's chart of accounts"))
        elif not account.active:
            problems.append(SetupProblem(role, number, f"{meaning} {number} ({account.name}) is inactive",
                                         "activate it, or choose an active account"))
    prefix = rules.card_contra_prefix
    if prefix and not setup.card_contra_account.startswith(prefix):
        problems.append(SetupProblem("card_contra_account", setup.card_contra_account,
                                     f"the card wallet's contra account should be in the {prefix}0 series",
                                     f"choose a {prefix}x account for the card wallet"))
    return problems
