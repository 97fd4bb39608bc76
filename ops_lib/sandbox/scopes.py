"""Which scopes each eAccounting endpoint accepts, as the published spec lists them.

Every call also needs ``ea:api``. A token that lacks all of an endpoint's
scopes is answered with 403 and ErrorCode 4006 (NoAccessToScopes).
"""

from __future__ import annotations

SALES_READ = ("ea:sales", "ea:sales_readonly")
ACCOUNTING_READ = ("ea:accounting", "ea:accounting_readonly")
PURCHASE_READ = ("ea:purchase", "ea:purchase_readonly")

# (method, path template) -> scopes of which the token needs at least one.
ENDPOINT_SCOPES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/v2/customers"): SALES_READ,
    ("POST", "/v2/customers"): ("ea:sales",),
    ("GET", "/v2/customers/{customerId}"): SALES_READ,
    ("PUT", "/v2/customers/{customerId}"): ("ea:sales",),
    ("DELETE", "/v2/customers/{customerId}"): ("ea:sales",),
    ("GET", "/v2/articles"): SALES_READ,
    ("POST", "/v2/articles"): ("ea:sales",),
    ("GET", "/v2/articles/{articleId}"): SALES_READ,
    ("PUT", "/v2/articles/{articleId}"): ("ea:sales",),
    ("GET", "/v2/articleaccountcodings"): SALES_READ,
    ("GET", "/v2/articleaccountcodings/{articleAccountCodingId}"): SALES_READ,
    ("GET", "/v2/units"): SALES_READ,
    ("GET", "/v2/units/{id}"): SALES_READ,
    ("GET", "/v2/termsofpayments"): SALES_READ + PURCHASE_READ,
    ("GET", "/v2/termsofpayments/{id}"): SALES_READ + PURCHASE_READ,
    ("GET", "/v2/companysettings"): SALES_READ,
    ("GET", "/v2/vatcodes"): ACCOUNTING_READ,
    ("GET", "/v2/vatcodes/{id}"): ACCOUNTING_READ,
    ("GET", "/v2/costcenters"): ACCOUNTING_READ + SALES_READ,
    ("PUT", "/v2/costcenters/{id}"): ("ea:accounting", "ea:sales"),
    ("GET", "/v2/costcenteritems/{itemId}"): ACCOUNTING_READ + SALES_READ,
    ("POST", "/v2/costcenteritems"): ("ea:accounting", "ea:sales"),
    ("PUT", "/v2/costcenteritems/{costCenterItemId}"): ("ea:accounting", "ea:sales"),
    ("GET", "/v2/projects"): ACCOUNTING_READ + SALES_READ + PURCHASE_READ,
    ("POST", "/v2/projects"): ("ea:accounting",),
    ("GET", "/v2/projects/{id}"): ACCOUNTING_READ + SALES_READ + PURCHASE_READ,
    ("PUT", "/v2/projects/{id}"): ("ea:accounting",),
    ("GET", "/v2/fiscalyears"): SALES_READ + ACCOUNTING_READ,
    ("POST", "/v2/fiscalyears"): ("ea:sales", "ea:accounting"),
    ("GET", "/v2/fiscalyears/{id}"): SALES_READ + ACCOUNTING_READ,
    ("GET", "/v2/accounts"): ACCOUNTING_READ,
    ("POST", "/v2/accounts"): ("ea:accounting",),
    ("GET", "/v2/accounts/{fiscalyearId}"): ACCOUNTING_READ,
    ("GET", "/v2/accounts/{fiscalyearId}/{accountNumber}"): ACCOUNTING_READ,
    ("PUT", "/v2/accounts/{fiscalyearId}/{accountNumber}"): ("ea:accounting",),
    ("GET", "/v2/vouchers"): ACCOUNTING_READ,
    ("POST", "/v2/vouchers"): ("ea:accounting",),
    ("GET", "/v2/vouchers/{fiscalyearId}"): ACCOUNTING_READ,
    ("GET", "/v2/vouchers/{fiscalyearId}/{voucherId}"): ACCOUNTING_READ,
    ("GET", "/v2/attachments"): PURCHASE_READ + ACCOUNTING_READ,
    ("POST", "/v2/attachments"): ("ea:purchase", "ea:accounting"),
    ("GET", "/v2/attachments/{attachmentId}"): PURCHASE_READ + ACCOUNTING_READ,
    ("DELETE", "/v2/attachments/{attachmentId}"): ("ea:purchase", "ea:accounting"),
    ("POST", "/v2/attachmentlinks"): ("ea:accounting", "ea:purchase"),
    ("DELETE", "/v2/attachmentlinks/{attachmentId}"): ("ea:accounting", "ea:purchase"),
    ("GET", "/v2/customerinvoicedrafts"): SALES_READ,
    ("POST", "/v2/customerinvoicedrafts"): ("ea:sales",),
    ("GET", "/v2/customerinvoicedrafts/{invoiceDraftId}"): SALES_READ,
    ("PUT", "/v2/customerinvoicedrafts/{customerInvoiceDraftId}"): ("ea:sales",),
    ("DELETE", "/v2/customerinvoicedrafts/{customerInvoiceDraftId}"): ("ea:sales",),
    ("POST", "/v2/customerinvoicedrafts/{customerInvoiceDraftId}/convert"): ("ea:sales",),
    ("GET", "/v2/customerinvoices"): SALES_READ,
    ("GET", "/v2/customerinvoices/{invoiceId}"): SALES_READ,
    ("POST", "/v2/customerinvoices/{invoiceId}/payments"): ("ea:sales",),
    ("GET", "/v2/suppliers"): PURCHASE_READ,
    ("GET", "/v2/suppliers/{supplierId}"): PURCHASE_READ,
    ("GET", "/v2/supplierinvoices"): PURCHASE_READ,
    ("POST", "/v2/supplierinvoices"): ("ea:purchase",),
    ("GET", "/v2/supplierinvoices/{supplierInvoiceId}"): PURCHASE_READ,
}

# Scopes the identity server grants; anything else asked for is invalid_scope.
SUPPORTED_SCOPES = frozenset({
    "openid", "profile", "email", "offline_access", "ea:api",
    "ea:sales", "ea:sales_readonly", "ea:accounting", "ea:accounting_readonly",
    "ea:purchase", "ea:purchase_readonly", "ea:settings", "ea:settings_readonly", "vls:api",
})

SCOPE_DESCRIPTIONS = {
    "openid": "Your identity",
    "profile": "Your name",
    "email": "Your e-mail address",
    "offline_access": "Keep access when you are not signed in (refresh token)",
    "ea:api": "Use the eAccounting API",
    "ea:sales": "Read and change sales data: customers, articles, invoices",
    "ea:sales_readonly": "Read sales data",
    "ea:accounting": "Read and change accounting data: accounts, vouchers, projects, cost centres",
    "ea:accounting_readonly": "Read accounting data",
    "ea:purchase": "Read and change purchase data: supplier invoices, attachments",
    "ea:purchase_readonly": "Read purchase data",
    "ea:settings": "Change company settings",
    "ea:settings_readonly": "Read company settings",
    "vls:api": "Use the payroll API",
}
