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

from . import choices
from .models import PlanPrice, PricePlan, Product, Promotion, TaxClass, TaxRate

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
