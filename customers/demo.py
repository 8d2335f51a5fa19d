"""Demo customers for ``seed_demo``: about 200 realistic Romanian persons and companies,
created through the services (validation, numbers, history) like an agent would.

Deterministic (fixed seeds) and idempotent: nothing is created when the demo
customers are already there (their e-mails end with ``DEMO_EMAIL_DOMAIN``).

The name, street and city lists are shared with ``generate_data`` (benchmarks).
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import phonenumbers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.ro import cnp as ro_cnp
from stdnum.ro import cui as ro_cui

from . import choices, services
from .models import Customer

DEMO_EMAIL_DOMAIN = "demo.aluxsat.example"
SEED = 2026
PERSONS = 170
COMPANIES = 24  # plus the 6 customers of the corporate hierarchy
RETAILER_CODE = "R-001"
RETAILER_CUSTOMERS = 20
OLDEST, YOUNGEST = date(1942, 1, 1), date(2005, 12, 31)  # adults on any day from 2024


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- shared lists ----------------------------------------------------------------------
FIRST_NAMES_MALE = _words(
    "Andrei Alexandru Adrian Alin Bogdan Cătălin Cezar Ciprian Claudiu Constantin Cosmin "
    "Cristian Dan Daniel Darius David Dorin Dragoș Dumitru Eduard Emil Eugen Florin Gabriel "
    "George Gheorghe Grigore Horia Ioan Ion Ionuț Iulian Laurențiu Liviu Lucian Marian Marius "
    "Matei Mihai Mircea Nicolae Octavian Ovidiu Paul Petru Radu Răzvan Remus Robert Sebastian "
    "Sergiu Silviu Sorin Ștefan Teodor Tudor Valentin Vasile Victor Viorel Vlad"
)
FIRST_NAMES_FEMALE = _words(
    "Adina Adriana Alexandra Alina Ana Anca Andreea Angela Bianca Camelia Carmen Cătălina "
    "Claudia Corina Cristina Daniela Diana Doina Elena Elisabeta Emilia Florentina Gabriela "
    "Georgiana Ileana Ioana Irina Iulia Larisa Laura Lavinia Liliana Loredana Luminița Mădălina "
    "Maria Mariana Mihaela Mirela Monica Natalia Nicoleta Oana Otilia Raluca Ramona Roxana "
    "Sabina Simona Sorina Ștefania Teodora Valentina Veronica Victoria Violeta"
)
LAST_NAMES = _words(
    "Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Constantin "
    "Rusu Mihai Munteanu Florea Lazăr Tudor Dinu Ene Moldovan Barbu Toma Cristea Marin Ilie "
    "Stanciu Nistor Dobre Sârbu Georgescu Florescu Vasile Neagu Preda Badea Oprea Tănase "
    "Marinescu Mocanu Popovici Dragomir Anghel Căpraru Diaconu Mitrea Voicu Ardeleanu Nedelcu "
    "Zamfir Bălan Lungu Manole Cojocaru Sandu Enache Iordache Coman Grigore Stănescu Niculescu "
    "Lupu Ursu Petrescu Andrei Avram Roman Moraru Dumitrescu Mihăilă Nicolae Constantinescu "
    "Surdu Bucur Ispas Vlad Sima Crăciun Paraschiv Cazacu Mihalache Păun Istrate Olteanu "
    "Ungureanu Moisescu Chiriac Filip Croitoru Dumitrache Gavrilă Dragomirescu Pîrvu Voinea "
    "Suciu Bratu Husar Pavel Bogdan Cristescu Macovei Nițu Sava Hagi Antonescu Mateescu Lazea "
    "Mureșan Ardelean Pintea Buzatu Cozma Ciocan Grosu Apostol Iancu Buda Mitu Tomescu "
    "Florian Aldea Cârstea Rădulescu Manea Onea Pașca Bejan Cîmpeanu Vlădescu Stoian Costache"
)
STREETS = [
    "Strada Mihai Eminescu",
    "Strada Avram Iancu",
    "Strada Libertății",
    "Strada Republicii",
    "Strada Mihail Kogălniceanu",
    "Strada Ion Creangă",
    "Strada Gheorghe Doja",
    "Strada Unirii",
    "Strada Tudor Vladimirescu",
    "Strada Nicolae Bălcescu",
    "Strada Mărășești",
    "Strada Florilor",
    "Strada Trandafirilor",
    "Strada Teilor",
    "Strada Morii",
    "Strada Școlii",
    "Strada Gării",
    "Strada Ștefan cel Mare",
    "Strada Vasile Alecsandri",
    "Strada George Coșbuc",
    "Strada Lalelelor",
    "Strada Primăverii",
    "Bulevardul Eroilor",
    "Bulevardul 1 Decembrie 1918",
    "Bulevardul Independenței",
    "Bulevardul Revoluției",
    "Bulevardul Carol I",
    "Calea Victoriei",
    "Calea Dorobanților",
    "Calea Moșilor",
    "Șoseaua Pantelimon",
    "Aleea Rozelor",
    "Aleea Parcului",
    "Intrarea Zorilor",
]


@dataclass(frozen=True)
class City:
    """A city with its county, the CNP county code, a postal-code stem and area code."""

    name: str
    county: str
    cnp_county: int
    postal_stem: str
    area_code: str


CITIES = [
    City("București", "București", 40, "0", "21"),
    City("Cluj-Napoca", "Cluj", 12, "400", "264"),
    City("Timișoara", "Timiș", 35, "300", "256"),
    City("Iași", "Iași", 22, "700", "232"),
    City("Constanța", "Constanța", 13, "900", "241"),
    City("Craiova", "Dolj", 16, "200", "251"),
    City("Brașov", "Brașov", 8, "500", "268"),
    City("Galați", "Galați", 17, "800", "236"),
    City("Ploiești", "Prahova", 29, "100", "244"),
    City("Oradea", "Bihor", 5, "410", "259"),
    City("Sibiu", "Sibiu", 32, "550", "269"),
    City("Bacău", "Bacău", 4, "600", "234"),
    City("Arad", "Arad", 2, "310", "257"),
    City("Pitești", "Argeș", 3, "110", "248"),
    City("Suceava", "Suceava", 33, "720", "230"),
    City("Târgu Mureș", "Mureș", 26, "540", "265"),
    City("Baia Mare", "Maramureș", 24, "430", "262"),
    City("Buzău", "Buzău", 10, "120", "238"),
    City("Alba Iulia", "Alba", 1, "510", "258"),
    City("Voluntari", "Ilfov", 23, "077", "21"),
]
# București is a third of the demo (as in real subscriber bases), then the big cities.
CITY_WEIGHTS = [30, 8, 7, 7, 6, 5, 6, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 4]
MOBILE_PREFIXES = ["72", "73", "74", "75", "76", "77", "78", "79"]

# --- what agents log -------------------------------------------------------------------
SUBJECTS = {
    choices.Channel.PHONE: [
        "Întrebare despre factura lunii trecute",
        "Semnal TV slab în timpul ploii",
        "Solicitare mutare abonament la altă adresă",
        "Customer asked about the new sports package",
        "Reclamație: internetul se întrerupe seara",
        "Confirmare programare instalare",
        "Called to upgrade to 1 Gbps fibre",
        "Cerere de portare număr mobil",
    ],
    choices.Channel.EMAIL: [
        "Solicitare duplicat factură",
        "Invoice copy requested for accounting",
        "Actualizare date de contact",
        "Întrebare despre oferta de prelungire a contractului",
        "Complaint about roaming charges",
    ],
    choices.Channel.WALK_IN: [
        "A venit în magazin pentru schimbarea cartelei SIM",
        "Plată factură la casierie",
        "Returnare decodor defect",
        "Visited the shop to sign the contract",
    ],
    choices.Channel.SOCIAL: [
        "Mesaj pe Facebook: întrerupere semnal în zonă",
        "Instagram DM about the promotion",
        "Comentariu public despre viteza internetului",
    ],
    choices.Channel.LETTER: [
        "Notificare de reziliere a contractului",
        "Contestație factură prin poștă",
        "Letter confirming the change of legal address",
    ],
}
NOTES = [
    "Clientul a fost informat și este mulțumit de răspuns.",
    "Am deschis o verificare tehnică; revenim în 48 de ore.",
    "Explained the charges line by line; no dispute.",
    "Clientul revine după ce discută cu familia.",
    "Follow-up agreed for next week.",
    "",
]
DEPARTMENTS = ["Departamentul IT", "Departamentul Vânzări", "Departamentul Logistică"]


def ascii_slug(text: str) -> str:
    """``Ștefan Mureșan`` → ``stefan.muresan`` (e-mail local parts)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = ("".join(ch for ch in word if ch.isalnum()) for word in plain.lower().split())
    return ".".join(word for word in words if word)


def make_cnp(rng: random.Random, *, male: bool, born: date, county: int) -> str:
    """A valid CNP: sex/century digit, YYMMDD, county, serial and check digit."""
    sex = (1 if male else 2) + (4 if born.year >= 2000 else 0)
    first12 = f"{sex}{born:%y%m%d}{county:02d}{rng.randint(1, 999):03d}"
    return first12 + ro_cnp.calc_check_digit(first12)


def make_cui(rng: random.Random) -> str:
    """A valid CUI (company tax code): 6 to 8 digits and the check digit."""
    body = str(rng.randint(10**5, 10**8 - 1))
    return body + ro_cui.calc_check_digit(body)


def demo_pdf(title: str) -> bytes:
    """A small, well-formed one-page PDF with ``title`` on it (attachments of the demo)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# --- the generator ---------------------------------------------------------------------
class _DemoCustomers:
    def __init__(self, agents, partners):
        self.agents = list(agents)
        self.partners = partners
        self.rng = random.Random(SEED)
        self.fake = Faker("ro_RO")
        self.fake.seed_instance(SEED)
        self.today = timezone.localdate()
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.cnps: set[str] = set()
        self.cuis: set[str] = set()
        self.company_names: set[str] = set()
        self.created = 0

    # values ------------------------------------------------------------------------
    def agent(self):
        return self.rng.choice(self.agents) if self.agents else None

    def city(self) -> City:
        return self.rng.choices(CITIES, weights=CITY_WEIGHTS)[0]

    def _unique_phone(self, make) -> str:
        while True:
            candidate = make()
            if candidate in self.phones:
                continue
            number = phonenumbers.parse(candidate)
            if phonenumbers.is_valid_number(number):
                self.phones.add(candidate)
                return candidate

    def mobile(self) -> str:
        rng = self.rng
        return self._unique_phone(
            lambda: f"+40{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
        )

    def landline(self, city: City) -> str:
        digits = 9 - len(city.area_code)
        low = 2 * 10 ** (digits - 1)
        return self._unique_phone(
            lambda: f"+40{city.area_code}{self.rng.randint(low, 10**digits - 1)}"
        )

    def email(self, local: str) -> str:
        candidate, n = local, 1
        while f"{candidate}@{DEMO_EMAIL_DOMAIN}" in self.emails:
            n += 1
            candidate = f"{local}{n}"
        address = f"{candidate}@{DEMO_EMAIL_DOMAIN}"
        self.emails.add(address)
        return address

    def cnp(self, *, male: bool, born: date, county: int) -> str:
        while True:
            value = make_cnp(self.rng, male=male, born=born, county=county)
            if value not in self.cnps:
                self.cnps.add(value)
                return value

    def cui(self) -> str:
        while True:
            value = make_cui(self.rng)
            if value not in self.cuis:
                self.cuis.add(value)
                return value

    def registration(self, city: City, founded: int) -> str:
        return f"J{city.cnp_county:02d}/{self.rng.randint(100, 29999)}/{founded}"

    def street_line(self) -> str:
        return f"{self.rng.choice(STREETS)} nr. {self.rng.randint(1, 180)}"

    def flat(self) -> str:
        rng = self.rng
        if rng.random() < 0.55:
            return f"Bl. {rng.randint(1, 90)}, Sc. {rng.choice('ABC')}, Ap. {rng.randint(1, 80)}"
        return ""

    def postal_code(self, city: City) -> str:
        return city.postal_stem + "".join(
            str(self.rng.randint(0, 9)) for _ in range(6 - len(city.postal_stem))
        )

    def since(self, months: int) -> date:
        return self.today - timedelta(days=int(months * 30.44) + self.rng.randint(0, 20))

    def value_and_tenure(self, *, company: bool) -> tuple[Decimal, date]:
        """Monthly value and start date drawn so that every tier is well represented."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:  # platinum
            value, months = rng.uniform(150, 420), rng.randint(37, 150)
        elif roll < 0.32:  # gold
            value, months = rng.uniform(80, 149), rng.randint(25, 120)
        elif roll < 0.60:  # silver
            value, months = rng.uniform(40, 79), rng.randint(13, 96)
        elif roll < 0.75:  # big spenders who are new: bronze until the tenure comes
            value, months = rng.uniform(90, 260), rng.randint(0, 10)
        else:  # bronze
            value, months = rng.uniform(8, 39), rng.randint(0, 140)
        if company:
            value *= rng.uniform(1.5, 4)
        return Decimal(f"{value:.2f}"), self.since(months)

    # customers ---------------------------------------------------------------------
    def person(self, *, partner=None) -> Customer:
        rng, fake = self.rng, self.fake
        male = rng.random() < 0.5
        first = fake.random_element(FIRST_NAMES_MALE if male else FIRST_NAMES_FEMALE)
        last = fake.random_element(LAST_NAMES)
        born = date.fromordinal(rng.randint(OLDEST.toordinal(), YOUNGEST.toordinal()))
        city = self.city()
        value, since = self.value_and_tenure(company=False)
        category = (
            choices.CustomerCategory.EMPLOYEE
            if rng.random() < 0.03
            else choices.CustomerCategory.RESIDENTIAL
        )
        customer = services.customer_create(
            actor=self.agent(),
            confirm_duplicates=True,
            kind=choices.CustomerKind.PERSON,
            first_name=first,
            last_name=last,
            id_number=self.cnp(male=male, born=born, county=rng.randint(1, 46)),
            date_of_birth=born,
            phone=self.mobile(),
            email=self.email(f"{ascii_slug(first)}.{ascii_slug(last)}"),
            category=category,
            segment=(
                choices.CustomerSegment.HIGH_VALUE
                if value >= 120
                else choices.CustomerSegment.MASS_MARKET
            ),
            line_type=rng.choice(["fixed", "mobile", "both", "both"]),
            payment_type="prepaid" if rng.random() < 0.15 else "postpaid",
            language="en" if rng.random() < 0.08 else "ro",
            partner=partner,
        )
        self._set_value(customer, value, since)
        legal = self._addresses(customer, city, since, installation=True)
        self._accounts(customer, legal, private=True)
        return customer

    def company(self, *, name: str | None = None, city: City | None = None, **extra) -> Customer:
        rng = self.rng
        city = city or self.city()
        while name is None or name in self.company_names:
            # Faker's company names, without its odd legal forms, plus a trade and SRL/SA.
            base = " ".join(w for w in self.fake.company().split() if not w.isupper())
            base = base or self.fake.random_element(LAST_NAMES)
            activity = rng.choice(
                ["", "", "Construct", "Trans", "Impex", "Consulting", "Prod", "Com", "Med"]
            )
            name = " ".join(p for p in (base, activity, rng.choice(["SRL"] * 4 + ["SA"])) if p)
        self.company_names.add(name)
        value, since = self.value_and_tenure(company=True)
        fields = {
            "registration_number": self.registration(city, rng.randint(1992, 2023)),
            "vat_number": f"RO{self.cui()}" if rng.random() < 0.85 else "",
            "segment": rng.choice(["soho", "sme", "sme", "corporate"]),
            "line_type": rng.choice(["fixed", "both"]),
            "language": "en" if rng.random() < 0.15 else "ro",
        }
        fields.update(extra)
        customer = services.customer_create(
            actor=self.agent(),
            confirm_duplicates=True,
            kind=choices.CustomerKind.COMPANY,
            company_name=name,
            phone=self.landline(city) if rng.random() < 0.7 else self.mobile(),
            email=self.email(f"office.{ascii_slug(name.replace(' SRL', '').replace(' SA', ''))}"),
            **fields,
        )
        self._set_value(customer, value, since)
        return customer

    def _set_value(
        self, customer: Customer, value: Decimal, since: date, *, count: bool = True
    ) -> None:
        # Both are kept by the subscriptions app later; the demo sets them directly.
        Customer.objects.filter(pk=customer.pk).update(monthly_value=value, customer_since=since)
        customer.monthly_value, customer.customer_since = value, since
        self.created += count

    def _addresses(self, customer, city: City, since: date, *, installation: bool):
        """Legal address (some moved once since) and the installation address."""
        rng = self.rng
        line1, line2 = self.street_line(), self.flat()
        moved = rng.random() < 0.15 and (self.today - since).days > 60
        if moved:
            old_city = self.city()
            services.address_set(
                customer=customer,
                kind=choices.AddressKind.LEGAL,
                valid_from=since,
                line1=self.street_line(),
                line2=self.flat(),
                city=old_city.name,
                region=old_city.county,
                postal_code=self.postal_code(old_city),
            )
        legal = services.address_set(
            customer=customer,
            kind=choices.AddressKind.LEGAL,
            valid_from=(
                since + timedelta(days=rng.randint(30, (self.today - since).days - 1))
                if moved
                else since
            ),
            line1=line1,
            line2=line2,
            city=city.name,
            region=city.county,
            postal_code=self.postal_code(city),
        )
        if installation:
            same = rng.random() < 0.7
            services.address_set(
                customer=customer,
                kind=choices.AddressKind.INSTALLATION,
                valid_from=since,
                line1=line1 if same else self.street_line(),
                line2=line2 if same else self.flat(),
                city=city.name,
                region=city.county,
                postal_code=legal.postal_code if same else self.postal_code(city),
            )
        return legal

    def _accounts(self, customer, address, *, private: bool, parent=None, is_paying=True):
        rng = self.rng
        accounts = []
        for n in range(1 if rng.random() < 0.75 else 2):
            delivery = rng.choices(["email", "post", "both", "portal"], weights=[6, 2, 1, 1])[0]
            name = (
                customer.name
                if n == 0
                else f"{customer.name} — "
                + (
                    rng.choice(["casa de vacanță", "părinți", "mobil copii"])
                    if private
                    else rng.choice(["flotă mobilă", "punct de lucru"])
                )
            )
            accounts.append(
                services.billing_account_create(
                    customer=customer,
                    actor=None,
                    name=name[:200],
                    bill_cycle_day=rng.choice([1, 10, 20]),
                    payment_method=rng.choice(
                        ["transfer", "direct_debit", "card", "cash"]
                        if private
                        else ["transfer", "transfer", "direct_debit"]
                    ),
                    invoice_delivery=delivery,
                    billing_address=address,
                    parent=parent,
                    is_paying=is_paying,
                )
            )
            if parent is not None:
                break  # accounts inside a tree: one each
        return accounts

    def communications(self, customer) -> None:
        rng = self.rng
        for _ in range(rng.choices([0, 1, 2, 3], weights=[4, 3, 2, 1])[0]):
            channel = rng.choice(list(SUBJECTS))
            tenure_days = max(1, (self.today - customer.customer_since).days)
            when = timezone.make_aware(
                datetime.combine(
                    self.today - timedelta(days=rng.randint(0, min(tenure_days, 365))),
                    time(rng.randint(8, 19), rng.randint(0, 59)),
                )
            )
            services.communication_log(
                customer=customer,
                actor=self.agent(),
                channel=channel,
                direction="out"
                if channel == choices.Channel.LETTER and rng.random() < 0.5
                else "in",
                subject=rng.choice(SUBJECTS[channel]),
                notes=rng.choice(NOTES),
                occurred_at=when,
            )

    def credit_check(self, customer) -> None:
        rng = self.rng
        history = rng.choices(["good", "fair", "none", "poor"], weights=[5, 2, 2, 1])[0]
        income = Decimal(rng.choice([500, 900, 1200, 1600, 2400, 3200, 5000]))
        services.credit_check_run(
            customer=customer,
            declared_monthly_income=income,
            credit_history=history,
            actor=self.agent(),
        )

    # the corporate hierarchy -------------------------------------------------------
    def corporate_group(self) -> list[Customer]:
        """Head office → 2 regional branches → departments under the Cluj branch; the
        departments' accounts roll up to the head office's paying account."""
        bucharest, cluj, timisoara = CITIES[0], CITIES[1], CITIES[2]
        name = "Carpați Logistic Group SA"
        head = self.company(
            name=name,
            city=bucharest,
            vat_number=f"RO{self.cui()}",
            segment=choices.CustomerSegment.MAJOR_ACCOUNT,
            language="ro",
        )
        self._set_value(head, Decimal("4850.00"), self.since(84), count=False)
        head_address = self._addresses(head, bucharest, head.customer_since, installation=False)
        head_account = self._accounts(head, head_address, private=False)[0]
        members = [head]
        for city in (cluj, timisoara):
            branch = self.company(
                name=f"{name} — Sucursala {city.name}",
                city=city,
                parent=head,
                vat_number="",
                segment=choices.CustomerSegment.CORPORATE,
            )
            address = self._addresses(branch, city, branch.customer_since, installation=True)
            self._accounts(branch, address, private=False, parent=head_account)
            members.append(branch)
            if city is not cluj:
                continue
            for department in DEPARTMENTS:
                dept = self.company(
                    name=f"{name} — {city.name}, {department}",
                    city=city,
                    parent=branch,
                    vat_number="",
                    registration_number="",
                    segment=choices.CustomerSegment.CORPORATE,
                )
                dept_address = self._addresses(dept, city, dept.customer_since, installation=False)
                self._accounts(
                    dept, dept_address, private=False, parent=head_account, is_paying=False
                )
                members.append(dept)
        return members

    def government(self) -> Customer:
        city = CITIES[0]
        customer = self.company(
            name="Direcția Generală de Asistență Socială Sector 3",
            city=city,
            category=choices.CustomerCategory.GOVERNMENT,
            segment=choices.CustomerSegment.CORPORATE,
            registration_number="",
        )
        address = self._addresses(customer, city, customer.customer_since, installation=True)
        self._accounts(customer, address, private=False)
        return customer

    # everything --------------------------------------------------------------------
    def run(self) -> int:
        rng = self.rng
        retailer = self.partners.get(RETAILER_CODE)
        other = self.partners.get("R-002")
        everyone: list[Customer] = []
        for i in range(PERSONS):
            if retailer is not None and i % 8 == 3 and i // 8 < RETAILER_CUSTOMERS:
                partner = retailer
            elif other is not None and i % 17 == 5:
                partner = other
            else:
                partner = None
            everyone.append(self.person(partner=partner))
        for _ in range(COMPANIES):
            city = self.city()
            company = self.company(city=city)
            address = self._addresses(company, city, company.customer_since, installation=True)
            self._accounts(company, address, private=False)
            everyone.append(company)
        everyone.append(self.government())
        everyone.extend(self.corporate_group())

        for customer in everyone:
            self.communications(customer)
            if rng.random() < 0.5:
                self.credit_check(customer)
        self._attachments(everyone)
        self._statuses(everyone)
        services.customers_recompute_tiers()
        return self.created

    def _attachments(self, everyone) -> None:
        for customer, subject in zip(
            self.rng.sample(everyone, 2),
            ["Contract semnat scanat", "Copie factură contestată"],
            strict=True,
        ):
            services.communication_log(
                customer=customer,
                actor=self.agent(),
                channel=choices.Channel.EMAIL,
                direction="in",
                subject=subject,
                notes="Documentul primit de la client este atașat.",
                files=[
                    SimpleUploadedFile(
                        f"{ascii_slug(subject).replace('.', '-')}.pdf",
                        demo_pdf(f"{subject} - {customer.number}"),
                        content_type="application/pdf",
                    )
                ],
            )

    def _statuses(self, everyone) -> None:
        persons = [c for c in everyone if c.kind == choices.CustomerKind.PERSON]
        for customer in self.rng.sample(persons, 10):
            status = self.rng.choice(
                [choices.CustomerStatus.INACTIVE] * 2 + [choices.CustomerStatus.BLOCKED]
            )
            services.customer_change_status(customer=customer, status=status, actor=self.agent())


def seed_customers(*, agents, partners) -> int:
    """Create the demo customers once; returns how many customers were created (0 when
    they already exist)."""
    if Customer.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
        return 0
    with transaction.atomic():
        return _DemoCustomers(agents, partners).run()
