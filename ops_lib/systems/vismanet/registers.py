"""Visma.net's registers as canonical register frames: customers, products, suppliers, projects (tags).

The field mapping is shared with the payloads (:mod:`.payloads`), so what
is read and what is written cannot drift apart.

* customers and suppliers: by number, with status ``Active`` as
  ``is_active`` (``OnHold``, ``HoldPayments``, ``OneTime`` and ``Inactive``
  are not active); a supplier is Visma.net's vendor;
* products are inventory items (``inventoryNumber``, ``description``,
  ``defaultPrice``, ``baseUnit``). An item carries a VAT *category*, not a
  rate, and no product kind, so the frame has neither ``vat_rate`` nor
  ``kind`` and they are not compared against Visma.net;
* projects (tags) are the values of one segment of the ``SUBACCOUNT``
  dimension, chosen by the options' ``segment`` (its id or description).

Each row keeps the record's key in ``_id`` for updates: the number for
customers, suppliers and items (their PUT paths are keyed by number), the
segment id and value for a tag.

With a :class:`~ops_lib.state.cache.RegisterCache`, customers, suppliers
and items are pulled incrementally: only records whose
``lastModifiedDateTime`` is at or after the service's time when the last
pull began (its first answer's ``Date``), minus an overlap, are fetched
(``lastModifiedDateTimeCondition=>=``) and merged into the cache. One
small request then asks how many records the service holds; when the
merged cache disagrees, records were deleted and the register is pulled
in full. Segment values are read afresh each time: one ``GET`` of the
dimension answers all of them, as cheap as asking what changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pandas as pd

from ops_lib.connectors.dto import dig
from ops_lib.core.errors import ConfigurationError
from ops_lib.model.registers import canonical_frame, normal_decimal
from ops_lib.state.cache import DEFAULT_OVERLAP, RegisterCache
from ops_lib.systems.vismanet.client import SUBACCOUNT, VismaNetClient
from ops_lib.systems.vismanet.payloads import ACTIVE, CUSTOMER_READ, INVENTORY_READ, SUPPLIER_READ
from ops_lib.systems.vismanet.records import Segment

REGISTERS = ("customers", "products", "suppliers", "projects")
# register -> (API path, the field that keys a record)
PULLED = {"customers": ("v1/customer", "number"), "suppliers": ("v1/supplier", "number"),
          "products": ("v1/inventory", "inventoryNumber")}
STAMP = "lastModifiedDateTime"
DEFAULT_SEGMENT = "Projekt"  # what a Swedish company calls the project segment


def _text(path: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "" if dig(r, path) is None else str(dig(r, path))


def _active(r: dict[str, Any]) -> str:
    return "true" if str(r.get("status") or "") == ACTIVE else "false"


def _decimal(path: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "" if dig(r, path) is None else normal_decimal(dig(r, path))


CUSTOMER_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{field: _text(path) for field, path in CUSTOMER_READ.items()}, "is_active": _active}
SUPPLIER_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{field: _text(path) for field, path in SUPPLIER_READ.items()}, "is_active": _active}
INVENTORY_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{field: _text(path) for field, path in INVENTORY_READ.items() if field != "price"},
    "price": _decimal(INVENTORY_READ["price"]), "is_active": _active}


def register_rows(fields: dict[str, Callable[[dict[str, Any]], str]], records: list[dict[str, Any]],
          key: str) -> list[dict[str, str]]:
    return [{**{f: get(r) for f, get in fields.items()}, "_id": str(dig(r, key) or "")} for r in records]


def _listing(client: VismaNetClient, path: str, key: str,
             params: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    """Every record of a paged list (with ``Id`` set to its key, as the cache keeps records), and the
    service's time when the first page was answered: from then on, the next pull asks for changes."""
    records: list[dict[str, Any]] = []
    served = None
    for number, page in enumerate(client.pager.pages(client.get_json, path, params)):
        if number == 0:
            served = client.answered_at
        records += [{**r, "Id": str(dig(r, key) or "")} for r in page.items]
    return records, served


def pull(client: VismaNetClient, register: str, cache: RegisterCache | None = None, *, full: bool = False,
         overlap: dt.timedelta = DEFAULT_OVERLAP) -> list[dict[str, Any]]:
    """Every record of ``customers``, ``suppliers`` or ``products``: in full, or changes merged into the cache."""
    path, key = PULLED[register]
    mark = None if cache is None or full else cache.mark(register)
    start = None if mark is None else mark.since(overlap)
    if cache is not None and start is not None:
        since = start.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        changed, served = _listing(client, path, key, {STAMP: since, f"{STAMP}Condition": ">="})
        if cache.store(register, changed, STAMP, replace=False, server_time=served) == client.total(path):
            return cache.records(register)
    records, served = _listing(client, path, key)
    if cache is not None:
        cache.store(register, records, STAMP, replace=True, server_time=served)
    return records


def find_segment(client: VismaNetClient, name_or_id: str) -> Segment:
    """The ``SUBACCOUNT`` segment with this id or description (case ignored).

    Raises
    ------
    ConfigurationError
        Naming the segments the company has.
    """
    wanted = str(name_or_id).strip()
    segments = client.segments(SUBACCOUNT)
    for s in segments:
        if str(s.id) == wanted or s.description.strip().casefold() == wanted.casefold():
            return s
    known = ", ".join(f"{s.id} {s.description}" for s in segments) or "none"
    raise ConfigurationError(f"Visma.net has no {SUBACCOUNT} segment {wanted!r} (it has: {known}); "
                             f"set system_options.segment to one of them")


def segment_rows(found: Segment) -> list[dict[str, str]]:
    return [{"number": v.value, "name": v.description, "is_active": "true" if v.is_active else "false",
             "_id": f"{found.id}:{v.value}"} for v in found.values]


def read_register(client: VismaNetClient, register: str, *, cache: RegisterCache | None = None,
                  full: bool = False, segment: str = DEFAULT_SEGMENT, **_options: Any) -> pd.DataFrame:
    """One register of the connected company as a canonical frame.

    Parameters
    ----------
    cache, full:
        Pull incrementally into this cache (None: in full, nothing kept); ``full`` pulls in full anyway.
    segment:
        For ``projects``: the ``SUBACCOUNT`` segment whose values are the tags.
    _options:
        The rest of the system options (booking options), which no register reads.

    Raises
    ------
    ValueError
        For a register Visma.net does not hold.
    """
    source = f"vismanet:{client.session.key}"
    fields = {"customers": CUSTOMER_FIELDS, "suppliers": SUPPLIER_FIELDS, "products": INVENTORY_FIELDS}
    if register in fields:
        records = pull(client, register, cache, full=full)
        return canonical_frame(register_rows(fields[register], records, PULLED[register][1]), register, source)
    if register == "projects":
        found = find_segment(client, segment)
        return canonical_frame(segment_rows(found), register, f"{source}:{SUBACCOUNT}:{found.id}")
    raise ValueError(f"unknown register {register!r}; Visma.net holds {', '.join(REGISTERS)}")
