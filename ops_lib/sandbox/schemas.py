"""Field tables for the eAccounting v2 models the sandbox serves.

The tables were written from Visma's published v2 swagger; how a table
reads and how a response is shaped from it is in :mod:`.tables`.
``tests/sandbox/test_contract.py`` checks them against the swagger.
"""

from __future__ import annotations

from ops_lib.sandbox.invoice_schemas import INVOICE_MODELS
from ops_lib.sandbox.tables import Model
from ops_lib.sandbox.tables import model_from_table as _model

CUSTOMER = _model(
    "CustomerApi",
    """
    Id uuid ro
    CustomerNumber str 16
    CorporateIdentityNumber str 20
    ContactPersonEmail str 255
    ContactPersonMobile str 50
    ContactPersonName str 100
    ContactPersonPhone str 50
    CurrencyCode str 3
    GLN str 255
    EmailAddress str 255
    InvoiceAddress1 str 50 req
    InvoiceAddress2 str 50
    InvoiceCity str 50 req
    InvoiceCountryCode str 2 req
    InvoicePostalCode str 10 req
    DeliveryCustomerName str 100
    DeliveryAddress1 str 50
    DeliveryAddress2 str 50
    DeliveryCity str 50
    DeliveryCountryCode str 2
    DeliveryPostalCode str 10
    DeliveryMethodId uuid
    DeliveryTermId uuid
    PayToAccountId uuid ro
    Name str 50 req
    Note str 4000
    ReverseChargeOnConstructionServices bool =false
    WebshopCustomerNumber int
    MobilePhone str 50
    Telephone str 50
    TermsOfPaymentId uuid req
    TermsOfPayment object ro
    VatNumber str 20
    WwwAddress str 255
    LastInvoiceDate datetime ro
    IsPrivatePerson bool req
    DiscountPercentage number =0
    ChangedUtc datetime ro
    IsActive bool req
    ForceBookkeepVat bool
    EdiGlnNumber str
    SalesDocumentLanguage str 2
    ElectronicAddress str
    ElectronicReference str
    EdiServiceDelivererId str
    AutoInvoiceActivationEmailSentDate datetime ro
    AutoInvoiceRegistrationRequestSentDate datetime ro
    EmailAddresses array =[]
    CustomerLabels array =[]
    """,
)

ARTICLE = _model(
    "ArticleApi",
    """
    Id uuid ro
    IsActive bool req
    Number str 40 req
    Name str 50 req
    NameEnglish str 50 =""
    NetPrice number
    GrossPrice number
    CodingId uuid req
    CodingName str ro
    UnitId uuid req
    UnitName str ro
    UnitAbbreviation str ro
    StockBalance number =0
    StockBalanceManuallyChangedUtc datetime ro
    StockBalanceReserved number ro =0
    StockBalanceAvailable number ro =0
    ChangedUtc datetime ro
    HouseWorkType int
    PurchasePrice number =0
    PurchasePriceManuallyChangedUtc datetime ro
    SendToWebshop bool
    ArticleLabels array =[]
    """,
)

ARTICLE_ACCOUNT_CODING = _model(
    "ArticleAccountCodingAPI",
    """
    Id uuid ro
    Name str ro
    NameEnglish str ro
    Type str ro
    VatRate str ro
    IsActive bool ro
    VatRatePercent number ro
    DomesticSalesSubjectToReversedConstructionVatAccountNumber int ro
    DomesticSalesSubjectToVatAccountNumber int ro
    DomesticSalesVatExemptAccountNumber int ro
    ForeignSalesSubjectToMossAccountNumber int ro
    ForeignSalesSubjectToThirdPartySalesAccountNumber int ro
    ForeignSalesSubjectToVatWithinEuAccountNumber int ro
    ForeignSalesVatExemptOutsideEuAccountNumber int ro
    ForeignSalesVatExemptWithinEuAccountNumber int ro
    DomesticSalesVatCodeExemptAccountNumber int ro
    ChangedUtc datetime ro
    """,
)

UNIT = _model(
    "UnitApi",
    """
    Id uuid ro
    Name str ro
    Code str ro
    Abbreviation str ro
    """,
)

TERMS_OF_PAYMENT = _model(
    "TermsOfPaymentApi",
    """
    Id uuid ro
    Name str ro
    NameEnglish str ro
    NumberOfDays int ro
    TermsOfPaymentTypeId int ro
    TermsOfPaymentTypeText str ro
    AvailableForSales bool ro
    AvailableForPurchase bool ro
    """,
)

VAT_CODE = _model(
    "VatCode",
    """
    Id uuid ro
    Code str ro
    Description str ro
    VatRate number ro
    RelatedAccounts object ro
    """,
)

COMPANY_SETTINGS = _model(
    "CompanySettingsApi",
    """
    Name str 100 req
    Email str 255
    Phone str 20
    MobilePhone str 20
    Address1 str 40
    Address2 str 40
    CountryCode str 2 req
    PostalCode str 10
    City str 40
    Website str 255
    CurrencyCode str 3
    TermsOfPaymentId uuid
    CorporateIdentityNumber str
    VatCode str
    BankGiro str
    PlusGiro str
    BankAccount str
    Iban str
    AccountingLockedTo date
    Gln str
    ProductVariant int
    TypeOfBusiness int
    VatPeriod int
    ActivatedModules array
    CompanyText object
    NextCustomerNumber int
    NextSupplierNumber int
    NextCustomerInvoiceNumber int
    NextQuoteNumber int
    ShowPricesExclVatPC bool
    """,
)

COST_CENTER = _model(
    "CostCenterApi",
    """
    Name str 20
    Number int ro
    IsActive bool
    Items array ro
    Id uuid ro
    """,
)

COST_CENTER_ITEM = _model(
    "CostCenterItemApi",
    """
    CostCenterId uuid req
    Id uuid ro
    Name str 50 req
    ShortName str 9 req
    IsActive bool req
    """,
)

PROJECT = _model(
    "ProjectApi",
    """
    Id uuid ro
    Number str 9 req
    Name str 50 req
    StartDate date req
    EndDate date
    CustomerId uuid
    CustomerName str ro
    Notes str 500
    Status int
    ModifiedUtc datetime ro
    """,
)

FISCAL_YEAR = _model(
    "FiscalYearApi",
    """
    Id uuid ro
    StartDate date req
    EndDate date req
    IsLockedForAccounting bool
    BookkeepingMethod int
    """,
)

ACCOUNT = _model(
    "AccountApi",
    """
    Name str 100 req
    Number str req
    VatCodeId uuid
    VatCodeDescription str ro
    FiscalYearId uuid req
    ReferenceCode str ro
    Type int ro
    TypeDescription str ro
    ModifiedUtc datetime ro
    IsActive bool req
    IsProjectAllowed bool
    IsCostCenterAllowed bool
    IsBlockedForManualBooking bool
    """,
)

VOUCHER = _model(
    "VoucherApi",
    """
    Id uuid ro
    VoucherDate date req
    VoucherText str 100 req
    Rows array req
    NumberAndNumberSeries str ro
    NumberSeries str
    Attachments object
    ModifiedUtc datetime ro
    VoucherType int ro
    SourceId uuid ro
    """,
)

VOUCHER_ROW = _model(
    "VoucherRowApi",
    """
    AccountNumber int req
    AccountDescription str ro
    DebitAmount number
    CreditAmount number
    TransactionText str 50
    CostCenterItemId1 uuid
    CostCenterItemId2 uuid
    CostCenterItemId3 uuid
    VatCodeId uuid
    VatCodeAndPercent str ro
    Quantity number
    Weight number
    DeliveryDate date
    HarvestYear int
    ProjectId uuid
    """,
)

ATTACHMENT_UPLOAD = _model(
    "AttachmentUploadApi",
    """
    Id uuid
    ContentType str 15 req
    FileName str req
    Data str
    Url str
    """,
)

ATTACHMENT = _model(
    "AttachmentResultApi",
    """
    Id uuid ro
    ContentType str ro
    DocumentId uuid ro
    AttachedDocumentType int ro
    FileName str ro
    TemporaryUrl str ro
    Comment str ro
    SupplierName str ro
    AmountInvoiceCurrency number ro
    Type int ro
    AttachmentStatus int ro
    UploadedBy str ro
    ImageDate datetime ro
    """,
)

ATTACHMENT_LINK = _model(
    "AttachmentLinkApi",
    """
    DocumentId uuid
    DocumentType int req
    AttachmentIds array req
    """,
)

PAGINATION_META = _model(
    "PaginationMetadata",
    """
    CurrentPage int ro
    PageSize int ro
    TotalNumberOfPages int ro
    TotalNumberOfResults int ro
    ServerTimeUtc datetime ro
    """,
)

MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        CUSTOMER,
        ARTICLE,
        ARTICLE_ACCOUNT_CODING,
        UNIT,
        TERMS_OF_PAYMENT,
        VAT_CODE,
        COMPANY_SETTINGS,
        COST_CENTER,
        COST_CENTER_ITEM,
        PROJECT,
        FISCAL_YEAR,
        ACCOUNT,
        VOUCHER,
        VOUCHER_ROW,
        ATTACHMENT_UPLOAD,
        ATTACHMENT,
        ATTACHMENT_LINK,
        PAGINATION_META,
        *INVOICE_MODELS,
    )
}
