"""The booking rules journal transactions and supplier invoices share, as the service words them.

Each rule answers the failure users meet in the facts' table: a missing
ledger (V1), a VAT id outside the zone × category intersection (V2), an
unknown value of a validated subaccount segment (V3), a closed or unknown
financial period (V7), plus unknown or inactive accounts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ops_lib.sandbox.clock import parse_date
from ops_lib.sandbox.vismanet.errors import VismaError
from ops_lib.sandbox.vismanet.wire import ApiCall, Dto


def day_of(dto: Dto, name: str, default: date) -> date:
    text = dto.text(name)
    if not text:
        return default
    try:
        return parse_date(text)
    except ValueError as exc:
        raise VismaError(400, None, f"'{text}' is not a valid value for {name}.") from exc


def period_for(call: ApiCall, action: str, dto: Dto, day: date, module: str) -> dict[str, Any]:
    """The financial period a document books in (``financialPeriod`` YYYYMM, ``postPeriod`` MMYYYY or its date).

    Refused when the period does not exist or is closed in the module,
    unless the company allows posting to closed periods.
    """
    period_id = dto.text("financialPeriod")
    post_period = dto.text("postPeriod")
    if not period_id and post_period and len(post_period) == 6:
        period_id = post_period[2:] + post_period[:2]
    period_id = period_id or f"{day.year}{day.month:02d}"
    period = call.world.store.get(call.tenant, "financialPeriod", period_id)
    shown = f"{period_id[4:]}-{period_id[:4]}"
    if period is None:
        raise VismaError(400, action, f"The financial period '{shown}' is not defined in the system.")
    closed_in = "closedInGeneralLedger" if module == "GL" else "closedInSupplierLedger"
    allowed = call.world.setting(call.tenant, "gl").get("allowPostingToClosedPeriods", False)
    if (period[closed_in] or not period["active"]) and not allowed:
        ledger = "General Ledger" if module == "GL" else "Supplier Ledger"
        raise VismaError(400, action, f"The financial period '{shown}' is closed in {ledger}.")
    return period


def account_for(call: ApiCall, action: str, number: str | None) -> dict[str, Any]:
    if not number:
        raise VismaError(400, action, "'Account' cannot be empty.")
    account = call.world.store.get(call.tenant, "account", number)
    if account is None:
        raise VismaError(400, action, "An error occurred during processing of the field Account : "
                                      f"Error: Account '{number}' cannot be found in the system.")
    if not account["active"]:
        raise VismaError(400, action, f"Account '{number}' is inactive.")
    return account


def subaccount_for(call: ApiCall, action: str, line: Dto) -> list[dict[str, Any]]:
    """The line's segments as stored; an unknown value of a validated segment is refused (V3)."""
    segments = []
    dimension = call.world.store.get(call.tenant, "dimension", "SUBACCOUNT") or {"segments": []}
    known = {s["segmentId"]: s for s in dimension["segments"]}
    for item in line.raw("subaccount") or []:
        part = Dto(item)
        segment_id, value = part.value("segmentId"), part.text("segmentValue") or ""
        segment = known.get(int(segment_id)) if str(segment_id).isdigit() else None
        if segment is None:
            raise VismaError(400, action, f"An error occurred during processing of the field Subaccount : "
                                          f"Error: Segment '{segment_id}' of Subaccount does not exist.")
        values = {v["valueId"] for v in segment["values"] if v["active"]}
        if segment["validate"] and value not in values:
            raise VismaError(400, action, "An error occurred during processing of the field Subaccount : "
                                          f"Error: {segment['description']} of Subaccount do not exist.")
        segments.append({"segmentId": segment["segmentId"], "segmentValue": value})
    return segments


def vat_for(call: ApiCall, action: str, vat_id: str | None, account: dict[str, Any],
            zone_id: str | None = None) -> dict[str, Any] | None:
    """The VAT a line carries: it must lie in the account's category and, on an invoice, the supplier's zone (V2)."""
    if not vat_id:
        return None
    vat = call.world.store.get(call.tenant, "vat", vat_id)
    allowed = {vat_id}
    if account.get("taxCategory"):
        category = call.world.store.get(call.tenant, "vatCategory", account["taxCategory"])
        if category is None:
            raise VismaError(400, action, f"TaxCategoryID '{account['taxCategory']}' cannot be found in the system.")
        allowed &= set(category["vatIds"])
    if zone_id:
        zone = call.world.store.get(call.tenant, "vatZone", zone_id)
        allowed &= set(zone["vatIds"]) if zone else set()
    if vat is None or vat_id not in allowed:
        raise VismaError(400, action, f"TaxID '{vat_id}' cannot be found in the system.")
    return vat


def segments_view(call: ApiCall, segments: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A line's subaccount as the read DTOs show it."""
    if not segments:
        return None
    dimension = call.world.store.get(call.tenant, "dimension", "SUBACCOUNT") or {"segments": []}
    names = {s["segmentId"]: s["description"] for s in dimension["segments"]}
    return {"subaccountNumber": "-".join(s["segmentValue"] for s in segments),
            "segments": [{"segmentId": s["segmentId"], "segmentDescription": names.get(s["segmentId"], ""),
                          "segmentValue": s["segmentValue"]} for s in segments]}
