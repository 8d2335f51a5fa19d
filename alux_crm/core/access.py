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
SUBSCRIPTION_VIEWERS = CUSTOMER_VIEWERS
SUBSCRIPTION_SELLERS = roles(R.SALES, R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER)
SUBSCRIPTION_OPERATORS = roles(R.CUSTOMER_SERVICE, R.BACK_OFFICE)
COLLECTIONS_OPERATORS = roles(R.BILLING_FINANCE, R.BACK_OFFICE)
OFFER_SIMULATOR_USERS = roles(R.SALES, R.MARKETING, R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER)
BILLING_RUN_VIEWERS = roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR)
BILLING_RUN_OPERATORS = roles(R.BACK_OFFICE)  # schedule, start, resume a run
BILLING_RUN_APPROVERS = roles(R.BILLING_FINANCE)  # approve, discard a run
INVOICE_VIEWERS = CUSTOMER_VIEWERS  # partners: their customers' (billing.selectors)
VOUCHER_VIEWERS = roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR)
VOUCHER_ISSUERS = roles(R.BILLING_FINANCE)  # generate (CSV of codes), void a batch
PAYMENT_VIEWERS = INVOICE_VIEWERS  # payments and credit notes; partners: their customers'
PAYMENT_RECORDERS = roles(R.BILLING_FINANCE, R.CUSTOMER_SERVICE, R.BACK_OFFICE)
PAYMENT_REVERSERS = roles(R.BILLING_FINANCE)
CREDIT_NOTE_EDITORS = roles(R.BILLING_FINANCE)  # request, approve (not one's own), reject
VOUCHER_REDEEMERS = roles(R.SALES, R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER)

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
    "products:product_list": CATALOGUE_VIEWERS,
    "products:product_detail": CATALOGUE_VIEWERS,
    "products:product_tab": CATALOGUE_VIEWERS,
    "products:product_create": PRICE_EDITORS,
    "products:product_edit": PRICE_EDITORS,
    "products:price_create": PRICE_EDITORS,
    "products:promotion_list": CATALOGUE_VIEWERS,  # partners see no drafts (selectors)
    "products:promotion_detail": CATALOGUE_VIEWERS,
    "products:promotion_tab": CATALOGUE_VIEWERS,
    "products:promotion_create": PROMOTION_EDITORS,
    "products:promotion_edit": PROMOTION_EDITORS,
    "products:promotion_status": PROMOTION_EDITORS,
    "products:offer_simulator": OFFER_SIMULATOR_USERS,
    "products:competitor_offer_list": OFFER_SIMULATOR_USERS,
    "products:competitor_offer_detail": OFFER_SIMULATOR_USERS,
    "products:competitor_offer_tab": OFFER_SIMULATOR_USERS,
    "products:competitor_offer_document": OFFER_SIMULATOR_USERS,
    "products:competitor_offer_create": PROMOTION_EDITORS,
    "products:competitor_offer_edit": PROMOTION_EDITORS,
    "products:standard_offer_list": OFFER_SIMULATOR_USERS,
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
    # --- subscriptions: pages ---------------------------------------------------------
    "subscriptions:subscription_list": SUBSCRIPTION_VIEWERS,  # partners: their customers'
    "subscriptions:subscription_detail": SUBSCRIPTION_VIEWERS,
    "subscriptions:subscription_tab": SUBSCRIPTION_VIEWERS,
    "subscriptions:subscription_create": SUBSCRIPTION_SELLERS,
    "subscriptions:subscription_create_step": SUBSCRIPTION_SELLERS,
    "subscriptions:subscription_change": SUBSCRIPTION_SELLERS,
    "subscriptions:change_order_cancel": SUBSCRIPTION_SELLERS,
    "subscriptions:resting_create": SUBSCRIPTION_SELLERS,
    "subscriptions:resting_end": SUBSCRIPTION_SELLERS,
    "subscriptions:subscription_activate": SUBSCRIPTION_OPERATORS,
    "subscriptions:subscription_terminate": SUBSCRIPTION_OPERATORS,
    "subscriptions:subscription_regret": SUBSCRIPTION_OPERATORS,
    "subscriptions:subscription_suspend": COLLECTIONS_OPERATORS,
    "subscriptions:subscription_disconnect": COLLECTIONS_OPERATORS,
    "subscriptions:subscription_reconnect": roles(COLLECTIONS_OPERATORS.roles, R.CUSTOMER_SERVICE),
    "subscriptions:document_pdf": SUBSCRIPTION_VIEWERS,
    "subscriptions:document_signed": SUBSCRIPTION_VIEWERS,
    "subscriptions:document_create": SUBSCRIPTION_SELLERS,
    "subscriptions:document_email": SUBSCRIPTION_SELLERS,
    "subscriptions:document_upload": SUBSCRIPTION_SELLERS,
    "subscriptions:cancellation_queue": roles(R.BACK_OFFICE),
    "subscriptions:cancellation_approve": roles(R.BACK_OFFICE),
    "subscriptions:cancellation_reject": roles(R.BACK_OFFICE),
    "subscriptions:provisioning_list": OPERATIONS,
    # --- billing: pages ----------------------------------------------------------------
    "billing:run_list": BILLING_RUN_VIEWERS,
    "billing:run_create": BILLING_RUN_OPERATORS,
    "billing:run_detail": BILLING_RUN_VIEWERS,
    "billing:run_progress": BILLING_RUN_VIEWERS,
    # each action checks its own rule (start/resume: operators; approve/discard: approvers)
    "billing:run_action": roles(BILLING_RUN_OPERATORS.roles, BILLING_RUN_APPROVERS.roles),
    "billing:invoice_list": INVOICE_VIEWERS,
    "billing:invoice_detail": INVOICE_VIEWERS,
    "billing:invoice_pdf": INVOICE_VIEWERS,  # partners: their customers' (billing.selectors)
    # --- billing: payments, ledger, manual transactions (pages) --------------------------
    # Payments: staff who deal with customers' money and retailers (shops take cash and
    # cards) see them, retailers only their customers' (billing.selectors: another
    # partner's payment is a 404); agents record them; only finance reverses one.
    "billing:payment_list": roles(
        R.SALES,
        R.CUSTOMER_SERVICE,
        R.BACK_OFFICE,
        R.BILLING_FINANCE,
        R.SYSTEM_ADMINISTRATOR,
        R.RETAILER,
    ),
    "billing:payment_detail": roles(
        R.SALES,
        R.CUSTOMER_SERVICE,
        R.BACK_OFFICE,
        R.BILLING_FINANCE,
        R.SYSTEM_ADMINISTRATOR,
        R.RETAILER,
    ),
    "billing:payment_create": roles(
        R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.BILLING_FINANCE, R.RETAILER
    ),
    "billing:payment_reverse": roles(R.BILLING_FINANCE),
    # Manual transactions (BIL-4): finance requests and approves (a second person),
    # back office and administrators look them up.
    "billing:transaction_list": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR),
    "billing:transaction_detail": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR),
    "billing:transaction_create": roles(R.BILLING_FINANCE),
    "billing:transaction_approve": roles(R.BILLING_FINANCE),
    "billing:transaction_reject": roles(R.BILLING_FINANCE),
    # Bill disputes: the agent the customer calls flags the invoice; finance resolves.
    "billing:invoice_dispute": roles(R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.BILLING_FINANCE),
    "billing:invoice_dispute_resolve": roles(R.BILLING_FINANCE),
    # --- billing: payment runs and mandates (pages) --------------------------------------
    # Billing & Finance runs them; Back Office looks (and registers signed mandates).
    "billing:payment_run_list": roles(R.BILLING_FINANCE, R.BACK_OFFICE),
    "billing:payment_run_detail": roles(R.BILLING_FINANCE, R.BACK_OFFICE),
    "billing:payment_run_file": roles(R.BILLING_FINANCE, R.BACK_OFFICE),
    "billing:payment_run_create": roles(R.BILLING_FINANCE),
    "billing:payment_run_exclude": roles(R.BILLING_FINANCE),
    "billing:payment_run_rejections": roles(R.BILLING_FINANCE),
    "billing:payment_run_action": roles(R.BILLING_FINANCE),  # export, close, discard
    "billing:mandate_create": roles(R.BILLING_FINANCE, R.BACK_OFFICE),
    "billing:mandate_revoke": roles(R.BILLING_FINANCE, R.BACK_OFFICE),
    # --- billing: vouchers (pages) --------------------------------------------------------
    "billing:voucher_batch_list": VOUCHER_VIEWERS,
    "billing:voucher_batch_detail": VOUCHER_VIEWERS,
    "billing:voucher_batch_create": VOUCHER_ISSUERS,
    "billing:voucher_batch_void": VOUCHER_ISSUERS,
    "billing:voucher_redeem": VOUCHER_REDEEMERS,
    # --- billing: GL export and reports (pages) -------------------------------------------
    "billing:gl_journal": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR),
    "billing:report_ageing": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR),
    "billing:report_runs": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR),
    # revenue by product: also Sales and Marketing (what sells), as the customer base report
    "billing:report_revenue": roles(
        R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR, R.SALES, R.MARKETING
    ),
    # --- billing: API ------------------------------------------------------------------------
    "api:invoice-list": INVOICE_VIEWERS,  # partners: their customers' (billing.api)
    "api:invoice-detail": INVOICE_VIEWERS,
    "api:invoice-pdf": INVOICE_VIEWERS,
    "api:payment-list": PAYMENT_VIEWERS,  # POST: needs PAYMENT_RECORDERS (billing/api.py)
    "api:payment-detail": PAYMENT_VIEWERS,
    "api:payment-reverse": PAYMENT_REVERSERS,
    "api:billing-run-list": BILLING_RUN_VIEWERS,  # POST: needs BILLING_RUN_OPERATORS
    "api:billing-run-detail": BILLING_RUN_VIEWERS,
    "api:billing-run-start": BILLING_RUN_OPERATORS,
    "api:billing-run-resume": BILLING_RUN_OPERATORS,
    "api:billing-run-approve": BILLING_RUN_APPROVERS,
    "api:billing-run-discard": BILLING_RUN_APPROVERS,
    "api:credit-note-list": PAYMENT_VIEWERS,  # POST: needs CREDIT_NOTE_EDITORS
    "api:credit-note-detail": PAYMENT_VIEWERS,
    "api:credit-note-approve": CREDIT_NOTE_EDITORS,
    "api:credit-note-reject": CREDIT_NOTE_EDITORS,
    "api:voucher-redeem": VOUCHER_REDEEMERS,  # throttled per user ("voucher-redeem")
    # --- products: catalogue API -----------------------------------------------------
    "api:product-list": CATALOGUE_VIEWERS,  # POST: needs PRICE_EDITORS (products/api.py)
    "api:product-detail": CATALOGUE_VIEWERS,  # PUT/PATCH: needs PRICE_EDITORS
    "api:price-plan-list": CATALOGUE_VIEWERS,
    "api:price-plan-detail": CATALOGUE_VIEWERS,
    "api:price-plan-prices": PRICE_EDITORS,
    "api:promotion-list": CATALOGUE_VIEWERS,  # partners see no drafts (selectors)
    "api:promotion-detail": CATALOGUE_VIEWERS,
    "api:promotion-approve": PROMOTION_EDITORS,
    "api:quote-price": OFFER_SIMULATOR_USERS,
    # --- subscriptions: API -----------------------------------------------------------
    "api:subscription-list": SUBSCRIPTION_VIEWERS,  # POST: needs SUBSCRIPTION_SELLERS (api.py)
    "api:subscription-detail": SUBSCRIPTION_VIEWERS,  # partners: their customers' (selectors)
    "api:subscription-change": SUBSCRIPTION_SELLERS,
    "api:subscription-rest": SUBSCRIPTION_SELLERS,
    "api:subscription-resume": SUBSCRIPTION_SELLERS,
    "api:subscription-suspend": COLLECTIONS_OPERATORS,
    "api:subscription-reconnect": COLLECTIONS_OPERATORS,
    "api:subscription-terminate": SUBSCRIPTION_OPERATORS,  # approve: true needs Back Office
    "api:subscription-activate": SUBSCRIPTION_OPERATORS,
    # --- dunning: plans, daily runs, the account's dunning (engine) --------------------
    # Back Office edits plans, runs the day's dunning, prints letters and sets an
    # account's plan or "never disconnect"; Billing & Finance and Customer Service read.
    **{
        f"dunning:{name}": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.CUSTOMER_SERVICE)
        for name in (
            "plan_list",
            "plan_detail",
            "step_preview",
            "dunning_run_list",
            "dunning_run_detail",
            "dunning_run_progress",
            "account_list",
            "agency_export",
            "letter_list",
            "letter_pdf",
        )
    },
    **{
        f"dunning:{name}": roles(R.BACK_OFFICE)
        for name in (
            "plan_create",
            "plan_edit",
            "step_create",
            "step_edit",
            "step_delete",
            "step_move",
            "dunning_run_start",
            "letter_print",
            "account_settings",
        )
    },
    "api:dunning-account-list": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.CUSTOMER_SERVICE),
    "api:dunning-account-detail": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.CUSTOMER_SERVICE),
    # --- dunning: disconnection and reconnection runs, save desk (runs) ----------------
    # Back Office sets up, previews, executes and cancels the runs; Billing & Finance
    # and System Administrators read them. The save desk's agents (Customer Service)
    # and Back Office record the calls; Billing & Finance reads the call list.
    **{
        f"dunning:{name}": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR)
        for name in (
            "service_run_list",
            "service_run_detail",
            "service_run_progress",
            "service_run_totals",
            "service_run_csv",
        )
    },
    **{
        f"dunning:{name}": roles(R.BACK_OFFICE)
        for name in (
            "service_run_create",
            "service_run_preview",
            "service_run_execute",
            "service_run_cancel",
            "service_run_item_exclude",
            "service_run_item_include",
        )
    },
    "dunning:save_desk_list": roles(R.BILLING_FINANCE, R.BACK_OFFICE, R.CUSTOMER_SERVICE),
    "dunning:save_desk_resolve": roles(R.BACK_OFFICE, R.CUSTOMER_SERVICE),
    **{
        f"api:disconnection-run-{name}": roles(
            R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR
        )
        for name in ("list", "detail", "items")
    },
    **{
        f"api:disconnection-run-{name}": roles(R.BACK_OFFICE)
        for name in ("preview", "execute", "cancel", "item-exclude", "item-include")
    },
    # --- dunning: promises, payment plans, deposits, blocking, run centre (holds) ------
    # Agents record promises and plans on the phone; Billing & Finance and Back Office
    # too. Only Billing & Finance approve a promise for reconnection (not their own).
    # Deposits: Back Office asks them (fraud review); finance and back office record
    # their payment; finance refunds them.
    **{
        f"dunning:{name}": roles(R.CUSTOMER_SERVICE, COLLECTIONS_OPERATORS.roles)
        for name in (
            "promise_list",
            "promise_create",
            "promise_detail",
            "promise_cancel",
            "payment_plan_list",
            "payment_plan_create",
            "payment_plan_detail",
            "payment_plan_cancel",
        )
    },
    "dunning:promise_approve": roles(R.BILLING_FINANCE),
    "dunning:deposit_list": COLLECTIONS_OPERATORS,
    "dunning:deposit_detail": COLLECTIONS_OPERATORS,
    "dunning:deposit_create": roles(R.BACK_OFFICE),
    "dunning:deposit_pay": COLLECTIONS_OPERATORS,
    "dunning:deposit_refund": roles(R.BILLING_FINANCE),
    "api:promise-to-pay-list": roles(R.CUSTOMER_SERVICE, COLLECTIONS_OPERATORS.roles),
    "api:promise-to-pay-detail": roles(R.CUSTOMER_SERVICE, COLLECTIONS_OPERATORS.roles),
    "api:promise-to-pay-cancel": roles(R.CUSTOMER_SERVICE, COLLECTIONS_OPERATORS.roles),
    "api:promise-to-pay-approve": roles(R.BILLING_FINANCE),
    # centre: Back Office keeps the blocking rules (finance reads them); the run centre
    # is Back Office's, read by System Administrator and Billing & Finance too.
    "dunning:blocking_rule_list": COLLECTIONS_OPERATORS,
    "dunning:blocking_rule_detail": COLLECTIONS_OPERATORS,
    "dunning:account_block_list": COLLECTIONS_OPERATORS,
    "dunning:blocking_rule_create": roles(R.BACK_OFFICE),
    "dunning:blocking_rule_edit": roles(R.BACK_OFFICE),
    "dunning:blocking_rule_deactivate": roles(R.BACK_OFFICE),
    "dunning:blocking_evaluate": roles(R.BACK_OFFICE),
    "dunning:run_centre": roles(R.BACK_OFFICE, R.BILLING_FINANCE, R.SYSTEM_ADMINISTRATOR),
    "dunning:schedule_edit": roles(R.BACK_OFFICE),
    # --- cases: the agents' case page (objects scoped by cases.selectors) -----------------
    "cases:case_detail": roles(R.CUSTOMER_SERVICE, R.SALES, R.BACK_OFFICE),  # POST: answer
    "cases:case_attachment": roles(R.CUSTOMER_SERVICE, R.SALES, R.BACK_OFFICE),
    # --- portal: the subscriber self-care portal (objects scoped by portal.selectors) ---
    "portal:home": PUBLIC,  # redirects to the login or the dashboard
    "portal:login": PUBLIC,
    "portal:logout": AUTHENTICATED,
    "portal:activate": PUBLIC,  # the one-time link of the invitation
    "portal:dashboard": roles(R.SUBSCRIBER),
    "portal:invoice_list": roles(R.SUBSCRIBER),
    "portal:invoice_detail": roles(R.SUBSCRIBER),  # another customer's: 404
    "portal:invoice_pdf": roles(R.SUBSCRIBER),  # another customer's: 404
    "portal:invite": roles(R.SALES, R.CUSTOMER_SERVICE, R.BACK_OFFICE),
    # --- portal payments: card payments, voucher top-up ---
    "portal:pay": roles(R.SUBSCRIBER),  # ?invoice= / ?account= of another customer: 404
    "portal:payment_detail": roles(R.SUBSCRIBER),  # a card payment; another customer's: 404
    "portal:payment_retry": roles(R.SUBSCRIBER),  # POST; another customer's: 404
    "portal:top_up": roles(R.SUBSCRIBER),  # another customer's subscription: form error
    # --- portal services: subscriptions, resting, add-ons, pay-per-view ---
    "portal:services": roles(R.SUBSCRIBER),  # the subscriber's own subscriptions
    "portal:service_detail": roles(R.SUBSCRIBER),  # another customer's subscription: 404
    "portal:service_rest": roles(R.SUBSCRIBER),  # POST: book; another customer's: 404
    "portal:service_rest_end": roles(R.SUBSCRIBER),  # POST; another's period: 404
    "portal:service_addons": roles(R.SUBSCRIBER),  # POST: order; another customer's: 404
    "portal:service_ppv": roles(R.SUBSCRIBER),  # POST: buy; another customer's: 404
    # --- portal requests: information requests (cases) ---
    "portal:request_list": roles(R.SUBSCRIBER),
    "portal:request_create": roles(R.SUBSCRIBER),
    "portal:request_detail": roles(R.SUBSCRIBER),  # POST: reply; another customer's: 404
    "portal:request_attachment": roles(R.SUBSCRIBER),  # another customer's: 404
    # --- portal profile: contact details, preferences, language, password ---
    "portal:profile": roles(R.SUBSCRIBER),  # always the subscriber's own customer
    "portal:profile_contact": roles(R.SUBSCRIBER),  # the password again to change
    "portal:profile_preferences": roles(R.SUBSCRIBER),
    "portal:profile_language": roles(R.SUBSCRIBER),  # POST
    "portal:password_change": roles(R.SUBSCRIBER),
    "portal:password_reset": PUBLIC,  # same answer whether or not the login exists
    "portal:password_reset_sent": PUBLIC,
    "portal:password_reset_confirm": PUBLIC,  # the one-time link of the reset e-mail
    "portal:disable": roles(R.SALES, R.CUSTOMER_SERVICE, R.BACK_OFFICE),  # POST; as invite
    "portal:enable": roles(R.SALES, R.CUSTOMER_SERVICE, R.BACK_OFFICE),  # POST
    # --- portal api: /api/v1/portal/… scoped to the subscriber's customer ---
    # Subscribers only (staff and partners: 403); every id is looked up through the
    # subscriber's customer (portal.api.PortalCustomerMixin): another customer's is a 404.
    "api:portal-me": roles(R.SUBSCRIBER),
    "api:portal-invoice-list": roles(R.SUBSCRIBER),
    "api:portal-invoice-detail": roles(R.SUBSCRIBER),  # another customer's: 404
    "api:portal-invoice-pdf": roles(R.SUBSCRIBER),  # another customer's: 404
    "api:portal-payment-list": roles(R.SUBSCRIBER),
    "api:portal-subscription-list": roles(R.SUBSCRIBER),
    "api:portal-subscription-detail": roles(R.SUBSCRIBER),  # another customer's: 404
    "api:portal-request-list": roles(R.SUBSCRIBER),  # POST: a new request (a case)
    "api:portal-request-detail": roles(R.SUBSCRIBER),  # another customer's: 404
    "api:portal-request-reply": roles(R.SUBSCRIBER),  # POST; another customer's: 404
    # --- Django admin (checks model permissions on top) -----------------------------
    "admin:*": roles(R.ADMIN_SITE_ROLES),
}


def rule_for(view_name: str) -> Rule | None:
    """The rule for a resolved view name (``namespace:name``), or None if undeclared."""
    rule = ACCESS_MATRIX.get(view_name)
    if rule is None and ":" in view_name:
        rule = ACCESS_MATRIX.get(view_name.rsplit(":", 1)[0] + ":*")
    return rule
