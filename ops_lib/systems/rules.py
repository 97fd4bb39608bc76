"""Target-system rules: what a system refuses, as data, checked on whole frames at once.

Each system keeps its rules in ``ops_lib/systems/<system>/rules.yaml`` and
serves them as ``System.rules(register)`` (:func:`load_rules` reads the
file); the reconciliation engine asks :func:`check` which records break
them and never knows a system's limits itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ops_lib.systems.registry import get


@dataclass(frozen=True)
class Rule:
    """One thing a system refuses in one field: empty, longer than ``max_length``, or a number with more
    than ``max_decimals`` decimals (the system would round it, so what was approved is not what is sent)."""

    code: str
    field: str
    required: bool = False
    max_length: int | None = None
    max_decimals: int | None = None


def decimals(text: str) -> int:
    """How many decimals a number written as ``text`` really has (trailing zeros do not count; 0 for no number)."""
    whole, point, fraction = text.strip().replace(",", ".").partition(".")
    return len(fraction.rstrip("0")) if point and fraction.isdigit() else 0


@functools.cache
def load_rules(package: str, register: str) -> tuple[Rule, ...]:
    """The rules in ``package``'s ``rules.yaml`` for one register (none when the package has no such file)."""
    try:
        text = resources.files(package).joinpath("rules.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    data = yaml.safe_load(text) or {}
    return tuple(Rule(**entry) for entry in data.get(register, []))


def rules_for(system: str, register: str) -> tuple[Rule, ...]:
    """The rules one system applies to one register.

    Raises
    ------
    ConfigurationError
        For a system the registry does not know: an unknown name never means "no rules".
    """
    return get(system).rules(register)


def check(frame: pd.DataFrame, rules: tuple[Rule, ...]) -> pd.Series:
    """Per row, the ``;``-joined codes of the rules the row breaks ('' when none)."""
    issues = np.full(len(frame), "", dtype=object)
    for rule in rules:
        values = frame[rule.field].astype(str).str.strip() if rule.field in frame else pd.Series("", index=frame.index)
        broken = np.zeros(len(frame), dtype=bool)
        if rule.required:
            broken |= (values == "").to_numpy()
        if rule.max_length is not None:
            broken |= (values.str.len() > rule.max_length).to_numpy()
        if rule.max_decimals is not None:
            broken |= (values.map(decimals) > rule.max_decimals).to_numpy()
        issues = np.where(broken, issues + rule.code + ";", issues)
    return pd.Series(issues, index=frame.index, dtype=object).str.rstrip(";")
