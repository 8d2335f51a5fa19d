"""Writes of the catalogue: products, effective-dated prices and VAT rates, and the
Marketing workflow of promotions. Screens, the API, the admin, tasks and the demo
data all call these."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from customers import choices as customer_choices

from . import choices
from .models import (
    CompetitorOffer,
    PlanPrice,
    PricePlan,
    Product,
    Promotion,
    TaxClass,
    TaxRate,
)

PRODUCT_FIELDS = (
    "code",
    "kind",
    "category",
    "name_en",
    "name_ro",
    "description_en",
    "description_ro",
    "tax_class",
    "is_active",
    "change_policy",
    "max_devices",
    "download_mbps",
    "upload_mbps",
    "air_starts_at",
    "air_ends_at",
    "rental_hours",
    "sort_order",
)


def _check_product(product: Product) -> None:
    """Kind and category agree; content has what it needs (air time, rental window)."""
    errors = {}
    expected = choices.CATEGORY_KIND.get(product.category)
    if expected and product.kind != expected:
        errors["category"] = _("A %(category)s is a product of kind %(kind)s.") % {
            "category": choices.ProductCategory(product.category).label,
            "kind": choices.ProductKind(expected).label,
        }
    if product.category == choices.ProductCategory.PAY_PER_VIEW and not (
        product.air_starts_at and product.air_ends_at
    ):
        errors["air_starts_at"] = _("A pay-per-view event needs its air time.")
    if product.category == choices.ProductCategory.MOVIE and not product.rental_hours:
        errors["rental_hours"] = _("A movie on demand needs its rental window.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_create(*, actor=None, channels=(), **fields) -> Product:
    """Add a product to the catalogue (PRD-1)."""
    product = Product(**{k: v for k, v in fields.items() if k in PRODUCT_FIELDS})
    _check_product(product)
    product.full_clean()
    product.save()
    if channels:
        product.channels.set(channels)
    return product


@transaction.atomic
def product_update(*, product: Product, actor=None, channels=None, **fields) -> Product:
    """Change a product's description, category, policy or attributes. Prices are not
    edited here: they are effective-dated (``plan_price_schedule``)."""
    changed = [name for name in PRODUCT_FIELDS if name in fields]
    for name in changed:
        setattr(product, name, fields[name])
    _check_product(product)
    product.full_clean()
    product.save(update_fields=[*changed, "updated_at"])
    if channels is not None:
        product.channels.set(channels)
    return product


def _schedule(model, *, scope: dict, valid_from: date, today: date, values: dict):
    """Append an effective-dated row from ``valid_from``: the row valid then ends
    that day, a row scheduled later bounds the new one, and the past is never
    rewritten (``valid_from`` before today, or before the start of the current row,
    is refused)."""
    if valid_from < today:
        raise ValidationError(
            {
                "valid_from": _("The past is never rewritten: start on %(day)s or later.")
                % {"day": today}
            }
        )
    rows = model.objects.select_for_update().filter(**scope).order_by("valid_from")
    current = next(
        (
            r
            for r in rows
            if r.valid_from <= valid_from and (r.valid_to is None or valid_from < r.valid_to)
        ),
        None,
    )
    later = next((r for r in rows if r.valid_from > valid_from), None)
    if current is not None:
        if current.valid_from == valid_from:
            raise ValidationError(
                {"valid_from": _("A row already starts on %(day)s.") % {"day": valid_from}}
            )
        current.valid_to = valid_from
        current.save(update_fields=["valid_to", "updated_at"])
    row = model(**scope, **values, valid_from=valid_from)
    row.valid_to = later.valid_from if later is not None else None
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def plan_price_schedule(
    *,
    plan: PricePlan,
    currency: str,
    amount: Decimal,
    valid_from: date,
    resting_amount: Decimal | None = None,
    actor=None,
    today: date | None = None,
) -> PlanPrice:
    """Give ``plan`` a new price in ``currency`` from ``valid_from`` (PRD-2). The price
    valid then ends the day before; earlier prices stay as they were. A negative
    amount, a start in the past or two prices starting the same day are refused."""
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("A price cannot be negative.")})
    if resting_amount is not None and resting_amount < 0:
        raise ValidationError({"resting_amount": _("A resting fee cannot be negative.")})
    if resting_amount is not None and plan.charge != choices.Charge.RECURRING:
        raise ValidationError({"resting_amount": _("Only recurring plans have a resting fee.")})
    return _schedule(
        PlanPrice,
        scope={"plan": plan, "currency": currency.upper()},
        valid_from=valid_from,
        today=today or timezone.localdate(),
        values={"amount": amount, "resting_amount": resting_amount},
    )


@transaction.atomic
def tax_rate_schedule(
    *,
    tax_class: TaxClass,
    country: str,
    rate: Decimal,
    valid_from: date,
    actor=None,
    today: date | None = None,
) -> TaxRate:
    """Set the VAT rate of a tax class in a country from ``valid_from`` (a fraction:
    0.21 is 21 %). Earlier rates stay; invoices of past periods keep theirs."""
    return _schedule(
        TaxRate,
        scope={"tax_class": tax_class, "country": country.upper()},
        valid_from=valid_from,
        today=today or timezone.localdate(),
        values={"rate": rate},
    )


# --- promotions: draft → approved → active → expired -------------------------------


def _check_promotion(promotion: Promotion) -> None:
    if (
        promotion.discount_kind == choices.DiscountKind.PERCENTAGE
        and promotion.value is not None
        and promotion.value > 100
    ):
        raise ValidationError({"value": _("A percentage discount cannot exceed 100 %.")})
    if (
        promotion.discount_kind == choices.DiscountKind.FREE_MONTHS
        and promotion.value is not None
        and promotion.value != int(promotion.value)
    ):
        raise ValidationError({"value": _("Free months are a whole number.")})


PROMOTION_FIELDS = (
    "code",
    "name_en",
    "name_ro",
    "description_en",
    "description_ro",
    "discount_kind",
    "value",
    "duration_months",
    "categories",
    "stacking",
    "priority",
    "valid_from",
    "valid_to",
)


@transaction.atomic
def promotion_create(*, actor, products=(), **fields) -> Promotion:
    """Design a promotion (Marketing); it starts as a draft and prices nothing until
    it is approved."""
    promotion = Promotion(
        **{k: v for k, v in fields.items() if k in PROMOTION_FIELDS},
        created_by=actor,
        status=choices.PromotionStatus.DRAFT,
    )
    _check_promotion(promotion)
    promotion.full_clean()
    promotion.save()
    promotion.products.set(products)
    return promotion


@transaction.atomic
def promotion_update(*, promotion: Promotion, actor, products=None, **fields) -> Promotion:
    """Change a draft promotion. Approved, active and expired ones are frozen: what was
    approved is what customers got."""
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if promotion.status != choices.PromotionStatus.DRAFT:
        raise DomainError(_("Only a draft promotion can be changed; return it to draft first."))
    changed = [name for name in PROMOTION_FIELDS if name in fields]
    for name in changed:
        setattr(promotion, name, fields[name])
    _check_promotion(promotion)
    promotion.full_clean()
    promotion.save(update_fields=[*changed, "updated_at"])
    if products is not None:
        promotion.products.set(products)
    return promotion


def _transition(promotion: Promotion, target: str) -> Promotion:
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if target not in choices.PROMOTION_TRANSITIONS[promotion.status]:
        raise InvalidTransition(
            _("A promotion cannot go from %(from)s to %(to)s.")
            % {
                "from": promotion.get_status_display(),
                "to": choices.PromotionStatus(target).label,
            }
        )
    return promotion


@transaction.atomic
def promotion_approve(*, promotion: Promotion, actor) -> Promotion:
    """Approve a draft (four eyes: not by the person who designed it). It becomes
    active at once when its window has started, else on its first day."""
    promotion = _transition(promotion, choices.PromotionStatus.APPROVED)
    if promotion.created_by_id and promotion.created_by_id == actor.pk:
        raise DomainError(_("A promotion is approved by someone other than its designer."))
    promotion.status = choices.PromotionStatus.APPROVED
    promotion.approved_by = actor
    promotion.approved_at = timezone.now()
    promotion.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    if promotion.valid_from <= timezone.localdate():
        promotion = promotion_activate(promotion=promotion, actor=actor)
    return promotion


@transaction.atomic
def promotion_return_to_draft(*, promotion: Promotion, actor) -> Promotion:
    """Take back an approval before the promotion started (to change it)."""
    promotion = _transition(promotion, choices.PromotionStatus.DRAFT)
    promotion.status = choices.PromotionStatus.DRAFT
    promotion.approved_by = None
    promotion.approved_at = None
    promotion.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return promotion


@transaction.atomic
def promotion_activate(*, promotion: Promotion, actor=None) -> Promotion:
    """Put an approved promotion on sale (by hand or by the daily task on its first
    day)."""
    promotion = _transition(promotion, choices.PromotionStatus.ACTIVE)
    promotion.status = choices.PromotionStatus.ACTIVE
    promotion.save(update_fields=["status", "updated_at"])
    return promotion


@transaction.atomic
def promotion_expire(*, promotion: Promotion, actor=None, today: date | None = None) -> Promotion:
    """Withdraw a promotion (by hand, or by the daily task after its last day). Sales
    already made keep it for the months it promised. A promotion withdrawn by hand
    ends yesterday, so nothing new is priced with it from today."""
    promotion = _transition(promotion, choices.PromotionStatus.EXPIRED)
    today = today or timezone.localdate()
    fields = ["status", "updated_at"]
    if promotion.valid_to is None or promotion.valid_to >= today:
        promotion.valid_to = max(promotion.valid_from, today - timedelta(days=1))
        fields.append("valid_to")
    promotion.status = choices.PromotionStatus.EXPIRED
    promotion.save(update_fields=fields)
    return promotion


def promotions_refresh(*, today: date | None = None) -> dict[str, int]:
    """Daily: activate approved promotions whose first day has come and expire active
    ones whose last day has passed. Safe to run any number of times."""
    today = today or timezone.localdate()
    started = Promotion.objects.filter(
        status=choices.PromotionStatus.APPROVED, valid_from__lte=today
    ).exclude(valid_to__lt=today)
    ended = Promotion.objects.filter(
        status__in=(choices.PromotionStatus.APPROVED, choices.PromotionStatus.ACTIVE),
        valid_to__lt=today,
    )
    counts = {"activated": 0, "expired": 0}
    for promotion in ended:
        promotion_expire(promotion=promotion, today=today)
        counts["expired"] += 1
    for promotion in started:
        promotion_activate(promotion=promotion)
        counts["activated"] += 1
    return counts


# --- eligibility rules of a draft promotion (the staff screens) -----------------------

_RULE_VALUE_CHOICES = {
    choices.EligibilityKind.SEGMENT: customer_choices.CustomerSegment,
    choices.EligibilityKind.CATEGORY: customer_choices.CustomerCategory,
    choices.EligibilityKind.TIER: customer_choices.Tier,
    choices.EligibilityKind.CHANNEL: choices.SalesChannel,
    choices.EligibilityKind.BASKET_CATEGORY: choices.ProductCategory,
}


def _rule_value_choices(kind: str) -> dict[str, str]:
    """Allowed values of a rule kind: code and lower-case label → code."""
    known: dict[str, str] = {}
    for value, label in _RULE_VALUE_CHOICES[kind].choices:
        known[value.lower()] = value
        known[str(label).lower()] = value
    return known


def _clean_rule(rule: dict, number: int) -> tuple[str, tuple[str, ...], date | None, date | None]:
    """One rule as (kind, values, date_from, date_to), or ValidationError messages."""
    kind = rule.get("kind")
    if kind not in choices.EligibilityKind.values:
        raise ValidationError(_("Rule %(n)s: choose what it checks.") % {"n": number})
    label = choices.EligibilityKind(kind).label
    typed = [str(v).strip() for v in rule.get("values") or [] if str(v).strip()]
    date_from, date_to = rule.get("date_from"), rule.get("date_to")
    errors = []
    values: list[str] = []
    if kind == choices.EligibilityKind.DATE_WINDOW:
        if not (date_from or date_to):
            errors.append(_("%(rule)s: give a first or a last day.") % {"rule": label})
        elif date_from and date_to and date_to < date_from:
            errors.append(_("%(rule)s: the last day is before the first.") % {"rule": label})
    elif kind == choices.EligibilityKind.NEW_CUSTOMER:
        if len(typed) > 1 or (typed and not (typed[0].isdigit() and int(typed[0]) > 0)):
            errors.append(_("%(rule)s: give one number of days, or nothing.") % {"rule": label})
        values = typed[:1]
    elif not typed:
        errors.append(_("%(rule)s: give at least one value.") % {"rule": label})
    elif kind == choices.EligibilityKind.BASKET_PRODUCT:
        known = set(Product.objects.filter(code__in=typed).values_list("code", flat=True))
        unknown = [v for v in typed if v not in known]
        if unknown:
            errors.append(
                _("%(rule)s: no product %(codes)s.") % {"rule": label, "codes": ", ".join(unknown)}
            )
        values = typed
    else:
        known = _rule_value_choices(kind)
        unknown = [v for v in typed if v.lower() not in known]
        if unknown:
            errors.append(
                _("%(rule)s: %(values)s not allowed (use %(allowed)s).")
                % {
                    "rule": label,
                    "values": ", ".join(unknown),
                    "allowed": ", ".join(dict.fromkeys(known.values())),
                }
            )
        values = [known.get(v.lower(), v) for v in typed]
    if errors:
        raise ValidationError(errors)
    if kind != choices.EligibilityKind.DATE_WINDOW:
        date_from = date_to = None
    return kind, tuple(dict.fromkeys(values)), date_from, date_to


@transaction.atomic
def promotion_rules_set(*, promotion: Promotion, rules: list[dict], actor) -> Promotion:
    """Set the eligibility rules of a draft promotion (PRD-3): each rule is a dict of
    ``kind``, ``values`` (codes or labels), ``date_from``, ``date_to``. Unchanged rules
    stay, removed ones are deleted, new ones added (so the history shows what
    changed). Values are checked against the segments, categories, tiers, channels
    and products that exist."""
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if promotion.status != choices.PromotionStatus.DRAFT:
        raise DomainError(_("Only a draft promotion can be changed; return it to draft first."))
    wanted, errors = [], []
    for number, rule in enumerate(rules, start=1):
        try:
            wanted.append(_clean_rule(rule, number))
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError({"rules": errors})
    wanted = list(dict.fromkeys(wanted))
    existing = {
        (r.kind, tuple(r.values), r.date_from, r.date_to): r
        for r in promotion.eligibility_rules.all()
    }
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    for kind, values, date_from, date_to in wanted:
        if (kind, values, date_from, date_to) not in existing:
            promotion.eligibility_rules.create(
                kind=kind, values=list(values), date_from=date_from, date_to=date_to
            )
    return promotion


# --- competitors' offers (PRD-4) -------------------------------------------------------

COMPETITOR_OFFER_FIELDS = (
    "operator",
    "name",
    "components",
    "monthly_price",
    "one_time_price",
    "currency",
    "prices_include_vat",
    "term_months",
    "source",
    "captured_on",
)


def _check_source_document(upload) -> None:
    """A competitor's leaflet or price list: a PDF or an image (checked by content, not
    by name), within the upload size limit."""
    from customers.validation import check_attachment

    kind = check_attachment(upload).content_type  # size and an allowed type, by content
    if kind != "application/pdf" and not kind.startswith("image/"):
        raise ValidationError(
            _("“%(name)s” is not a PDF or an image."), params={"name": upload.name}
        )


def _save_competitor_offer(offer: CompetitorOffer, fields: dict, source_document) -> None:
    for name in COMPETITOR_OFFER_FIELDS:
        if name in fields:
            setattr(offer, name, fields[name])
    offer.currency = (offer.currency or "").upper()
    if source_document is not None:
        try:
            _check_source_document(source_document)
        except ValidationError as exc:
            raise ValidationError({"source_document": exc.messages}) from exc
        offer.source_document = source_document
    offer.full_clean()
    offer.save()


@transaction.atomic
def competitor_offer_create(*, actor, source_document=None, **fields) -> CompetitorOffer:
    """Record a competitor's offer as found in the market, with its source document."""
    offer = CompetitorOffer()
    _save_competitor_offer(offer, fields, source_document)
    return offer


@transaction.atomic
def competitor_offer_update(
    *, offer: CompetitorOffer, actor, source_document=None, **fields
) -> CompetitorOffer:
    """Correct a competitor's offer; a new source document replaces the old one."""
    offer = CompetitorOffer.objects.select_for_update().get(pk=offer.pk)
    _save_competitor_offer(offer, fields, source_document)
    return offer
