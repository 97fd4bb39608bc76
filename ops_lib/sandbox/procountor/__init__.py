"""A local, faithful stand-in for the Procountor REST API (26.04) and its M2M token endpoint.

It follows the vendor's OpenAPI (``procountor-openapi.json``, the 26.04
reconstruction) and the facts in ``wave2-apis.md`` §2. It stands on the
sandbox kernel (clock, store, grants, faults, date header, serving) and
on ``ops_lib.core`` alone; nothing in the connectors imports it.

What it emulates
----------------
* ``POST /api/oauth/token`` (also with a trailing slash, and under every
  prefix): ``grant_type=client_credentials`` with ``client_id``,
  ``client_secret`` and ``api_key``; an extra ``redirect_uri`` is ignored.
  The token is bound to the user and company of the API key,
  ``expires_in`` 3600, ``token_type`` ``bearer``, no refresh token.
  ``POST /logout`` (host root) ends it. A missing, unknown or expired
  token gets 401 ``{"errors":[{"status":401,"message":"Unauthorized"}]}``.
* The API under ``/api``, ``/latest/api``, ``/supported/api`` and
  ``/vYYMM/api``; doubled slashes and a trailing slash are tolerated.
* Conventions: creates answer **200** with the saved object; PUT replaces
  the whole resource and must carry the current ``version``; searches
  answer ``{results, meta:{pageNumber,pageSize,resultCount,totalCount}}``
  with a 0-based ``page`` and ``size`` (default 50, at most 200) and the
  legacy ``previousId`` cursor; every error is ``{"errors":[{"status",
  "field","message"}]}`` with field paths such as ``transactions[2].account``;
  text must fit Windows-1252; datetimes carry no zone.
* Ledger receipts (:mod:`.ledger`, :mod:`.journal_rules`): POST of type
  JOURNAL only; transactions sum to zero with debits positive and credits
  negative (a VAT row carries its net value, the service adds domestic
  VAT; ``createReconciliation=true`` adds the rounding row); at most one
  REVERSING_ENTRY and one RECONCILIATION_ENTRY, both without VAT; the
  codes ``ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION`` (a percent the
  account or the receipt date does not allow),
  ``ERROR_VATSTATUS_VATPERC`` (a status that needs another percent or
  side), ``DIMENSION_OR_DIMENSION_ITEM_IDENTIFIERS_DOES_NOT_MATCH_THOSE_STORED_IN_DATABASE``
  (unknown, inactive or repeated items) and ``CLOSED_FISCAL_PERIOD``;
  dimension item values per dimension sum to the row's amount. Status:
  UNFINISHED on create, then only ``PUT …/approve`` (from UNFINISHED),
  ``…/invalidate`` and ``…/unfinished``, each answering ``InfoMessage``.
  Each journal gets an ``invoiceId``.
* ``/coa``, ``/dimensions`` (with items; POST/PUT of items),
  ``/fiscalyears`` with tracking periods, ``/businesspartners`` (paged,
  ``version``-checked PUT), ``/vats/default``, ``/vats/country``,
  ``/vats/settings``, ``/company``, ``/sessioninfo`` (``companyId`` an
  integer), ``/status``.
* Attachments: ``POST /attachments`` multipart/form-data with ``meta``
  (JSON) and ``file``, at most 10,000,000 bytes; a journal's attachment
  references ``INVOICE`` + the receipt's ``invoiceId`` (``LEDGERRECEIPT``
  is refused with a message saying so); ``GET /attachments/{id}`` answers
  ``multipart/mixed`` (JSON meta, then the file); DELETE 204.
* The demo world (:mod:`.seed`, :mod:`.rates`): *Demo Suomi Oy*, a
  Finnish chart (card contra 1940, out-of-pocket payable 2871, input VAT
  1763, output VAT 2939, reverse-charge VAT 2941, exchange differences
  9460, representation 7600, rounding 7891), cost-centre and project
  dimensions, suppliers, calendar fiscal years (two back closed, last and
  this year open), and the Finnish rates as they were in force: 24 %
  until 2024-08-31, 25.5 % from 2024-09-01; 14 % until 2025-12-31,
  13.5 % from 2026-01-01; 10 %; 0 %.
* Faults: ``/_sandbox/faults`` makes calls fail with the proxy's nginx
  HTML page, as the real 500s look; ``/_sandbox/expire-tokens``.

What it chose where the vendor is silent
----------------------------------------
* Token errors: the vendor shows no body. The sandbox answers its own
  envelope, 400 for a malformed request (no ``api_key``, another grant)
  and 401 ``Unauthorized`` for a wrong client, secret or key alike.
  The authorization-code flow (``/keylogin``, the login UI) is not emulated.
* ``vatStatus`` numbers: the sources give only examples (1 on a domestic
  purchase). The sandbox's table is in :mod:`.rates`: 1 domestic, 2/3 EU
  sales of goods/services (0 %), 4/5 EU purchases of goods/services
  (reverse charge), 6 construction reverse charge, 7 imports, 8 non-EU
  services, 9 exports (0 %), 12 VAT-exempt (0 %). Reverse-charge statuses
  add no VAT to the balance.
* ``/vats/default`` lists every Finnish rate the company has used; a
  transaction's percent must be in force on its receipt date.
  Balance-sheet accounts and a few exempt ones (bank charges, exchange
  differences) take 0 % only.
* A stale ``version`` is 400 with field ``version`` (the spec declares
  400 for the PUTs, the real text is unknown); so are a wrong status for
  an action and an unbalanced receipt, whose texts are the sandbox's.
  A closed fiscal year makes the actions 403 ``CLOSED_FISCAL_PERIOD``.
* ``createReconciliation`` balances at most 1.00 EUR; a larger gap is
  still an error, so a connector's arithmetic bug is not hidden.
* ``size`` above 200 is clamped to 200, not refused.
* ``sendWithInvoice`` (required by the spec) defaults to false: the PyPI
  client leaves it out. An attachment without an extension is refused.
* Rate limit: 60 requests per second per client (the newer page; 20 on
  the older), answered 429 in the envelope with ``Retry-After: 1``.
"""

from ops_lib.sandbox.procountor.app import create_app
from ops_lib.sandbox.procountor.config import COMPANY_ID, DEMO_CLIENT, ProcountorConfig

__all__ = ["COMPANY_ID", "DEMO_CLIENT", "ProcountorConfig", "create_app"]
