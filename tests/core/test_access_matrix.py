"""Every URL is in the access matrix, and every role gets exactly what it declares.

When you add a URL: declare it in ``alux_crm/core/access.py``; if it takes
arguments, add how to build them to ``URL_KWARGS`` below (and, for objects a
partner or subscriber owns, to ``FOREIGN_OBJECT_KWARGS``).
"""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alux_crm.core import roles as R
from alux_crm.core.access import ACCESS_MATRIX, rule_for
from alux_crm.core.models import Notification, OrgUnit, OutboxMessage
from portal.models import PortalAccount
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.core.factories import OrgUnitFactory
from tests.customers.factories import make_customer_world
from tests.dunning import objects_engine as collections_engine
from tests.dunning import objects_holds as collections_holds
from tests.dunning import objects_runs as collections_runs
from tests.portal import payments_world as portal_payments
from tests.products import factories as catalogue_factories


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    has_args: bool


def walk(resolvers=None, prefix: str = "", namespace: str = ""):
    """Every URL pattern of the project, with its full name and whether it takes args."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            # An unnamed pattern inside a namespace is covered by "namespace:*".
            name = entry.name or ("<unnamed>" if namespace else "")
            full = f"{namespace}:{name}" if namespace and name else name
            pattern = prefix + str(entry.pattern)
            yield Route(full or "", pattern, bool(entry.pattern.regex.groupindex) or "(" in pattern)


ROUTES = list(walk())


def test_every_url_has_a_name_and_an_access_rule():
    unnamed = [r.pattern for r in ROUTES if not r.name]
    assert not unnamed, f"URL patterns without a name: {unnamed}"
    missing = sorted({r.name for r in ROUTES if rule_for(r.name) is None})
    assert not missing, f"URLs missing from the access matrix: {missing}"


def test_matrix_has_no_stale_entries():
    names = {r.name for r in ROUTES}
    namespaces = {n.split(":")[0] for n in names if ":" in n}
    stale = [
        key
        for key in ACCESS_MATRIX
        if not (key in names or (key.endswith(":*") and key[:-2] in namespaces))
    ]
    assert not stale, f"access matrix entries for URLs that do not exist: {stale}"


# How to build the arguments of each URL that takes some. ``ctx`` holds the objects
# made by the ``world`` fixture; values are the kwargs for reverse().
URL_KWARGS = {
    **collections_engine.URL_KWARGS,
    **collections_runs.URL_KWARGS,
    **collections_holds.URL_KWARGS,
    **portal_payments.URL_KWARGS,
    "password_reset_confirm": lambda ctx: {"uidb64": "MQ", "token": "set-password"},
    "portal:activate": lambda ctx: {"uidb64": "MQ", "token": "set-password"},
    "portal:invite": lambda ctx: {"pk": ctx["customer"].pk},
    "portal:password_reset_confirm": lambda ctx: {"uidb64": "MQ", "token": "set-password"},
    **{f"portal:{name}": lambda ctx: {"pk": ctx["customer"].pk} for name in ("disable", "enable")},
    **{
        f"portal:invoice_{name}": lambda ctx: {"pk": ctx["posted_invoice"].pk}
        for name in ("detail", "pdf")
    },
    # portal services: the world's subscription (of the subscriber's customer)
    **{
        f"portal:service_{name}": lambda ctx: {"pk": ctx["subscription"].pk}
        for name in ("detail", "rest", "addons", "ppv")
    },
    "portal:service_rest_end": lambda ctx: {
        "pk": ctx["subscription"].pk,
        "period": ctx["resting_period"].pk,
    },
    # portal requests and the agents' case page: a case of the world's customer
    **{
        name: lambda ctx: {"pk": _case(ctx).pk}
        for name in (
            "portal:request_detail",
            "portal:request_attachment",
            "cases:case_detail",
            "cases:case_attachment",
        )
    },
    # portal api: the subscriber's customer's invoice, subscription and request
    **{
        f"api:portal-invoice-{name}": lambda ctx: {"pk": ctx["posted_invoice"].pk}
        for name in ("detail", "pdf")
    },
    "api:portal-subscription-detail": lambda ctx: {"pk": ctx["subscription"].pk},
    **{
        f"api:portal-request-{name}": lambda ctx: {"pk": _case(ctx).pk}
        for name in ("detail", "reply")
    },
    "core:partner_detail": lambda ctx: {"pk": ctx["own_partner"].pk},
    "core:partner_tab": lambda ctx: {"pk": ctx["own_partner"].pk, "tab": "overview"},
    "core:partner_edit": lambda ctx: {"pk": ctx["own_partner"].pk},
    "core:partner_status": lambda ctx: {"pk": ctx["own_partner"].pk, "status": "suspended"},
    "core:orgunit_detail": lambda ctx: {"pk": ctx["unit"].pk},
    "core:orgunit_tab": lambda ctx: {"pk": ctx["unit"].pk, "tab": "history"},
    "core:outbox_retry": lambda ctx: {"pk": ctx["message"].pk},
    "core:notification_read": lambda ctx: {"pk": ctx["notification"].pk},
    "api:partner-detail": lambda ctx: {"pk": ctx["own_partner"].pk},
    "customers:customer_detail": lambda ctx: {"pk": ctx["customer"].pk},
    "customers:customer_tab": lambda ctx: {"pk": ctx["customer"].pk, "tab": "profile"},
    "customers:customer_edit": lambda ctx: {"pk": ctx["customer"].pk},
    "customers:customer_status": lambda ctx: {"pk": ctx["customer"].pk, "status": "blocked"},
    "customers:customer_move": lambda ctx: {"pk": ctx["customer"].pk},
    "customers:customer_credit_check": lambda ctx: {"pk": ctx["customer"].pk},
    "customers:address_create": lambda ctx: {"pk": ctx["customer"].pk},
    "customers:communication_create": lambda ctx: {"pk": ctx["customer"].pk},
    "customers:attachment_download": lambda ctx: {"pk": ctx["attachment"].pk},
    "customers:billing_account_create": lambda ctx: {"pk": ctx["customer"].pk},
    "customers:billing_account_detail": lambda ctx: {"pk": ctx["account"].pk},
    "customers:billing_account_tab": lambda ctx: {"pk": ctx["account"].pk, "tab": "history"},
    "customers:billing_account_edit": lambda ctx: {"pk": ctx["account"].pk},
    "customers:billing_account_move": lambda ctx: {"pk": ctx["account"].pk},
    "products:product_detail": lambda ctx: {"pk": ctx["product"].pk},
    "products:product_tab": lambda ctx: {"pk": ctx["product"].pk, "tab": "prices"},
    "products:product_edit": lambda ctx: {"pk": ctx["product"].pk},
    "products:price_create": lambda ctx: {"pk": ctx["product"].pk},
    "products:promotion_detail": lambda ctx: {"pk": ctx["promotion"].pk},
    "products:promotion_tab": lambda ctx: {"pk": ctx["promotion"].pk, "tab": "history"},
    "products:promotion_edit": lambda ctx: {"pk": ctx["promotion"].pk},
    "products:promotion_status": lambda ctx: {"pk": ctx["promotion"].pk, "status": "expired"},
    "products:competitor_offer_detail": lambda ctx: {"pk": ctx["competitor_offer"].pk},
    "products:competitor_offer_tab": lambda ctx: {
        "pk": ctx["competitor_offer"].pk,
        "tab": "overview",
    },
    "products:competitor_offer_edit": lambda ctx: {"pk": ctx["competitor_offer"].pk},
    "products:competitor_offer_document": lambda ctx: {"pk": ctx["competitor_offer"].pk},
    # subscriptions pages (issue 5)
    "subscriptions:subscription_create_step": lambda ctx: {"step": "customer"},
    **{
        f"subscriptions:{name}": lambda ctx: {"pk": ctx["subscription"].pk}
        for name in (
            "subscription_detail",
            "subscription_activate",
            "subscription_suspend",
            "subscription_reconnect",
            "subscription_disconnect",
            "subscription_terminate",
            "subscription_regret",
            "subscription_change",
            "resting_create",
            "document_create",
        )
    },
    "subscriptions:subscription_tab": lambda ctx: {"pk": ctx["subscription"].pk, "tab": "devices"},
    "subscriptions:change_order_cancel": lambda ctx: {
        "pk": ctx["subscription"].pk,
        "order": ctx["change_order"].pk,
    },
    "subscriptions:resting_end": lambda ctx: {
        "pk": ctx["subscription"].pk,
        "period": ctx["resting_period"].pk,
    },
    **{
        f"subscriptions:document_{name}": lambda ctx: {"pk": ctx["document"].pk}
        for name in ("pdf", "signed", "email", "upload")
    },
    "subscriptions:cancellation_approve": lambda ctx: {"pk": ctx["cancellation"].pk},
    "subscriptions:cancellation_reject": lambda ctx: {"pk": ctx["cancellation"].pk},
    # billing pages
    "billing:run_detail": lambda ctx: {"pk": ctx["billing_run"].pk},
    "billing:run_progress": lambda ctx: {"pk": ctx["billing_run"].pk},
    "billing:run_action": lambda ctx: {"pk": ctx["billing_run"].pk, "action": "discard"},
    "billing:invoice_detail": lambda ctx: {"pk": ctx["invoice"].pk},
    "billing:invoice_pdf": lambda ctx: {"pk": ctx["posted_invoice"].pk},
    # billing: payments, ledger, manual transactions (objects of billing_api_objects)
    **{
        f"billing:payment_{name}": lambda ctx: {"pk": ctx["payment"].pk}
        for name in ("detail", "reverse")
    },
    **{
        f"billing:transaction_{name}": lambda ctx: {"pk": ctx["credit_note"].pk}
        for name in ("detail", "approve", "reject")
    },
    "billing:invoice_dispute": lambda ctx: {"pk": ctx["posted_invoice"].pk},
    "billing:invoice_dispute_resolve": lambda ctx: {"pk": ctx["posted_invoice"].pk},
    "billing:voucher_batch_detail": lambda ctx: {"pk": _voucher_batch(ctx).pk},
    "billing:voucher_batch_void": lambda ctx: {"pk": _voucher_batch(ctx).pk},
    # billing: payment runs and mandates
    **{
        f"billing:payment_run_{name}": lambda ctx: {"pk": ctx["payment_run"].pk}
        for name in ("detail", "file", "exclude", "rejections")
    },
    "billing:payment_run_action": lambda ctx: {"pk": ctx["payment_run"].pk, "action": "discard"},
    "billing:mandate_create": lambda ctx: {"pk": ctx["account"].pk},
    "billing:mandate_revoke": lambda ctx: {"pk": ctx["mandate"].pk},
    "api:customer-detail": lambda ctx: {"pk": ctx["customer"].pk},
    "api:customer-communications": lambda ctx: {"pk": ctx["customer"].pk},
    "api:billing-account-detail": lambda ctx: {"pk": ctx["account"].pk},
    "api:product-detail": lambda ctx: {"pk": ctx["product"].pk},
    "api:price-plan-detail": lambda ctx: {"pk": ctx["price_plan"].pk},
    "api:price-plan-prices": lambda ctx: {"pk": ctx["price_plan"].pk},
    "api:promotion-detail": lambda ctx: {"pk": ctx["promotion"].pk},
    "api:promotion-approve": lambda ctx: {"pk": ctx["promotion"].pk},
    # billing API
    **{
        f"api:invoice-{name}": lambda ctx: {"pk": ctx["posted_invoice"].pk}
        for name in ("detail", "pdf")
    },
    **{
        f"api:payment-{name}": lambda ctx: {"pk": ctx["payment"].pk}
        for name in ("detail", "reverse")
    },
    **{
        f"api:billing-run-{name}": lambda ctx: {"pk": ctx["billing_run"].pk}
        for name in ("detail", "start", "resume", "approve", "discard")
    },
    **{
        f"api:credit-note-{name}": lambda ctx: {"pk": ctx["credit_note"].pk}
        for name in ("detail", "approve", "reject")
    },
    # subscriptions API
    **{
        f"api:subscription-{name}": lambda ctx: {"pk": ctx["subscription"].pk}
        for name in (
            "detail",
            "change",
            "rest",
            "resume",
            "suspend",
            "reconnect",
            "terminate",
            "activate",
        )
    },
}

# Objects that belong to partner A (or subscriber A): partner B's user must get 404.
FOREIGN_OBJECT_KWARGS = {
    "core:partner_detail": lambda ctx: {"pk": ctx["own_partner"].pk},
    "core:partner_tab": lambda ctx: {"pk": ctx["own_partner"].pk, "tab": "users"},
    "api:partner-detail": lambda ctx: {"pk": ctx["own_partner"].pk},
    "core:notification_read": lambda ctx: {"pk": ctx["notification"].pk},
    "api:subscription-detail": lambda ctx: {"pk": ctx["subscription"].pk},  # POST actions: 405
    "billing:invoice_detail": lambda ctx: {"pk": ctx["invoice"].pk},  # partner A's customer's
    "billing:payment_detail": lambda ctx: {"pk": ctx["payment"].pk},  # partner A's customer's
    "billing:invoice_pdf": lambda ctx: {"pk": ctx["posted_invoice"].pk},  # partner A's customer's
    **{  # billing API: partner A's customer's invoice, payment and credit note
        name: URL_KWARGS[name]
        for name in (
            "api:invoice-detail",
            "api:invoice-pdf",
            "api:payment-detail",
            "api:credit-note-detail",
        )
    },
    **{
        name: URL_KWARGS[name]
        for name in URL_KWARGS
        if name.startswith("customers:")
        or name
        in ("api:customer-detail", "api:customer-communications", "api:billing-account-detail")
    },
    **{  # every subscription page about partner A's subscription
        name: URL_KWARGS[name]
        for name in URL_KWARGS
        if name.startswith("subscriptions:") and name != "subscriptions:subscription_create_step"
    },
}

# Admin URLs are covered by "admin:*"; the index stands for them.
SKIPPED_PREFIXES = ("admin:",)
CHECKED_ADMIN = ["admin:index"]


def urls_to_check():
    names = sorted({r.name for r in ROUTES if not r.name.startswith(SKIPPED_PREFIXES)})
    return names + CHECKED_ADMIN


def test_every_url_with_arguments_has_sample_arguments():
    with_args = {r.name for r in ROUTES if r.has_args and not r.name.startswith(SKIPPED_PREFIXES)}
    missing = sorted(with_args - set(URL_KWARGS))
    assert not missing, f"add sample arguments to URL_KWARGS for: {missing}"


def subscription_page_objects(subscription, product) -> dict:
    """What the subscription pages act on: the world's subscription activated, with a
    scheduled resting period and change, an open cancellation request and a contract
    with its signed scan."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from subscriptions.models import RestingPolicy
    from tests.customers.factories import PDF_BYTES

    services, today = subscription_services, timezone.localdate()
    subscription = services.subscription_activate(subscription=subscription)
    RestingPolicy.objects.create(product=product, min_days=30, max_days=90, notice_days=0)
    period = services.resting_request(
        subscription=subscription,
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=80),
    )
    order = services.change_order_create(
        subscription=subscription,
        request=services.ChangeRequest(add=[], remove=list(subscription.items.all()), swaps=[]),
        wanted_on=today + timedelta(days=20),
    )
    cancellation = services.cancellation_request_create(
        subscription=subscription, effective_on=today, reason="Moving abroad"
    )
    document = services.contract_generate(subscription=subscription)
    services.contract_upload_signed(
        document=document, upload=SimpleUploadedFile("signed.pdf", PDF_BYTES)
    )
    return {
        "resting_period": period,
        "change_order": order,
        "cancellation": cancellation,
        "document": document,
    }


def billing_page_objects(account, subscription) -> dict:
    """What the billing pages show: a scheduled run and a draft invoice of the world's
    account (partner A's customer) with one explained line."""
    from datetime import date
    from decimal import Decimal

    from billing import services as billing_services
    from billing.models import Invoice, InvoiceLine

    run = billing_services.billing_run_create(bill_cycle_day=1, period_start=date(2026, 12, 1))
    invoice = Invoice.objects.create(
        billing_account=account,
        run=run,
        period_start=run.period_start,
        period_end=run.period_end,
        currency="EUR",
        net=Decimal("10.00"),
        tax=Decimal("2.10"),
        total=Decimal("12.10"),
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        subscription=subscription,
        source_account=account,
        kind="recurring",
        description="TV package",
        starts_on=run.period_start,
        ends_on=run.period_end,
        net=Decimal("10.00"),
        tax_rate=Decimal("0.21"),
        tax=Decimal("2.10"),
        total=Decimal("12.10"),
        explanation="10.00 a month, 31 of 31 days",
    )
    return {"billing_run": run, "invoice": invoice}


def payment_run_page_objects(account) -> dict:
    """What the payment-run pages act on: a draft run and a mandate of the account."""
    from datetime import date

    from billing.models import PaymentRun
    from billing.services import payment_runs

    mandate = payment_runs.mandate_create(
        billing_account=account,
        reference="MATRIX-1",
        debtor_name="Matrix Holder",
        iban="DE89370400440532013000",
        signed_on=date(2025, 1, 2),
    )
    return {
        "payment_run": PaymentRun.objects.create(collection_date=date(2026, 12, 1)),
        "mandate": mandate,
    }


def billing_api_objects(account) -> dict:
    """What the billing API shows: a posted invoice of the account (its PDF already
    stored, so no test renders one), a payment settling it and a credit note."""
    from datetime import date
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.db import transaction

    from billing import services as billing_services
    from billing.models import Invoice
    from tests.customers.factories import PDF_BYTES

    invoice = Invoice.objects.create(
        billing_account=account,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 1),
        currency=account.currency,
        net=Decimal("20.00"),
        tax=Decimal("0.00"),
        total=Decimal("20.00"),
    )
    with transaction.atomic():
        billing_services.invoice_post(
            invoice=invoice, issued_on=date(2026, 11, 1), due_on=date(2026, 11, 15)
        )
    invoice.pdf.save("matrix.pdf", ContentFile(PDF_BYTES), save=True)
    payment, _created = billing_services.payment_record(
        account=account, amount=Decimal("5.00"), method="cash", idempotency_key="matrix-pay"
    )
    note = billing_services.transaction_request(
        account=account, kind="credit_note", amount=Decimal("2.00"), reason="r", actor=None
    )
    return {"posted_invoice": invoice, "payment": payment, "credit_note": note}


@pytest.fixture
def world(db, make_user, partner_a):
    owner = make_user(R.RETAILER)  # belongs to partner A
    unit: OrgUnit = OrgUnitFactory()
    message = OutboxMessage.objects.create(topic="demo", idempotency_key="k1", status="failed")
    notification = Notification.objects.create(recipient=owner, title="Hello")
    customer, account, attachment = make_customer_world(partner_a)
    product = catalogue_factories.product("tv_package")
    price_plan = catalogue_factories.plan(product, "10.00")
    promotion = catalogue_factories.promotion()  # on sale, so partners may see it
    competitor_offer = catalogue_factories.competitor_offer()
    subscription = subscription_services.subscription_create(  # of partner A's customer
        billing_account=account, items=[BasketItem(product)]
    )
    pages = subscription_page_objects(subscription, product)  # issue 5's pages
    billing = billing_page_objects(account, subscription)
    billing.update(payment_run_page_objects(account))
    billing.update(billing_api_objects(account))
    for part in (collections_engine, collections_runs, collections_holds):  # issue 7
        billing.update(part.objects(account, subscription))
    return {
        "product": product,
        "price_plan": price_plan,
        "promotion": promotion,
        "competitor_offer": competitor_offer,
        "subscription": subscription,
        **pages,
        **billing,
        "customer": customer,
        "account": account,
        "attachment": attachment,
        "own_partner": partner_a,
        "owner": owner,
        "unit": unit,
        "message": message,
        "notification": notification,
    }


def _case(ctx):
    """A portal request of the world's customer with a PDF attached, made once."""
    if "case" not in ctx:
        from cases.services import case_create
        from tests.customers.factories import pdf

        ctx["case"] = case_create(
            customer=ctx["customer"],
            kind="billing",
            channel="portal",
            subject="Matrix question",
            description="Why?",
            attachment=pdf("bill.pdf"),
        )
    return ctx["case"]


def _voucher_batch(ctx):
    """A voucher batch for the voucher pages, made once per world."""
    if "voucher_batch" not in ctx:
        from datetime import date
        from decimal import Decimal

        from billing.services.vouchers import voucher_batch_generate

        ctx["voucher_batch"], _codes = voucher_batch_generate(
            value=Decimal("10"),
            currency="EUR",
            valid_from=date(2026, 1, 1),
            valid_until=date(2027, 12, 31),
            quantity=3,
        )
    return ctx["voucher_batch"]


def _url(name, ctx, builders=URL_KWARGS):
    kwargs = builders[name](ctx) if name in builders else {}
    return reverse(name, kwargs=kwargs) if kwargs else reverse(name)


def _is_api(name: str) -> bool:
    return name.startswith("api")


@pytest.mark.django_db
def test_anonymous_gets_login_or_public_page(world):
    client = Client()
    for name in urls_to_check():
        url = _url(name, world)
        response = client.get(url)
        rule = rule_for(name)
        if rule.public:
            # /healthz answers 503 here: no Celery worker runs in this test.
            assert response.status_code < 500 or name == "healthz", (name, response.status_code)
        elif _is_api(name):
            assert response.status_code in (401, 403), (name, response.status_code)
        else:
            assert response.status_code == 302, (name, response.status_code)
            login_page = "/portal/login/" if name.startswith("portal:") else "/login/"
            assert response["Location"].startswith(login_page), (name, response["Location"])


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(R.ALL_ROLES))
def test_each_role_gets_exactly_what_the_matrix_allows(role, world, make_user):
    user = world["owner"] if role == R.RETAILER else make_user(role)
    if role == R.SUBSCRIBER:  # a subscriber's login belongs to a customer (portal)
        PortalAccount.objects.create(user=user, customer=world["customer"])
    client = Client()
    client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
    for name in urls_to_check():
        if name in ("logout", "healthz"):
            continue  # logout would end this loop's session; healthz is public (tested apart)
        rule = rule_for(name)
        response = client.get(_url(name, world))
        if rule.allows(user):
            # Allowed: the page works (POST-only actions answer 405 to GET).
            assert response.status_code in (200, 302, 405), (role, name, response.status_code)
            if response.status_code == 302:
                assert not response["Location"].startswith("/login/"), (role, name)
        else:
            assert response.status_code == 403, (role, name, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(R.PARTNER_ROLES))
def test_another_partners_objects_are_404(role, world, make_user, partner_b):
    intruder = make_user(role, partner=partner_b)
    client = Client()
    client.force_login(intruder, backend="alux_crm.core.auth_backends.UserBackend")
    for name, builder in FOREIGN_OBJECT_KWARGS.items():
        if not rule_for(name).allows(intruder):
            continue  # the role may not open such pages at all: 403, checked above
        url = reverse(name, kwargs=builder(world))
        method = client.post if name == "core:notification_read" else client.get
        response = method(url)
        assert response.status_code == 404, (name, response.status_code)
    # And the intruder's own partner page works.
    own = client.get(reverse("core:partner_detail", kwargs={"pk": partner_b.pk}))
    assert own.status_code == 200


@pytest.mark.django_db
def test_undeclared_url_is_refused(settings, make_user, login, client):
    """Fail closed: a view whose name is not in the matrix is a 403 for everyone."""
    from django.urls import clear_url_caches, path

    from alux_crm import urls as root

    def secret(request):  # pragma: no cover - must never run
        raise AssertionError("reached an undeclared view")

    original = list(root.urlpatterns)
    root.urlpatterns.append(path("undeclared/", secret, name="undeclared_view"))
    clear_url_caches()
    try:
        login(make_user(R.SYSTEM_ADMINISTRATOR))
        assert client.get("/undeclared/").status_code == 403
    finally:
        root.urlpatterns[:] = original
        clear_url_caches()
