"""Procountor's registers as canonical register frames: suppliers and projects (tags).

* suppliers are the business partners of type ``SUPPLIER``
  (``GET /businesspartners?type=SUPPLIER``, a ``{results, meta}`` search):
  the number is the partner's ``invoicingInfo.customerNumber`` (its
  partner number; the id when it has none), the VAT number its
  ``invoicingInfo.identifier`` (a Finnish business id or a VAT number),
  the country its billing address's, which Procountor names in words
  (``FINLAND``) and the frame as an ISO code (:data:`COUNTRIES`);
* projects (tags) are the items of one dimension, chosen by the options'
  ``dimension`` (its id or name), by ``codeName`` and ``description``; an
  item with status ``P`` (passive) is not active.

Each row keeps the record's key in ``_id`` for updates: the partner id,
or ``<dimension id>:<item id>`` for a tag. Registers are read in full each
time (Procountor's change filter ``versionStartDate`` would serve an
incremental pull; the registers are small).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ops_lib.core.errors import ConfigurationError
from ops_lib.model.registers import canonical_frame
from ops_lib.systems.procountor.client import ProcountorClient
from ops_lib.systems.procountor.records import BusinessPartner, DimensionRecord

REGISTERS = ("suppliers", "projects")
DEFAULT_DIMENSION = "Projekti"  # what a Finnish company calls its project dimension
# Procountor's country names (an enum of English names) for the ISO codes the frames carry.
COUNTRIES = {"FI": "FINLAND", "SE": "SWEDEN", "NO": "NORWAY", "DK": "DENMARK", "EE": "ESTONIA", "DE": "GERMANY",
             "LU": "LUXEMBOURG", "NL": "NETHERLANDS", "IE": "IRELAND", "FR": "FRANCE", "GB": "UNITED_KINGDOM",
             "US": "UNITED_STATES", "LV": "LATVIA", "LT": "LITHUANIA", "PL": "POLAND", "ES": "SPAIN",
             "IT": "ITALY", "BE": "BELGIUM", "AT": "AUSTRIA", "CH": "SWITZERLAND"}
CODES = {name: code for code, name in COUNTRIES.items()}


def country_code(name: str) -> str:
    """The ISO code of a Procountor country name (the name itself when it is not known here)."""
    return CODES.get(name.strip().upper(), name.strip())


def supplier_rows(partners: list[BusinessPartner]) -> list[dict[str, str]]:
    return [{"number": p.number or str(p.id or ""), "name": p.name, "vat_number": p.vat_number,
             "country_code": country_code(p.country_code), "is_active": "true" if p.is_active else "false",
             "_id": str(p.id or "")} for p in partners if p.type == "SUPPLIER"]


def find_dimension(client: ProcountorClient, name_or_id: str) -> DimensionRecord:
    """The dimension with this id or name (case ignored).

    Raises
    ------
    ConfigurationError
        Naming the dimensions the company has.
    """
    wanted = str(name_or_id).strip()
    dimensions = client.dimensions()
    for d in dimensions:
        if str(d.id) == wanted or d.name.strip().casefold() == wanted.casefold():
            return d
    known = ", ".join(f"{d.id} {d.name}" for d in dimensions) or "none"
    raise ConfigurationError(f"Procountor has no dimension {wanted!r} (it has: {known}); "
                             f"set system_options.dimension to one of them")


def item_rows(found: DimensionRecord) -> list[dict[str, str]]:
    return [{"number": i.code, "name": i.description, "is_active": "true" if i.is_active else "false",
             "_id": f"{found.id}:{i.id}"} for i in found.items]


def read_register(client: ProcountorClient, register: str, *, cache: Any = None, full: bool = False,
                  dimension: str = DEFAULT_DIMENSION, **_options: Any) -> pd.DataFrame:
    """One register of the connected company as a canonical frame.

    Parameters
    ----------
    cache, full:
        Accepted for the seam; Procountor's registers are read in full.
    dimension:
        For ``projects``: the dimension whose items are the tags.

    Raises
    ------
    ValueError
        For a register Procountor does not hold here.
    """
    source = f"procountor:{client.session.key}"
    if register == "suppliers":
        return canonical_frame(supplier_rows(client.partners(type="SUPPLIER")), register, source)
    if register == "projects":
        found = find_dimension(client, dimension)
        return canonical_frame(item_rows(found), register, f"{source}:dimension:{found.id}")
    raise ValueError(f"unknown register {register!r}; Procountor holds {', '.join(REGISTERS)}")
