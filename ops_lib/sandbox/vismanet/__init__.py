"""A local, faithful stand-in for Visma.net ERP (Financials) API v1/v2 and its Visma Connect sign-in.

It follows the vendor's OpenAPI (April 2025 snapshot) and the facts in
``wave2-apis.md`` §1. It stands on the sandbox kernel (clock, store,
faults, grants, date header, in-process transport) and on ``ops_lib.core``
alone; nothing in the connectors imports it.

What it emulates
----------------
* Visma Connect ``/connect/token``: ``client_credentials`` with
  ``tenant_id`` (secret in the form or HTTP Basic), 3600 s bearer tokens;
  an ungranted tenant fails there with ``invalid_tenant``; a *customer*
  tenant gets a token that the API answers with 401; an unlicensed
  company gets the IPP ``No license for this company`` (12027) envelope.
  The authorization-code flow (PKCE, consent page picking the company,
  rotating refresh tokens) works too.
* ``/v1`` and ``/v2`` paths, also under the legacy ``/API/controller/api``
  prefix: account, subaccount, dimension (segments and values, PUT of
  values), vat, vatCategory, vatZone, supplier, customer, inventory,
  financialPeriod, branch, ledger, paymentmethod, cashaccount,
  journaltransaction v2 (Hold → Balanced → release → Posted),
  supplierInvoice (Hold/Balanced → release → Open, payment method and cash
  account), multipart attachment uploads with revisions, attachment reads.
* Conventions: ``{"value": x}`` write DTOs with case-insensitive keys,
  lines with ``operation``; POST 201 with an empty body and a ``Location``
  on the sandbox host (under the prefix the client used); PUT 204; ETag on
  reads and a stale ``If-Match`` → 412; ``pageNumber``/``pageSize``
  clamped to ``metadata.maxPageSize`` with ``metadata.totalCount``; the
  journal list pages by lines and needs ``periodId`` or
  ``lastModifiedDateTime``; ``lastModifiedDateTime`` + condition filters
  (``>``, ``<``, ``>=``, ``<=``, both or neither); rate-limit headers on
  every answer and 429 + ``Retry-After``; errors as ``{"message":
  "VismaId: <guid>. <action>. Error: …\\r\\n"}``.
* The demo world (:mod:`.seed`): one Swedish company, BAS chart, Swedish
  VAT codes in categories and zones, a SUBACCOUNT dimension, vendors,
  customers, items, last year's periods closed and this year's open.

What it chose where the vendor's documentation is silent
--------------------------------------------------------
* Rate limit: 15,000 calls per hour per (tenant, client), the last
  published production figure; the 429 body uses the ``message`` envelope.
* Token errors use RFC 6749 bodies (``{"error": "invalid_tenant", …}``,
  HTTP 400; bad client 401). A token request without ``scope`` gets every
  service scope.
* A 401 answers ``{"message": "VismaId: …. Error: Authorization has been
  denied for this request.\\r\\n"}``; an unlicensed company 403 with the IPP
  envelope.
* Supplier-invoice release answers 200 with the 2023 build's
  ``ReleaseSupplierInvoiceActionResultDto`` (the 2025 spec declares none).
* ``GET /v1/attachment/{id}`` answers the file's bytes with its uploaded
  content type (the spec says JSON).
* Numbering: suppliers are numbered automatically, customers and items by
  hand; numbers are at most 10 characters, names at most 255.
* The company posts on release and does not hold batches on entry;
  posting to closed periods is not allowed.
* Error texts for rules the facts show no example of (out of balance,
  closed period, unknown account) follow the Acumatica wording of the
  ones they do.
"""

from ops_lib.sandbox.vismanet.app import create_app
from ops_lib.sandbox.vismanet.config import COMPANY_TENANT, CUSTOMER_TENANT, VismaNetConfig

__all__ = ["COMPANY_TENANT", "CUSTOMER_TENANT", "VismaNetConfig", "create_app"]
