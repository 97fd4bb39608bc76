"""Fixed ingredients of the demo world: companies, chart of accounts, word lists.

Everything here is plain data so that the world is the same on every
machine. The chart of accounts is a small Swedish BAS selection: the bank
and card-wallet accounts (19xx) that expense integrations book against,
supplier debt (2440), output and input VAT (26xx, with the reverse-charge
accounts 2614/2624/2634 and 2645), employee liabilities (2820-2829),
sales accounts (30xx), costs (4xxx-7xxx, with services bought from abroad
on 4531/4535 and foreign VAT on 6998) and exchange differences
(3960/7960), under BAS 2025's names. Its VAT codes carry the VAT return
box they report to.
"""

from __future__ import annotations

# (key, name, first nine digits of the organisation number, city); the key seeds the company's ids.
COMPANIES = (
    ("fjallbris", "Fjällbris Konsult AB", "556812345", "Stockholm"),
    ("kustvag", "Kustväg Bygg AB", "556934210", "Göteborg"),
)

# (number, name, vat code key or "", active in previous year, active in current year,
#  exists in previous year, exists in current year)
ACCOUNTS: tuple[tuple[str, str, str, bool, bool, bool, bool], ...] = (
    ("1510", "Kundfordringar", "", True, True, True, True),
    ("1630", "Avräkning för skatter och avgifter (skattekonto)", "", True, True, True, True),
    ("1680", "Andra kortfristiga fordringar", "", True, True, True, True),
    ("1910", "Kassa", "", True, True, True, True),
    ("1920", "PlusGiro", "", True, True, True, True),
    ("1930", "Företagskonto", "", True, True, True, True),
    ("1940", "Övriga bankkonton", "", True, True, True, True),
    ("1941", "Kortplånbok företagskort", "", True, True, False, True),
    ("1942", "Kortkonto (avslutat)", "", True, False, True, False),
    ("2081", "Aktiekapital", "", True, True, True, True),
    ("2440", "Leverantörsskulder", "", True, True, True, True),
    ("2611", "Utgående moms på försäljning inom Sverige, 25 %", "", True, True, True, True),
    ("2614", "Utgående moms, omvänd betalningsskyldighet, 25 %", "", True, True, True, True),
    ("2621", "Utgående moms på försäljning inom Sverige, 12 %", "", True, True, True, True),
    ("2624", "Utgående moms, omvänd betalningsskyldighet, 12 %", "", True, True, True, True),
    ("2631", "Utgående moms på försäljning inom Sverige, 6 %", "", True, True, True, True),
    ("2634", "Utgående moms, omvänd betalningsskyldighet, 6 %", "", True, True, True, True),
    ("2641", "Debiterad ingående moms", "", True, True, True, True),
    ("2645", "Beräknad ingående moms på förvärv från utlandet", "", True, True, True, True),
    ("2650", "Redovisningskonto för moms", "", True, True, True, True),
    ("2710", "Personalskatt", "", True, True, True, True),
    ("2731", "Avräkning lagstadgade sociala avgifter", "", True, True, True, True),
    ("2820", "Kortfristiga skulder till anställda", "", True, True, True, True),
    ("2822", "Reseräkningar", "", True, True, True, True),
    ("2829", "Övriga kortfristiga skulder till anställda", "", True, True, True, True),
    ("2890", "Övriga kortfristiga skulder", "", True, True, True, True),
    ("2893", "Skulder till närstående personer, kortfristig del", "", True, True, True, True),
    ("2920", "Upplupna semesterlöner", "", True, True, True, True),
    ("3001", "Försäljning inom Sverige, 25 % moms", "out25", True, True, True, True),
    ("3002", "Försäljning inom Sverige, 12 % moms", "out12", True, True, True, True),
    ("3003", "Försäljning inom Sverige, 6 % moms", "out6", True, True, True, True),
    ("3004", "Försäljning inom Sverige, momsfri", "", True, True, True, True),
    ("3041", "Försäljning tjänster inom Sverige, 25 % moms", "out25", True, True, True, True),
    ("3042", "Försäljning tjänster inom Sverige, 12 % moms", "out12", True, True, True, True),
    ("3043", "Försäljning tjänster inom Sverige, 6 % moms", "out6", True, True, True, True),
    ("3044", "Försäljning tjänster inom Sverige, momsfri", "", True, True, True, True),
    ("3740", "Öres- och kronutjämning", "", True, True, True, True),
    ("3960", "Valutakursvinster på fordringar och skulder av rörelsekaraktär", "", True, True, True, True),
    ("4010", "Inköp material och varor", "in", True, True, True, True),
    ("4531", "Inköp av tjänster från ett land utanför EU, 25 % moms", "rc_non_eu", True, True, True, True),
    ("4535", "Inköp av tjänster från annat EU-land, 25 %", "rc_eu", True, True, True, True),
    ("5010", "Lokalhyra", "in", True, True, True, True),
    ("5410", "Förbrukningsinventarier", "in", True, True, True, True),
    ("5460", "Förbrukningsmaterial", "in", True, True, True, True),
    ("5611", "Drivmedel för personbilar", "in", True, True, True, True),
    ("5800", "Resekostnader", "in", True, True, True, True),
    ("5810", "Biljetter", "in6", True, True, True, True),
    ("5831", "Kost och logi i Sverige", "in12", True, True, True, True),
    ("5832", "Kost och logi i utlandet", "", True, True, True, True),
    ("5890", "Övriga resekostnader", "in", True, True, True, True),
    ("6071", "Representation, avdragsgill", "in", True, True, True, True),
    ("6072", "Representation, ej avdragsgill", "", True, True, True, True),
    ("6110", "Kontorsmateriel", "in", True, True, True, True),
    ("6212", "Mobiltelefon", "in", True, True, True, True),
    ("6230", "Datakommunikation", "in", True, True, True, True),
    ("6250", "Postbefordran", "in", True, True, True, True),
    ("6540", "IT-tjänster", "in", True, True, True, True),
    ("6570", "Bankkostnader", "", True, True, True, True),
    ("6991", "Övriga externa kostnader, avdragsgilla", "in", True, False, True, True),
    ("6992", "Övriga externa kostnader, ej avdragsgilla", "", True, True, True, True),
    ("6998", "Utländsk moms", "", True, True, True, True),
    ("7010", "Löner till kollektivanställda", "", True, True, True, True),
    ("7210", "Löner till tjänstemän", "", True, True, True, True),
    ("7510", "Arbetsgivaravgifter", "", True, True, True, True),
    ("7690", "Övriga personalkostnader", "", True, True, True, True),
    ("7960", "Valutakursförluster på fordringar och skulder av rörelsekaraktär", "", True, True, True, True),
    ("8310", "Ränteintäkter", "", True, True, True, True),
    ("8410", "Räntekostnader", "", True, True, True, True),
)

# (key, code, description, rate as text, related accounts)
VAT_CODES = (
    ("none", "00", "Ingen moms", "0", (None, None, None)),
    ("out25", "10", "Utgående moms 25 %", "0.25", (2611, None, None)),
    ("out12", "11", "Utgående moms 12 %", "0.12", (2621, None, None)),
    ("out6", "12", "Utgående moms 6 %", "0.06", (2631, None, None)),
    ("in", "48", "Ingående moms 25 %", "0.25", (2641, None, None)),
    ("in12", "48-12", "Ingående moms 12 %", "0.12", (2641, None, None)),
    ("in6", "48-6", "Ingående moms 6 %", "0.06", (2641, None, None)),
    # Reverse charge: the code names the VAT return box of the purchase (21: services from another EU
    # country, 22: from outside the EU); its output VAT is reported in box 30 and its input VAT in 48.
    ("rc_eu", "21", "Inköp av tjänster från annat EU-land, 25 %", "0.25", (2614, 2645, None)),
    ("rc_non_eu", "22", "Inköp av tjänster från land utanför EU, 25 %", "0.25", (2614, 2645, None)),
)

# (key, name, english name, type, vat percent, domestic sales account)
ACCOUNT_CODINGS = (
    ("svc25", "Tjänster 25 % moms", "Services 25% VAT", "Service", "25", 3041),
    ("svc12", "Tjänster 12 % moms", "Services 12% VAT", "Service", "12", 3042),
    ("svc6", "Tjänster 6 % moms", "Services 6% VAT", "Service", "6", 3043),
    ("svc0", "Tjänster momsfri", "Services VAT exempt", "Service", "0", 3044),
    ("goods25", "Varor 25 % moms", "Goods 25% VAT", "Goods", "25", 3001),
    ("goods12", "Varor 12 % moms", "Goods 12% VAT", "Goods", "12", 3002),
    ("goods6", "Varor 6 % moms", "Goods 6% VAT", "Goods", "6", 3003),
)

# (key, name, code, abbreviation)
UNITS = (
    ("piece", "Styck", "st", "st"),
    ("hour", "Timme", "h", "tim"),
    ("kilometre", "Kilometer", "km", "km"),
    ("day", "Dag", "d", "dag"),
    ("month", "Månad", "mån", "mån"),
)

# (key, name, english name, days, type id, type text)
TERMS_OF_PAYMENT = (
    ("cash", "Kontant", "Cash", 0, 2, "Cash"),
    ("net10", "10 dagar netto", "10 days net", 10, 0, "Normal"),
    ("net15", "15 dagar netto", "15 days net", 15, 0, "Normal"),
    ("net20", "20 dagar netto", "20 days net", 20, 0, "Normal"),
    ("net30", "30 dagar netto", "30 days net", 30, 0, "Normal"),
    ("net45", "45 dagar netto", "45 days net", 45, 0, "Normal"),
)

NAME_FIRST = (
    "Alm", "Berg", "Björk", "Dal", "Ek", "Fors", "Gran", "Hav", "Is", "Järn", "Kvarn", "Lind",
    "Mo", "Norr", "Oden", "Park", "Rönn", "Sjö", "Sol", "Tall", "Udd", "Vik", "Ås", "Älv", "Öster",
)
NAME_SECOND = (
    "gården", "backen", "ström", "lunda", "holm", "vik", "berga", "kulla", "näs", "torp", "by",
    "hamn",
)
NAME_TRADE = (
    "Bygg", "Data", "Konsult", "Handel", "Transport", "Ekonomi", "Design", "Fastigheter",
    "Media", "Service", "El", "Teknik",
)
STREETS = (
    "Storgatan", "Kungsgatan", "Drottninggatan", "Hamngatan", "Skolvägen", "Kyrkogatan",
    "Järnvägsgatan", "Parkvägen", "Industrivägen", "Sjövägen", "Björkvägen", "Ringvägen",
)
CITIES = (
    ("111 22", "Stockholm"), ("411 06", "Göteborg"), ("211 20", "Malmö"), ("753 20", "Uppsala"),
    ("582 24", "Linköping"), ("702 11", "Örebro"), ("903 26", "Umeå"), ("831 30", "Östersund"),
    ("972 31", "Luleå"), ("352 30", "Växjö"),
)
FIRST_NAMES = (
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Anders", "Eva", "Per",
    "Lena", "Mikael", "Elin", "Jonas", "Emma", "Olof",
)
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Lind", "Holm",
)
PRODUCT_NAMES = (
    "Licens", "Support", "Serviceavtal", "Installation", "Utbildning", "Förbrukningsmaterial",
    "Hårdvara", "Programvara", "Konfiguration", "Dokumentation",
)
PRODUCT_VARIANTS = ("bas", "standard", "plus", "premium", "företag")
WORK_TYPES = (
    "Konsulttimme", "Projektledning", "Systemutveckling", "Rådgivning", "Arkitektur",
    "Testning", "Support på plats", "Workshop", "Utredning", "Installation på plats",
)
WORK_LEVELS = ("junior", "senior", "expert", "jour")
TRAVEL_TYPES = (
    ("Milersättning", "km", "0"), ("Traktamente heldag", "d", "0"), ("Traktamente halvdag", "d", "0"),
    ("Resetid", "h", "25"), ("Parkering", "st", "25"), ("Tågresa", "st", "6"),
    ("Flygresa inrikes", "st", "6"), ("Hotell", "st", "12"), ("Taxi", "st", "6"), ("Hyrbil", "d", "25"),
)
PROJECT_WORDS = (
    "Införande", "Uppgradering", "Migrering", "Förstudie", "Utbyggnad", "Ombyggnad",
    "Analys", "Lansering",
)
DEPARTMENTS = (("SALJ", "Sälj"), ("KONS", "Konsult"), ("ADM", "Administration"))

# Suppliers of both companies: (number, name, address, postal code, city, bankgiro, days of terms)
SUPPLIERS = (
    ("1", "Kontorsgrossisten AB", "Lagervägen 4", "125 30", "Älvsjö", "5312-4410", 30),
    ("2", "Molnhallen IT AB", "Servergatan 12", "411 04", "Göteborg", "5523-1987", 30),
    ("3", "Fastighets AB Kvarnen", "Kvarngatan 2", "111 22", "Stockholm", "5120-3344", 10),
    ("4", "Konsultpoolen Norden AB", "Konsultvägen 8", "753 20", "Uppsala", "5667-0021", 20),
    ("5", "Resebyrån Norrsken AB", "Resegatan 1", "831 30", "Östersund", "5789-4512", 15),
)

# The first company's booked supplier invoices, oldest first: (key, supplier number, month ("last" | "this"),
# day (clipped to today in the current month), invoice number, VAT, rows). A row is (account, debet, credit,
# project number or "", how the project is set: "both" (CostCenterItemId1 and ProjectId) | "item" | "project" |
# "", department short name or "" (CostCenterItemId2), text). TotalAmount = the rows' net + VAT.
SUPPLIER_INVOICES = (
    ("kontor-1", "1", "last", 5, "20451", "200", (("6110", "800", "0", "1001", "both", "", "Kontorsmateriel"),)),
    ("moln-1", "2", "last", 12, "M-7781", "1000", (("6540", "4000", "0", "1002", "both", "", "Molntjänst"),)),
    ("hyra-1", "3", "last", 20, "H2026-11", "3000", (("5010", "12000", "0", "", "", "ADM", "Lokalhyra"),)),
    ("konsult-1", "4", "this", 2, "KP-1043", "1250", (
        ("5410", "3000", "0", "1001", "both", "KONS", "Datorutrustning"),
        ("5410", "2000", "0", "1002", "both", "KONS", "Datorutrustning"))),
    ("kontor-2", "1", "this", 8, "20519", "-100", (("6110", "0", "400", "1001", "both", "", "Kredit returvaror"),)),
    ("resa-1", "5", "this", 10, "RN-3390", "900", (
        ("5800", "1600", "0", "1002", "item", "", "Tågresor projektmöte"),
        ("5800", "2000", "0", "1001", "project", "", "Hotell projektmöte"))),
)
