"""Roles (Django groups) and the model permissions each one holds.

The groups are created by migration ``core.0002_roles``; the permissions below are
(re)applied after every ``migrate`` by ``sync_role_permissions``, so an issue that
adds models adds its codenames here and the next migrate grants them.
"""

from django.contrib.auth.models import Group, Permission

SALES = "Sales"
CUSTOMER_SERVICE = "Customer Service"
INVENTORY = "Inventory"
BILLING_FINANCE = "Billing & Finance"
MARKETING = "Marketing"
TECHNICAL_SUPPORT = "Technical Support"
BACK_OFFICE = "Back Office"
SYSTEM_ADMINISTRATOR = "System Administrator"
RETAILER = "Retailer"
INSTALLER = "Installer"
SUBSCRIBER = "Subscriber"

STAFF_ROLES = frozenset(
    {
        SALES,
        CUSTOMER_SERVICE,
        INVENTORY,
        BILLING_FINANCE,
        MARKETING,
        TECHNICAL_SUPPORT,
        BACK_OFFICE,
        SYSTEM_ADMINISTRATOR,
    }
)
PARTNER_ROLES = frozenset({RETAILER, INSTALLER})
PORTAL_ROLES = frozenset({SUBSCRIBER})
ALL_ROLES = STAFF_ROLES | PARTNER_ROLES | PORTAL_ROLES

_PARTNER_READ = ["core.view_partner", "core.view_orgunit"]
# The configurable rules of the credit check and of the tiers (edited in the admin).
_CUSTOMER_RULES = [
    f"customers.{action}_{model}"
    for model in ("creditclassrule", "tierrule")
    for action in ("view", "add", "change")
]
_CUSTOMER_READ = [
    f"customers.view_{model}"
    for model in ("customer", "address", "billingaccount", "communication", "creditcheck")
]

# The catalogue (PRD-1..6): Sales keeps products and prices, Marketing promotions,
# rewards and offers; everyone else reads.
_CATALOGUE_MODELS_SALES = (
    "product",
    "priceplan",
    "planprice",
    "tvchannel",
    "bundlecomponent",
    "productrule",
    "taxclass",
    "taxrate",
)
_CATALOGUE_MODELS_MARKETING = (
    "promotion",
    "eligibilityrule",
    "maturityreward",
    "standardoffer",
    "competitoroffer",
)
_CATALOGUE_READ = [
    f"products.view_{model}" for model in (*_CATALOGUE_MODELS_SALES, *_CATALOGUE_MODELS_MARKETING)
]
_CATALOGUE_SALES = [
    f"products.{action}_{model}"
    for model in _CATALOGUE_MODELS_SALES
    for action in ("add", "change")
]
_CATALOGUE_MARKETING = [
    f"products.{action}_{model}"
    for model in _CATALOGUE_MODELS_MARKETING
    for action in ("add", "change", "delete")
    if not (model == "promotion" and action == "delete")
]

# Subscriptions: staff look them up; resting rules are configured by Sales and
# Back Office. Every change of a subscription itself goes through its services.
_SUBSCRIPTION_READ = [
    f"subscriptions.view_{model}"
    for model in (
        "subscription",
        "subscriptionitem",
        "device",
        "subscriptionevent",
        "restingpolicy",
    )
]
_RESTING_RULES = ["subscriptions.add_restingpolicy", "subscriptions.change_restingpolicy"]
# Contract clauses and credit limits: Back Office keeps them.
_CONTRACT_RULES = [
    f"subscriptions.{action}_{model}"
    for model in ("contractclause", "creditlimit")
    for action in ("view", "add", "change")
] + ["subscriptions.view_prepaidentry"]

# Billing: finance and back office look up runs, invoices and the ledger.
# Collections (dunning app): Back Office edits the plans, steps and blocking rules in
# the admin too; Billing & Finance reads.
_COLLECTIONS_READ = [
    f"dunning.view_{model}"
    for model in (
        "dunningplan",
        "dunningstep",
        "dunningprocess",
        "dunningactionrecord",
        "dunningrun",
        "promisetopay",
        "paymentplan",
        "servicerun",
        "deposit",
        "blockingrule",
        "accountblock",
    )
]
_COLLECTIONS_RULES = [
    f"dunning.{verb}_{model}"
    for model in ("dunningplan", "dunningstep", "blockingrule", "accountcollectionsettings")
    for verb in ("add", "change")
]
_BILLING_READ = [
    f"billing.view_{model}"
    for model in (
        "billingrun",
        "invoice",
        "invoiceline",
        "ledgerentry",
        "invoiceseries",
        "payment",
        "paymentallocation",
        "manualtransaction",
        "directdebitmandate",
        "paymentrun",
        "paymentrunitem",
        "voucherbatch",
        "voucher",
    )
]

# role -> permission codenames ("app_label.codename").
ROLE_PERMISSIONS: dict[str, list[str]] = {
    SALES: [
        *_PARTNER_READ,
        *_CATALOGUE_READ,
        *_CATALOGUE_SALES,
        "products.delete_productrule",
        *_SUBSCRIPTION_READ,
        *_RESTING_RULES,
    ],
    CUSTOMER_SERVICE: [*_PARTNER_READ, *_CATALOGUE_READ],
    INVENTORY: [*_PARTNER_READ, *_CATALOGUE_READ],
    BILLING_FINANCE: [
        *_PARTNER_READ,
        *_CATALOGUE_READ,
        *_SUBSCRIPTION_READ,
        *_BILLING_READ,
        *_COLLECTIONS_READ,
    ],
    MARKETING: [*_PARTNER_READ, *_CATALOGUE_READ, *_CATALOGUE_MARKETING],
    TECHNICAL_SUPPORT: [*_PARTNER_READ, *_CATALOGUE_READ],
    BACK_OFFICE: [
        *_PARTNER_READ,
        *_CATALOGUE_READ,
        *_SUBSCRIPTION_READ,
        *_RESTING_RULES,
        *_CONTRACT_RULES,
        *_BILLING_READ,
        *_COLLECTIONS_READ,
        *_COLLECTIONS_RULES,
        *_CUSTOMER_READ,
        *_CUSTOMER_RULES,
        "core.view_outboxmessage",
        "core.change_outboxmessage",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.add_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.add_crontabschedule",
        "django_celery_beat.view_intervalschedule",
        "django_celery_beat.add_intervalschedule",
    ],
    SYSTEM_ADMINISTRATOR: [
        *_CUSTOMER_READ,
        *_CATALOGUE_READ,
        *_SUBSCRIPTION_READ,
        *_CUSTOMER_RULES,
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "core.view_orgunit",
        "core.add_orgunit",
        "core.change_orgunit",
        "core.view_partner",
        "core.add_partner",
        "core.change_partner",
        "core.view_operatorsettings",
        "core.change_operatorsettings",
        "core.view_outboxmessage",
        "core.change_outboxmessage",
        "auth.view_group",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
    ],
    RETAILER: [],
    INSTALLER: [],
    SUBSCRIBER: [],
}

# Roles whose users work in the Django admin for configuration (is_staff): Sales and
# Marketing configure the catalogue there (their permissions stop at it).
ADMIN_SITE_ROLES = frozenset({SYSTEM_ADMINISTRATOR, BACK_OFFICE, SALES, MARKETING})


def sync_role_permissions() -> None:
    """Create missing role groups and give each exactly its listed permissions.

    Codenames whose model does not exist (yet) are skipped, so this is safe to run
    after every migrate, whatever apps are installed.
    """
    wanted = {code for codes in ROLE_PERMISSIONS.values() for code in codes}
    by_code = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
        if f"{app_label}.{codename}" in wanted
    }
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([by_code[c] for c in codes if c in by_code])
