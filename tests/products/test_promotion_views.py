"""Promotions as Marketing, Sales and a retailer use them (list, page, draft form with
eligibility rules, the workflow with four eyes), and competitors' and standard offers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alux_crm.core import roles as R
from products import choices as C
from products.models import CompetitorOffer, Promotion, StandardOffer
from tests.customers.factories import PDF_BYTES
from tests.products.factories import competitor_offer, promotion
from tests.products.test_views import HTMX_TABLE, csv_rows, html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_screens")]


# --- promotions ---------------------------------------------------------------------------
def promotion_post(**overrides):
    data = {
        "code": "spring",
        "name_en": "Spring offer",
        "name_ro": "",
        "description_en": "",
        "description_ro": "",
        "discount_kind": "percentage",
        "value": "20",
        "duration_months": "6",
        "stacking": "stackable",
        "priority": "100",
        "valid_from": timezone.localdate().isoformat(),
        "valid_to": "",
        "categories": ["tv_package"],
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "20",
        "rules-0-kind": "segment",
        "rules-0-values": "mass, Small and medium business",
        "rules-1-kind": "",
        "rules-1-values": "",
    }
    return data | overrides


def test_marketing_designs_a_promotion_with_rules(as_role, cat):
    client, designer = as_role(R.MARKETING)
    assert client.get("/promotions/new/").status_code == 200
    response = client.post("/promotions/new/", promotion_post(products=[cat.addon.pk]))
    assert response.status_code == 302
    promo = Promotion.objects.get(code="spring")
    assert promo.status == C.PromotionStatus.DRAFT and promo.created_by == designer
    assert list(promo.eligibility_rules.values_list("values", flat=True)) == [["mass", "sme"]]
    page = html(client.get(f"/promotions/{promo.pk}/"))
    assert "Customer segment is one of: Mass market, Small and medium business" in page
    assert "20 % off for 6 months" in page and cat.addon.name in page
    assert designer.last_name in page and "Not approved yet" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value": "150"}, "value"),
        ({"value": "0"}, "value"),
        ({"value": "-5", "discount_kind": "fixed"}, "value"),
    ],
)
def test_refused_discounts_are_field_errors(as_role, overrides, field):
    client, _ = as_role(R.MARKETING)
    response = client.post("/promotions/new/", promotion_post(**overrides))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Promotion.objects.exists()


def test_a_rule_with_unknown_values_is_refused(as_role):
    client, _ = as_role(R.MARKETING)
    response = client.post("/promotions/new/", promotion_post(**{"rules-0-values": "nobody"}))
    assert response.status_code == 422
    assert "nobody" in html(response) and not Promotion.objects.exists()


def test_promotion_list_filters(as_role, cat):
    client, _ = as_role(R.MARKETING)
    promotion(code="live", discount_kind=C.DiscountKind.FIXED, value=Decimal("2"))
    promotion(code="idea", status=C.PromotionStatus.DRAFT)
    assert "idea" in html(client.get("/promotions/"))
    drafts = html(client.get("/promotions/?status=draft", headers=HTMX_TABLE))
    assert ">idea</a>" in drafts and ">live</a>" not in drafts
    fixed = html(client.get("/promotions/?discount_kind=fixed", headers=HTMX_TABLE))
    assert ">live</a>" in fixed and ">idea</a>" not in fixed
    assert ">idea</a>" in html(client.get("/promotions/?q=ide", headers=HTMX_TABLE))


def test_retailers_do_not_see_drafts(as_role, cat):
    client, _ = as_role(R.RETAILER)
    draft = promotion(code="secret", status=C.PromotionStatus.DRAFT)
    live = promotion(code="public")
    assert ">secret</a>" not in html(client.get("/promotions/"))
    assert client.get(f"/promotions/{draft.pk}/").status_code == 404
    assert client.get(f"/promotions/{live.pk}/").status_code == 200


def test_designer_cannot_approve_and_another_marketer_can(as_role, cat):
    client, designer = as_role(R.MARKETING)
    promo = promotion(designer, status=C.PromotionStatus.DRAFT)
    url = f"/promotions/{promo.pk}/status/approved/"
    confirm = html(client.get(url))
    assert "You designed it" in confirm
    refused = client.post(url, follow=True)
    assert "approved by someone other than its designer" in html(refused)
    promo.refresh_from_db()
    assert promo.status == C.PromotionStatus.DRAFT

    other, approver = as_role(R.MARKETING)
    assert other.post(url).status_code == 302
    promo.refresh_from_db()
    assert promo.status == C.PromotionStatus.ACTIVE  # its window has started
    assert promo.approved_by == approver
    page = html(other.get(f"/promotions/{promo.pk}/"))
    assert approver.last_name in page
    history = html(other.get(f"/promotions/{promo.pk}/tabs/history/"))
    assert "approved_by" in history


def test_workflow_steps_and_refusals(as_role, cat):
    client, _ = as_role(R.MARKETING)
    later = timezone.localdate() + timedelta(days=20)
    promo = promotion(valid_from=later)  # approved, not yet on sale
    assert promo.status == C.PromotionStatus.APPROVED
    assert client.post(f"/promotions/{promo.pk}/status/draft/").status_code == 302
    promo.refresh_from_db()
    assert promo.status == C.PromotionStatus.DRAFT and promo.approved_by is None
    # A draft cannot be activated: the message says so.
    refused = client.post(f"/promotions/{promo.pk}/status/active/", follow=True)
    assert "cannot go from Draft to Active" in html(refused)
    assert client.post(f"/promotions/{promo.pk}/status/expired/").status_code == 302
    promo.refresh_from_db()
    assert promo.status == C.PromotionStatus.EXPIRED
    assert client.get(f"/promotions/{promo.pk}/status/nonsense/").status_code == 404


def test_only_drafts_are_edited(as_role, cat):
    client, designer = as_role(R.MARKETING)
    promo = promotion(designer, status=C.PromotionStatus.DRAFT, code="draft-one")
    promo.eligibility_rules.create(kind="tier", values=["gold"])
    form = html(client.get(f"/promotions/{promo.pk}/edit/"))
    assert 'value="gold"' in form
    data = promotion_post(
        code="draft-one",
        **{
            "rules-TOTAL_FORMS": "3",
            "rules-INITIAL_FORMS": "1",
            "rules-0-kind": "tier",
            "rules-0-values": "gold",
            "rules-0-DELETE": "on",
            "rules-1-kind": "channel",
            "rules-1-values": "retailer",
            "rules-2-kind": "",
            "rules-2-values": "",
        },
    )
    assert client.post(f"/promotions/{promo.pk}/edit/", data).status_code == 302
    assert list(promo.eligibility_rules.values_list("kind", "values")) == [
        ("channel", ["retailer"])
    ]
    live = promotion(designer)
    response = client.post(f"/promotions/{live.pk}/edit/", promotion_post(code=live.code))
    assert response.status_code == 422
    assert "Only a draft promotion can be changed" in html(response)


def test_sales_may_read_but_not_run_the_workflow(as_role, cat):
    client, _ = as_role(R.SALES)
    promo = promotion(status=C.PromotionStatus.DRAFT)
    page = html(client.get(f"/promotions/{promo.pk}/"))
    assert "/status/" not in page
    assert client.post(f"/promotions/{promo.pk}/status/approved/").status_code == 403
    assert client.get("/promotions/new/").status_code == 403


# --- competitors' and standard offers ------------------------------------------------------
def competitor_post(**overrides):
    data = {
        "operator": "Nova",
        "name": "Nova Home",
        "components": "80 channels + 300 Mbit/s",
        "monthly_price": "25.00",
        "one_time_price": "10.00",
        "currency": "eur",
        "prices_include_vat": "on",
        "term_months": "12",
        "source": "leaflet, mall",
        "captured_on": "2025-03-01",
    }
    return data | overrides


def test_marketing_records_a_competitor_offer_with_its_leaflet(as_role):
    client, _ = as_role(R.MARKETING)
    leaflet = SimpleUploadedFile("nova.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post("/competitor-offers/new/", competitor_post(source_document=leaflet))
    assert response.status_code == 302
    offer = CompetitorOffer.objects.get(operator="Nova")
    assert offer.currency == "EUR" and offer.source_document
    download = client.get(f"/competitor-offers/{offer.pk}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    rows = csv_rows(client.get("/competitor-offers/?_export=csv"))
    assert rows[1][:2] == ["Nova", "Nova Home"]
    assert client.get(f"/competitor-offers/{offer.pk}/").status_code == 200


def test_a_competitor_document_is_checked_by_content(as_role):
    client, _ = as_role(R.MARKETING)
    fake = SimpleUploadedFile(
        "price-list.pdf", b"MZ not a pdf at all", content_type="application/pdf"
    )
    response = client.post("/competitor-offers/new/", competitor_post(source_document=fake))
    assert response.status_code == 422
    assert "source_document" in response.context["form"].errors
    assert not CompetitorOffer.objects.exists()


def test_sales_see_competitor_offers_but_do_not_edit_them(as_role):
    offer = competitor_offer()
    client, _ = as_role(R.SALES)
    assert client.get("/competitor-offers/").status_code == 200
    assert client.get(f"/competitor-offers/{offer.pk}/edit/").status_code == 403
    assert client.get("/competitor-offers/new/").status_code == 403


def test_standard_offer_list(as_role, cat):
    offer = StandardOffer.objects.create(
        segment="sme",
        name_en="SME standard",
        min_monthly_price=Decimal("20.00"),
        max_discount_percent=Decimal("15"),
        valid_from=timezone.localdate(),
    )
    offer.products.add(cat.tv)
    client, _ = as_role(R.CUSTOMER_SERVICE)
    page = html(client.get("/standard-offers/"))
    assert "SME standard" in page and "Small and medium business" in page
    assert cat.tv.name in page
    assert ">SME standard<" not in html(client.get("/standard-offers/?segment=mass"))
