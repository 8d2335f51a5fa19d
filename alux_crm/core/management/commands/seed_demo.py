"""Load the demo data once: organisation, partners, one user per role, notifications.

Idempotent: running it again changes nothing that is already there. Each later
module adds its own realistic data here (through its services).
"""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from alux_crm.core import choices, services
from alux_crm.core import roles as R
from alux_crm.core.models import OrgUnit, Partner, User
from alux_crm.core.roles import ADMIN_SITE_ROLES, PARTNER_ROLES
from billing.demo import seed_billing
from billing.demo_payment_runs import seed_payment_runs
from billing.demo_vouchers import seed_vouchers
from customers.demo import seed_customers
from dunning.demo import seed_collections
from portal.demo import seed_portal
from products.demo import seed_catalogue
from subscriptions.demo import seed_subscriptions
from subscriptions.models import Subscription

from ..demo import DEMO_LOGINS, DEMO_PASSWORD

ORG_TREE = [
    # code, name, kind, parent code
    ("aluxsat", "AluxSat", "company", None),
    ("sales", "Sales", "department", "aluxsat"),
    ("customer-service", "Customer Service", "department", "aluxsat"),
    ("call-centre-bucharest", "Call Centre Bucharest", "team", "customer-service"),
    ("shop-cluj", "Shop Cluj-Napoca", "shop", "customer-service"),
    ("warehouse", "Inventory & Warehouse", "department", "aluxsat"),
    ("finance", "Billing & Finance", "department", "aluxsat"),
    ("marketing", "Marketing", "department", "aluxsat"),
    ("tech-support", "Technical Support & Repairs", "department", "aluxsat"),
    ("back-office", "Back Office", "department", "aluxsat"),
    ("it", "System Administration", "department", "aluxsat"),
]

PARTNERS = [
    # code, name, kind, status, e-mail, phone, address
    (
        "R-001",
        "TeleShop Bucuresti SRL",
        "retailer",
        "active",
        "office@teleshop.example",
        "+40212345678",
        "Bd. Unirii 12, Bucuresti",
    ),
    (
        "R-002",
        "Digital Home Cluj SRL",
        "retailer",
        "active",
        "sales@digitalhome.example",
        "+40264123456",
        "Str. Memorandumului 5, Cluj-Napoca",
    ),
    (
        "R-003",
        "Sat&Net Iasi SRL",
        "retailer",
        "suspended",
        "contact@satnet.example",
        "+40232111222",
        "Str. Palat 3, Iasi",
    ),
    (
        "I-001",
        "FastFit Installations SRL",
        "installer",
        "active",
        "jobs@fastfit.example",
        "+40722000111",
        "Str. Fabricii 20, Bucuresti",
    ),
    (
        "I-002",
        "AntennaPro Timisoara SRL",
        "installer",
        "active",
        "dispatch@antennapro.example",
        "+40256333444",
        "Calea Aradului 40, Timisoara",
    ),
]


class Command(BaseCommand):
    help = "Load the AluxSat demo data (safe to run more than once)."

    @transaction.atomic
    def handle(self, *args, **options):
        units = self._org_units()
        partners = self._partners(units)
        created = self._users(units, partners)
        agents = list(
            User.objects.filter(
                groups__name__in=[R.SALES, R.CUSTOMER_SERVICE], partner__isnull=True
            ).order_by("username")
        )
        customers = seed_customers(agents=agents, partners=partners)
        products = seed_catalogue()
        subscriptions = seed_subscriptions()  # needs the customers and the catalogue
        invoices = seed_billing()  # needs the subscriptions
        seed_payment_runs()  # direct debit of the posted invoices
        # Prints a few unused codes to try; sells a prepaid subscription to redeem on.
        before = Subscription.objects.count()
        seed_vouchers(stdout=self.stdout)
        subscriptions += Subscription.objects.count() - before
        seed_collections(stdout=self.stdout)  # overdue accounts of the posted invoices
        before = Subscription.objects.count()
        seed_portal()  # the demo subscriber's self-care login (sells a prepaid service)
        subscriptions += Subscription.objects.count() - before
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} new users, {customers} new customers, "
                f"{products} new products, {subscriptions} new subscriptions, "
                f"{invoices} new invoices)."
            )
        )

    def _org_units(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        for code, name, kind, parent in ORG_TREE:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                unit = services.org_unit_create(
                    actor=None, name=name, code=code, kind=kind, parent=units.get(parent)
                )
            units[code] = unit
        return units

    def _partners(self, units) -> dict[str, Partner]:
        partners: dict[str, Partner] = {}
        for code, name, kind, status, email, phone, address in PARTNERS:
            partner = Partner.objects.filter(code=code).first()
            if partner is None:
                partner = services.partner_create(
                    actor=None,
                    code=code,
                    name=name,
                    kind=kind,
                    email=email,
                    phone=phone,
                    address=address,
                    org_unit=units["sales"],
                )
                if status != choices.PartnerStatus.ACTIVE:
                    services.partner_change_status(
                        partner=partner,
                        status=status,
                        reason="Unpaid commission dispute",
                        actor=None,
                    )
            partners[code] = partner
        return partners

    def _users(self, units, partners) -> int:
        created = 0
        for login in DEMO_LOGINS:
            user = User.objects.filter(username=login.username).first()
            if user is not None:
                continue
            user = User(
                username=login.username,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@aluxsat.example",
                org_unit=units.get(login.unit) if login.unit else None,
                partner=partners.get(login.partner) if login.partner else None,
                is_staff=login.role in ADMIN_SITE_ROLES,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=login.role))
            created += 1
            services.notification_send(
                recipient=user,
                title=f"Welcome to AluxSat CRM, {login.first_name}",
                body="This is the demo. Your menu shows what your role can do.",
            )
            if login.role not in PARTNER_ROLES:
                services.notification_send(
                    recipient=user,
                    title="Partner Sat&Net Iasi is suspended",
                    body="Its retailers cannot log in until it is reactivated.",
                    url=partners["R-003"].get_absolute_url(),
                    level="warning",
                )
        return created
