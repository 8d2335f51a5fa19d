"""POR-1: every portal page and portal API call that takes an id, walked as
subscriber B with subscriber A's objects, is a 404 — GET and POST — and changes
nothing. The walk lists the URLs from the URL configuration itself, so a new portal
URL with an id fails here until it is given A's object."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse
from django.utils import timezone

from alux_crm import urls as root_urls
from billing.models import Payment
from cases.models import Case, CaseReply
from cases.services import case_create
from portal import urls as portal_urls
from portal.models import CardPayment
from subscriptions import services as subscription_services
from subscriptions.models import ChangeOrder, RestingPeriod
from tests.customers import factories as CF
from tests.dunning.engine_world import debtor
from tests.portal.payments_world import card_payment_of, pay_form
from tests.portal.test_invoices import subscriber
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db

#: Portal URLs with an id that are not the subscriber's: the invitation link, the
#: reset link (a signed token) and the agents' actions on a customer (staff roles).
NOT_SUBSCRIBER_URLS = {
    "portal:activate",
    "portal:password_reset_confirm",
    "portal:invite",
    "portal:disable",
    "portal:enable",
}


def _names_with_ids() -> set[str]:
    """Every portal page and portal API URL name whose path takes an argument."""
    names = {
        f"portal:{p.name}"
        for p in portal_urls.urlpatterns
        if isinstance(p, URLPattern) and p.pattern.converters
    }
    names |= {
        f"api:{p.name}"
        for p in root_urls.api_urls
        if isinstance(p, URLPattern)
        and (p.name or "").startswith("portal-")
        and p.pattern.regex.groupindex
    }
    return names - NOT_SUBSCRIBER_URLS


@pytest.fixture
def world():
    """Subscriber A with an invoice, a card payment attempt, a subscription with a
    planned resting period and a request with a photo; subscriber B, another
    customer with the same kinds of things."""
    cat = PF.catalogue()
    SF.resting_policy(cat.tv, min_days=30, max_days=90, max_per_year=2, notice_days=1)
    a, b = debtor(cat), debtor(cat)
    today = timezone.localdate()
    subscription = a.subscriptions.get()
    period = subscription_services.resting_request(
        subscription=subscription,
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=40),
    )
    case = case_create(
        customer=a.customer,
        kind="technical",
        channel="portal",
        subject="No signal",
        description="Since Monday.",
        attachment=SimpleUploadedFile("screen.png", CF.PNG_BYTES, content_type="image/png"),
    )
    return {
        "a": a,
        "b": b,
        "cat": cat,
        "invoice": a.invoices.get(),
        "card_payment": card_payment_of({"account": a}),
        "subscription": subscription,
        "period": period,
        "case": case,
    }


def _kwargs_of(world) -> dict[str, dict]:
    """A's object for each URL name that takes an id."""
    invoice, sub, case = world["invoice"], world["subscription"], world["case"]
    return {
        "portal:invoice_detail": {"pk": invoice.pk},
        "portal:invoice_pdf": {"pk": invoice.pk},
        "portal:payment_detail": {"pk": world["card_payment"].pk},
        "portal:payment_retry": {"pk": world["card_payment"].pk},
        "portal:service_detail": {"pk": sub.pk},
        "portal:service_rest": {"pk": sub.pk},
        "portal:service_addons": {"pk": sub.pk},
        "portal:service_ppv": {"pk": sub.pk},
        "portal:service_rest_end": {"pk": sub.pk, "period": world["period"].pk},
        "portal:request_detail": {"pk": case.pk},
        "portal:request_attachment": {"pk": case.pk},
        "api:portal-invoice-detail": {"pk": invoice.pk},
        "api:portal-invoice-pdf": {"pk": invoice.pk},
        "api:portal-subscription-detail": {"pk": sub.pk},
        "api:portal-request-detail": {"pk": case.pk},
        "api:portal-request-reply": {"pk": case.pk},
    }


def _post_data(name: str, world) -> dict:
    """What a subscriber would post to ``name`` (a valid form for their own object)."""
    today = timezone.localdate()
    return {
        "portal:service_rest": {
            "starts_on": (today + timedelta(days=60)).isoformat(),
            "ends_on": (today + timedelta(days=90)).isoformat(),
            "confirm": "1",
        },
        "portal:service_addons": {"product": world["cat"].addon.pk, "confirm": "1"},
        "portal:service_ppv": {"product": world["cat"].ppv.pk, "confirm": "1"},
        "portal:request_detail": {"text": "Any news?"},
        "api:portal-request-reply": {"text": "Any news?"},
    }.get(name, {})


def _state(world) -> tuple:
    """What B's requests must not change."""
    return (
        Payment.objects.count(),
        CardPayment.objects.count(),
        ChangeOrder.objects.count(),
        list(RestingPeriod.objects.order_by("pk").values_list("status", flat=True)),
        CaseReply.objects.count(),
        list(Case.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_every_portal_url_with_an_id_is_a_404_for_another_subscriber(world):
    kwargs = _kwargs_of(world)
    names = _names_with_ids()
    assert names == set(kwargs), "give every portal URL with an id A's object here"
    client_b = subscriber(world["b"])
    before = _state(world)
    for name in sorted(names):
        url = reverse(name, kwargs=kwargs[name])
        got = client_b.get(url), client_b.post(url, _post_data(name, world))
        codes = [response.status_code for response in got]
        # a 405 only for the method the URL does not take; the other one is a 404
        assert set(codes) <= {404, 405} and 404 in codes, f"{name}: GET, POST {codes}"
        if name.startswith("api:"):
            assert all(r.json()["error"] == "not_found" for r in got if r.status_code == 404)
    # the pay page with A's invoice or billing account (query parameters)
    assert client_b.get(reverse("portal:pay"), {"invoice": world["invoice"].pk}).status_code == 404
    assert client_b.get(reverse("portal:pay"), {"account": world["a"].pk}).status_code == 404
    response = client_b.post(
        reverse("portal:pay") + f"?invoice={world['invoice'].pk}", pay_form(amount="1.00")
    )
    assert response.status_code == 404
    assert _state(world) == before


def test_subscriber_a_reaches_every_one_of_those_urls(world):
    """The walk above proves something: the same URLs answer A (the GETs)."""
    client_a = subscriber(world["a"])
    kwargs = _kwargs_of(world)
    for name in sorted(_names_with_ids()):
        if name in ("portal:payment_retry", "api:portal-request-reply"):
            continue  # POST only
        response = client_a.get(reverse(name, kwargs=kwargs[name]))
        assert response.status_code == 200, f"GET {name}: {response.status_code}"
