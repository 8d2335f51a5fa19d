"""The access matrix: every URL name, declared once, with who may open it.

``AccessMatrixMiddleware`` (pages) and ``AccessMatrixPermission`` (API) enforce it:
an anonymous visitor is sent to the login page (the API answers 403 with JSON), a
logged-in user without one of the roles gets 403 and the refusal is logged. A URL
name with no entry is refused too, and ``tests/core/test_access_matrix.py`` fails
for it. Which *object* a partner or subscriber may see is decided by selectors
(another's object is a 404), not here.

Every issue that adds URLs adds their names here. ``"namespace:*"`` covers every
URL of a namespace (used for the Django admin, which checks model permissions too).
"""

from dataclasses import dataclass

from . import roles as R


@dataclass(frozen=True)
class Rule:
    """Who may open a URL: anyone, any logged-in user, or users with one of ``roles``."""

    roles: frozenset[str] = frozenset()
    public: bool = False
    authenticated: bool = False

    def allows(self, user) -> bool:
        """True when ``user`` (possibly anonymous) may open the URL."""
        if self.public:
            return True
        if not user.is_authenticated or not user.is_active:
            return False
        if self.authenticated or user.is_superuser:
            return True
        return bool(self.roles & user.role_names)


PUBLIC = Rule(public=True)
AUTHENTICATED = Rule(authenticated=True)


def roles(*names: str | frozenset[str]) -> Rule:
    """A rule for users holding any of the given roles (names or sets of names)."""
    flat: set[str] = set()
    for name in names:
        flat |= {name} if isinstance(name, str) else set(name)
    unknown = flat - R.ALL_ROLES
    if unknown:
        raise ValueError(f"Unknown roles in access matrix: {sorted(unknown)}")
    return Rule(roles=frozenset(flat))


STAFF = roles(R.STAFF_ROLES)
STAFF_AND_PARTNERS = roles(R.STAFF_ROLES, R.PARTNER_ROLES)
ADMINS = roles(R.SYSTEM_ADMINISTRATOR)
OPERATIONS = roles(R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR)

CUSTOMER_VIEWERS = roles(R.STAFF_ROLES, R.RETAILER)
CUSTOMER_EDITORS = roles(R.SALES, R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER)
ACCOUNT_EDITORS = roles(R.SALES, R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER, R.BILLING_FINANCE)
CUSTOMER_STATUS_EDITORS = roles(R.CUSTOMER_SERVICE, R.BACK_OFFICE)

CATALOGUE_VIEWERS = STAFF_AND_PARTNERS
PRICE_EDITORS = roles(R.SALES, R.BACK_OFFICE)
PROMOTION_EDITORS = roles(R.MARKETING)
OFFER_SIMULATOR_USERS = roles(R.SALES, R.MARKETING, R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER)

ACCESS_MATRIX: dict[str, Rule] = {
    # --- authentication and the shell -------------------------------------------
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "password_change": AUTHENTICATED,
    "password_change_done": AUTHENTICATED,
    "two_factor_verify": AUTHENTICATED,
    "two_factor_setup": AUTHENTICATED,
    "set_language": PUBLIC,
    "healthz": PUBLIC,
    "dashboard": STAFF_AND_PARTNERS,
    # --- core: notifications, profile --------------------------------------------
    "core:notification_list": AUTHENTICATED,
    "core:notification_bell": AUTHENTICATED,
    "core:notification_read": AUTHENTICATED,
    "core:notification_read_all": AUTHENTICATED,
    "core:profile": AUTHENTICATED,
    # --- core: business network ----------------------------------------------------
    "core:partner_list": STAFF,
    "core:partner_create": ADMINS,
    "core:partner_detail": STAFF_AND_PARTNERS,
    "core:partner_tab": STAFF_AND_PARTNERS,
    "core:partner_edit": ADMINS,
    "core:partner_status": ADMINS,
    "core:orgunit_list": STAFF,
    "core:orgunit_detail": STAFF,
    "core:orgunit_tab": STAFF,
    # --- core: operations ----------------------------------------------------------
    "core:outbox_list": OPERATIONS,
    "core:outbox_retry": OPERATIONS,
    "core:operator_settings": ADMINS,
    # --- customers (objects scoped by customers.selectors) --------------------------------
    "customers:search": CUSTOMER_VIEWERS,
    "customers:customer_list": CUSTOMER_VIEWERS,
    "customers:customer_base_report": roles(
        R.SALES, R.MARKETING, R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR
    ),
    "customers:customer_create": CUSTOMER_EDITORS,
    "customers:customer_detail": CUSTOMER_VIEWERS,
    "customers:customer_tab": CUSTOMER_VIEWERS,
    "customers:customer_edit": CUSTOMER_EDITORS,
    "customers:customer_status": CUSTOMER_STATUS_EDITORS,
    "customers:customer_move": CUSTOMER_EDITORS,
    "customers:customer_credit_check": CUSTOMER_EDITORS,
    "customers:address_create": CUSTOMER_EDITORS,
    "customers:communication_create": CUSTOMER_VIEWERS,
    "customers:attachment_download": CUSTOMER_VIEWERS,
    "customers:billing_account_create": ACCOUNT_EDITORS,
    "customers:billing_account_detail": CUSTOMER_VIEWERS,
    "customers:billing_account_tab": CUSTOMER_VIEWERS,
    "customers:billing_account_edit": ACCOUNT_EDITORS,
    "customers:billing_account_move": ACCOUNT_EDITORS,
    # --- products: catalogue pages ---------------------------------------------------
    # --- API -----------------------------------------------------------------------
    "api-schema": STAFF,
    "api-docs": STAFF,
    "api:partner-list": STAFF_AND_PARTNERS,
    "api:partner-detail": STAFF_AND_PARTNERS,
    "api:customer-list": CUSTOMER_VIEWERS,  # POST: creating needs CUSTOMER_EDITORS (api.py)
    "api:customer-detail": CUSTOMER_VIEWERS,
    "api:customer-communications": CUSTOMER_VIEWERS,
    "api:billing-account-list": CUSTOMER_VIEWERS,
    "api:billing-account-detail": CUSTOMER_VIEWERS,
    # --- products: catalogue API -----------------------------------------------------
    # --- Django admin (checks model permissions on top) -----------------------------
    "admin:*": roles(R.ADMIN_SITE_ROLES),
}


def rule_for(view_name: str) -> Rule | None:
    """The rule for a resolved view name (``namespace:name``), or None if undeclared."""
    rule = ACCESS_MATRIX.get(view_name)
    if rule is None and ":" in view_name:
        rule = ACCESS_MATRIX.get(view_name.rsplit(":", 1)[0] + ":*")
    return rule
