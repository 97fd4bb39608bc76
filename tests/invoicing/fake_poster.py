"""A small in-test invoice poster: drafts kept in a dict by marker, with chosen refusals, lost answers and crashes."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ops_lib.core.errors import ApiError, ServiceUnreachable
from ops_lib.model.invoices import DraftRef, InvoiceBasis, InvoiceState
from ops_lib.systems.base import PlanBlocked
from tests.conftest import Crash


class FakePoster:
    """Plays the system's side of the invoice poster seam.

    ``refuse``: numbers answered 400 with an explanation. ``lose``: numbers whose
    draft is made but whose answer is lost (``made``) or not made (``not_made``).
    ``crash``: numbers whose send kills the run ``before`` or ``after`` the draft is made.
    ``problems``: number -> the target's rule sentences. ``blocked``: numbers whose payload cannot be
    built. ``unlooked``: numbers whose lookup fails.
    """

    target = "fake-company"

    def __init__(self, *, refuse: Sequence[str] = (), lose: Mapping[str, str] | None = None,
                 crash: Mapping[str, str] | None = None, problems: Mapping[str, list[str]] | None = None,
                 blocked: Sequence[str] = (), unlooked: Sequence[str] = ()) -> None:
        self.refuse, self.lose, self.crash = set(refuse), dict(lose or {}), dict(crash or {})
        self.problems, self.blocked, self.unlooked = dict(problems or {}), set(blocked), set(unlooked)
        self.drafts: list[tuple[str, DraftRef]] = []  # (marker, draft): a second draft for one marker shows
        self.sent: list[str] = []
        self.looked_up: list[str] = []

    def check(self, basis: InvoiceBasis) -> list[str]:
        return list(self.problems.get(basis.number, []))

    def payload(self, basis: InvoiceBasis) -> Mapping[str, Any]:
        if basis.number in self.blocked:
            raise PlanBlocked(f"no customer id for {basis.customer.customer_number}")
        return {"CustomerNumber": basis.customer.customer_number, "InvoiceDate": basis.invoice_date.isoformat(),
                "Rows": [[r.kind, r.article, r.text, str(r.quantity), str(r.unit_price)] for r in basis.rows]
                + [["text", "", basis.marker, "0", "0"]]}

    def _make(self, basis: InvoiceBasis) -> DraftRef:
        draft = DraftRef(f"draft-{len(self.drafts) + 1}", f"customer-{basis.customer.customer_number}")
        self.drafts.append((basis.marker, draft))
        return draft

    def made(self, number: str) -> int:
        """How many drafts carry invoice basis ``number``'s marker."""
        return sum(1 for marker, _ in self.drafts if marker == f"#ops-invoice-{number}")

    def send(self, basis: InvoiceBasis) -> DraftRef:
        self.sent.append(basis.number)
        when = self.crash.pop(basis.number, "")
        if when == "before":
            raise Crash("killed before the draft was made")
        if basis.number in self.refuse:
            raise ApiError("Customer is inactive", status=400, code="4005", error_id="e-1")
        lost = self.lose.pop(basis.number, "")
        if lost == "not_made":
            raise ServiceUnreachable("no answer", outcome_unknown=True)
        draft = self._make(basis)
        if when == "after":
            raise Crash("killed after the draft was made")
        if lost == "made":
            raise ApiError("Service unavailable", status=503, code="5000")
        return draft

    def find(self, basis: InvoiceBasis) -> DraftRef | None:
        self.looked_up.append(basis.number)
        if basis.number in self.unlooked:
            raise ServiceUnreachable("the lookup timed out")
        return next((d for marker, d in self.drafts if marker == basis.marker), None)

    def states(self, markers: Sequence[str]) -> dict[str, InvoiceState]:
        made = dict(self.drafts)
        return {m: InvoiceState(m, "transferred", made[m].draft_id) for m in markers if m in made}

    def supplier_invoices(self, start: Any, end: Any) -> list[Any]:
        return []
