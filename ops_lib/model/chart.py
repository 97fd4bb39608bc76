"""A company's chart of accounts for one fiscal year, as every system's reader hands it over."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping


@dataclass(frozen=True)
class ChartAccount:
    number: str
    name: str
    active: bool


@dataclass(frozen=True)
class Chart:
    """A company's chart for the fiscal year covering ``day`` (None when no year covers it)."""

    day: date
    fiscal_year: tuple[date, date] | None
    locked: bool
    accounts: Mapping[str, ChartAccount]
    other_years: Mapping[str, ChartAccount] = field(default_factory=dict)
