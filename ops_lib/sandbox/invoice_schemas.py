"""Field tables for the invoice models: customer invoice drafts and invoices, payments, suppliers, supplier invoices.

Written from Visma's published v2 swagger like :mod:`.schemas` (which
lists them in its ``MODELS``), and checked against it by
``tests/sandbox/test_contract.py``. A few fields are required here that
the swagger leaves optional: the integration guides and the 2024 field
notes name them as required (``InvoiceNumber``, ``TotalAmount`` on a
supplier invoice, ``AccountNumber`` on its rows), so the sandbox refuses
a body without them.
"""

from __future__ import annotations

from ops_lib.sandbox.tables import model_from_table as _model

CUSTOMER_INVOICE_DRAFT = _model(
    "CustomerInvoiceDraftApi",
    """
    Id uuid ro
    CustomerId uuid req
    CreatedUtc datetime ro
    IsCreditInvoice bool =false
    RotReducedInvoicingType int req
    RotReducedInvoicingPropertyName str 40
    RotReducedInvoicingOrgNumber str 11
    RotReducedInvoicingAmount number =0
    RotReducedInvoicingAutomaticDistribution bool =false
    RotPropertyType int
    HouseWorkOtherCosts number =0
    Rows array =[]
    Persons array =[]
    YourReference str 100
    OurReference str 100
    InvoiceCustomerName str 50 req
    InvoiceAddress1 str 50
    InvoiceAddress2 str 50
    InvoicePostalCode str 10 req
    InvoiceCity str 50 req
    InvoiceCountryCode str 2 req
    InvoiceCurrencyCode str ro
    DeliveryCustomerName str 50
    DeliveryAddress1 str 50
    DeliveryAddress2 str 50
    DeliveryPostalCode str 10
    DeliveryCity str 50
    DeliveryCountryCode str 2
    DeliveryMethodName str 50
    DeliveryTermName str 50
    DeliveryMethodCode str 20
    DeliveryTermCode str 20
    EuThirdParty bool req
    CustomerIsPrivatePerson bool req
    ReverseChargeOnConstructionServices bool ro =false
    SalesDocumentAttachments array ro =[]
    InvoiceDate date
    DeliveryDate date
    TotalAmount number ro =0
    TotalVatAmount number ro =0
    TotalRoundings number ro =0
    TotalAmountBaseCurrency number ro =0
    TotalVatAmountBaseCurrency number ro =0
    CustomerNumber str 16 ro
    IncludesVat bool ro =false
    """,
)

CUSTOMER_INVOICE_DRAFT_ROW = _model(
    "CustomerInvoiceDraftRowApi",
    """
    LineNumber int req
    ArticleId uuid
    ArticleNumber str ro
    IsTextRow bool req
    Text str 2000 req
    UnitPrice number =0
    DiscountPercentage number =0
    Quantity number =0
    WorkCostType int
    IsWorkCost bool =false
    WorkHours number
    MaterialCosts number
    ReversedConstructionServicesVatFree bool req
    CostCenterItemId1 uuid
    CostCenterItemId2 uuid
    CostCenterItemId3 uuid
    UnitAbbreviation str
    VatRateId str ro
    UnitName str
    ProjectId uuid
    """,
)

CUSTOMER_INVOICE = _model(
    "CustomerInvoiceApi",
    """
    Id uuid ro
    EuThirdParty bool req
    IsCreditInvoice bool =false
    CurrencyCode str ro
    CurrencyRate number =1
    CreatedByUserId uuid ro
    TotalAmount number ro =0
    TotalVatAmount number ro =0
    TotalRoundings number ro =0
    TotalAmountInvoiceCurrency number ro =0
    TotalVatAmountInvoiceCurrency number ro =0
    CustomerId uuid req
    Rows array req
    InvoiceDate date
    DueDate date
    DeliveryDate date
    RotReducedInvoicingType int req
    RotReducedInvoicingAmount number =0
    RotReducedInvoicingPercent number ro =0
    RotReducedInvoicingPropertyName str
    RotReducedInvoicingOrgNumber str 11
    Persons array =[]
    RotReducedInvoicingAutomaticDistribution bool ro =false
    ElectronicReference str
    ElectronicAddress str ro
    EdiServiceDelivererId str 50
    OurReference str 50
    YourReference str 50
    InvoiceCustomerName str ro
    InvoiceAddress1 str ro
    InvoiceAddress2 str ro
    InvoicePostalCode str ro
    InvoiceCity str ro
    InvoiceCountryCode str ro
    DeliveryCustomerName str ro
    DeliveryAddress1 str ro
    DeliveryAddress2 str 50
    DeliveryPostalCode str ro
    DeliveryCity str ro
    DeliveryCountryCode str ro
    DeliveryMethodName str ro
    DeliveryTermName str ro
    DeliveryMethodCode str ro
    DeliveryTermCode str ro
    CustomerIsPrivatePerson bool ro =false
    TermsOfPaymentId uuid ro
    CustomerEmail str ro
    InvoiceNumber int ro
    CustomerNumber str ro
    PaymentReferenceNumber str ro
    RotPropertyType int
    SalesDocumentAttachments array ro =[]
    HasAutoInvoiceError bool ro =false
    IsNotDelivered bool ro =false
    ReverseChargeOnConstructionServices bool ro =false
    WorkHouseOtherCosts number =0
    RemainingAmount number ro =0
    RemainingAmountInvoiceCurrency number ro =0
    ReferringInvoiceId uuid ro
    VoucherNumber str ro
    VoucherId uuid ro
    CreatedUtc datetime ro
    ModifiedUtc datetime ro
    ReversedConstructionVatInvoicing bool ro =false
    IncludesVat bool ro =false
    SendType int
    """,
)

CUSTOMER_INVOICE_ROW = _model(
    "CustomerInvoiceRowApi",
    """
    Id uuid ro
    ArticleNumber str ro
    ArticleId uuid
    AmountNoVat number ro =0
    PercentVat number ro =0
    LineNumber int ro
    IsTextRow bool ro =false
    Text str
    UnitPrice number =0
    UnitAbbreviation str ro
    UnitAbbreviationEnglish str ro
    DiscountPercentage number =0
    Quantity number =0
    IsWorkCost bool ro =false
    IsVatFree bool =false
    CostCenterItemId1 uuid
    CostCenterItemId2 uuid
    CostCenterItemId3 uuid
    UnitId uuid ro
    ProjectId uuid
    WorkCostType int
    WorkHours number
    MaterialCosts number
    """,
)

INVOICE_PAYMENT = _model(
    "InvoicePaymentApi",
    """
    CompanyBankAccountId uuid req
    PaymentDate date req
    Reference str 100
    PaymentAmount number req
    PaymentCurrency str req
    DomesticPaymentAmount number
    BankFeeAmount number
    PaymentType int req
    FactoringFeeAmount number
    FactoringFeeAccountNumber int
    """,
)

SUPPLIER = _model(
    "SupplierApi",
    """
    Id uuid ro
    SupplierNumber str 16
    Address1 str 50
    Address2 str 50
    AutomaticPaymentService bool =false
    BankAccountNumber str 50
    BankBban str 50
    BankBic str 50
    BankCode str 50
    BankCountryCode str 2
    BankgiroNumber str 10
    BankIban str 50
    BankName str 50
    City str 50
    ContactPersonEmail str 255
    ContactPersonMobile str 50
    ContactPersonName str 50
    ContactPersonPhone str 50
    CorporateIdentityNumber str 20
    CountryCode str 2
    CreatedUtc datetime ro
    CurrencyCode str 3
    EmailAddress str 255
    MobilePhone str 50
    ModifiedUtc datetime ro
    Name str 50 req
    Note str 4000
    PlusgiroNumber str 10
    PostalCode str 10
    Telephone str 50
    TermsOfPaymentId uuid req
    WwwAddress str 255
    BankFeeCode int
    PayFromBankAccountId uuid
    ForeignPaymentCodeId uuid
    UsesPaymentReferenceNumbers bool req
    IsActive bool =true
    SelfEmployedWithoutFixedAddress bool =false
    """,
)

SUPPLIER_INVOICE = _model(
    "SupplierInvoiceApi",
    """
    Id uuid ro
    SupplierId uuid req
    BankAccountId uuid ro
    InvoiceDate date
    PaymentDate date ro
    DueDate date
    InvoiceNumber str req
    TotalAmount number req
    Vat number =0
    VatHigh number
    VatMedium number
    VatLow number
    IsCreditInvoice bool =false
    CurrencyCode str
    CurrencyRate number =1
    OcrNumber str
    Message str
    CreatedUtc datetime ro
    ModifiedUtc datetime ro
    PlusGiroNumber str ro
    BankGiroNumber str ro
    Rows array =[]
    SupplierName str ro
    SupplierNumber str ro
    IsQuickInvoice bool ro =false
    IsDomestic bool ro =true
    RemainingAmount number ro =0
    RemainingAmountInvoiceCurrency number ro =0
    VoucherNumber str ro
    VoucherId uuid ro
    CreatedFromDraftId uuid ro
    SelfEmployedWithoutFixedAddress bool ro =false
    AllocationPeriods array ro =[]
    AutoCreditDebitPairing bool =false
    Attachments array =[]
    """,
)

SUPPLIER_INVOICE_ROW = _model(
    "SupplierInvoiceRowApi",
    """
    Id uuid ro
    AccountNumber int req
    AccountName str ro
    VatCodeId uuid
    VatAmount number
    CostCenterItemId1 uuid
    CostCenterItemId2 uuid
    CostCenterItemId3 uuid
    Quantity number
    Weight number
    DeliveryDate date
    HarvestYear int
    DebetAmount number =0
    CreditAmount number =0
    LineNumber int ro
    ProjectId uuid
    TransactionText str
    """,
)

INVOICE_MODELS = (
    CUSTOMER_INVOICE_DRAFT, CUSTOMER_INVOICE_DRAFT_ROW, CUSTOMER_INVOICE, CUSTOMER_INVOICE_ROW, INVOICE_PAYMENT,
    SUPPLIER, SUPPLIER_INVOICE, SUPPLIER_INVOICE_ROW,
)
