"""eAccounting's registers as canonical register frames (customers, products, projects).

The field mapping is shared with the payloads (:mod:`.payloads`), so what
is read and what is written cannot drift apart. Articles carry no
product kind, so the products frame has no ``kind`` column and kinds are
not compared against eAccounting. Projects are read from the cost centre
that holds one item per project (the integration's link) or from
projects, as the run's options choose. Each row keeps the record's id in
``_id`` for updates.

With a :class:`~ops_lib.state.cache.RegisterCache`, customers, articles
and projects are pulled incrementally: only records whose ``ChangedUtc``
(``ModifiedUtc`` for projects) is after the service's time when the last
pull began (its first answer's ``Date``), minus an overlap, are fetched and
merged into the cache. One small request then asks the service how many
records it holds; when the merged cache disagrees, records were deleted
and the register is pulled in full.

Cost centre items carry no change stamp (``CostCenterItemApi`` has only
``Id``, ``CostCenterId``, ``Name``, ``ShortName`` and ``IsActive``) and
have no list of their own: ``GET /costcenters`` answers with every cost
centre and all its items in one request, which is as cheap as asking what
changed could be, so they are read afresh each time and not cached.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

import pandas as pd

from ops_lib.core.times import utc_stamp
from ops_lib.model.registers import canonical_frame, normal_decimal
from ops_lib.state.cache import DEFAULT_OVERLAP, RegisterCache
from ops_lib.systems.eaccounting.client import EAccountingClient
from ops_lib.systems.eaccounting.options import PROJECT_TARGETS
from ops_lib.systems.eaccounting.payloads import ARTICLE_API, CUSTOMER_API, ITEM_API, PROJECT_API

# register -> (API path, the field that stamps a change)
PULLED = {"customers": ("customers", "ChangedUtc"), "articles": ("articles", "ChangedUtc"),
          "projects": ("projects", "ModifiedUtc")}


def _text(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "" if r.get(name) is None else str(r[name])


def _bool(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "true" if r.get(name) else "false"


def _decimal(name: str) -> Callable[[dict[str, Any]], str]:
    # The value itself (Decimal or int from the JSON), not its str(): str(Decimal("1E+1")) is not plain text.
    return lambda r: "" if r.get(name) is None else normal_decimal(r[name])


CUSTOMER_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{field: _text(api) for field, api in CUSTOMER_API.items() if field != "is_active"},
    "payment_terms_days": lambda r: str((r.get("TermsOfPayment") or {}).get("NumberOfDays") or ""),
    "is_active": _bool("IsActive"),
}
PROJECT_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "number": _text(PROJECT_API["number"]), "name": _text(PROJECT_API["name"]),
    "is_active": lambda r: "true" if r.get(PROJECT_API["is_active"]) == 1 else "false",
}
ITEM_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "number": _text(ITEM_API["number"]), "name": _text(ITEM_API["name"]), "is_active": _bool(ITEM_API["is_active"]),
}


def _rows(fields: dict[str, Callable[[dict[str, Any]], str]], records: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{**{f: get(r) for f, get in fields.items()}, "_id": str(r.get("Id") or "")} for r in records]


def _listing(client: EAccountingClient, path: str, params: dict[str, Any] | None = None,
             progress: bool = False) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    """Every record of a list (raw dicts: typed records would be dropped at once), and the service's
    time when its first page was answered: from then on, the next pull asks for changes."""
    started: list[dt.datetime | None] = []
    records = list(client.iter_data(path, params, progress, lambda _total: started.append(client.answered_at)))
    return records, started[0] if started else None


def pull(client: EAccountingClient, register: str, cache: RegisterCache | None = None, *, full: bool = False,
         overlap: dt.timedelta = DEFAULT_OVERLAP, progress: bool = False) -> list[dict[str, Any]]:
    """Every record of ``customers``, ``articles`` or ``projects``: in full, or changes merged into the cache.

    Parameters
    ----------
    cache, full:
        Pull incrementally into this cache (None: in full, nothing kept); ``full`` pulls in full anyway.
    overlap:
        How far before the last pull's start to ask from, for writes committed late.
    """
    path, stamp = PULLED[register]
    mark = None if cache is None or full else cache.mark(register)
    start = None if mark is None else mark.since(overlap)
    if cache is not None and start is not None:
        changed, served = _listing(client, path, {"$filter": f"{stamp} gt {utc_stamp(start)}"})
        total = int(client.get_json(path, {"$page": 1, "$pagesize": 1})["Meta"]["TotalNumberOfResults"])
        if cache.store(register, changed, stamp, replace=False, server_time=served) == total:
            return cache.records(register)
    records, served = _listing(client, path, progress=progress)
    if cache is not None:
        cache.store(register, records, stamp, replace=True, server_time=served)
    return records


def read_register(client: EAccountingClient, register: str, progress: bool = False, *,
                  cache: RegisterCache | None = None, full: bool = False, project_target: str = "cost_center_items",
                  cost_center: str = "Projekt") -> pd.DataFrame:
    """One register of the connected company as a canonical frame.

    Parameters
    ----------
    cache:
        Pull incrementally into this cache (None: always in full, nothing kept).
    full:
        Pull in full even when the cache could be brought up to date.
    project_target, cost_center:
        Where projects live: the items of ``cost_center``, or ``projects``.
    """
    source = f"eaccounting:{client.session.key}"
    if register == "customers":
        return canonical_frame(_rows(CUSTOMER_FIELDS, pull(client, "customers", cache, full=full, progress=progress)),
                               register, source)
    if register == "projects":
        if project_target not in PROJECT_TARGETS:
            raise ValueError(f"project_target must be one of {', '.join(PROJECT_TARGETS)}")
        if project_target == "projects":
            records = pull(client, "projects", cache, full=full, progress=progress)
            return canonical_frame(_rows(PROJECT_FIELDS, records), register, source)
        items = [i for c in client.cost_centers() if c.name.strip().casefold() == cost_center.casefold()
                 for i in c.data.get("Items") or []]
        return canonical_frame(_rows(ITEM_FIELDS, items), register, f"{source}:{cost_center}")
    if register == "products":
        rates = {c.id: c.vat_rate for c in client.article_account_codings()}

        def vat_rate(r: dict[str, Any]) -> str:
            rate = rates.get(str(r.get("CodingId") or ""))
            return "" if rate is None else normal_decimal(rate * Decimal(100))

        fields = {"number": _text(ARTICLE_API["number"]), "name": _text(ARTICLE_API["name"]),
                  "unit": lambda r: str(r.get("UnitAbbreviation") or r.get("UnitName") or ""),
                  "price": _decimal(ARTICLE_API["price"]), "vat_rate": vat_rate,
                  "is_active": _bool(ARTICLE_API["is_active"])}
        return canonical_frame(_rows(fields, pull(client, "articles", cache, full=full, progress=progress)),
                               register, source)
    raise ValueError(f"unknown register {register!r}")
