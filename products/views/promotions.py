"""Promotions (PRD-3): the list, the promotion page, the draft form with eligibility
rules, and Marketing's workflow (approve by someone else than the designer, return
to draft, activate, expire)."""

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.generic_views import (
    ObjectActionView,
    ObjectDetailMixin,
    ObjectDetailView,
    ObjectListView,
    ObjectTabView,
    Tab,
)
from customers import choices as customer_choices

from .. import choices, selectors, services
from ..filters import PromotionFilter
from ..forms import PromotionForm
from ..models import EligibilityRule, Promotion
from ..tables import PROMOTION_STATUS_COLOURS, PromotionTable, discount_in_words
from .base import FormView, action, history_about, user_may_open

Status = choices.PromotionStatus


class PromotionListView(ObjectListView):
    """Promotions by state, kind of discount and text."""

    title = gettext_lazy("Promotions")
    table_class = PromotionTable
    filterset_class = PromotionFilter
    create_url_name = "products:promotion_create"
    export_name = "promotions"

    def get_queryset(self, request):
        return selectors.promotion_list_for(user=request.user)


# --- rules in words ---------------------------------------------------------------------
VALUE_LABELS = {
    choices.EligibilityKind.SEGMENT: dict(customer_choices.CustomerSegment.choices),
    choices.EligibilityKind.CATEGORY: dict(customer_choices.CustomerCategory.choices),
    choices.EligibilityKind.TIER: dict(customer_choices.Tier.choices),
    choices.EligibilityKind.CHANNEL: dict(choices.SalesChannel.choices),
    choices.EligibilityKind.BASKET_CATEGORY: dict(choices.ProductCategory.choices),
}


def rule_in_words(rule: EligibilityRule, products: dict) -> str:
    """An eligibility rule as a sentence ("Customer segment is one of: Mass market")."""
    label = rule.get_kind_display()
    if rule.kind == choices.EligibilityKind.DATE_WINDOW:
        return _("%(rule)s: %(start)s to %(end)s") % {
            "rule": label,
            "start": rule.date_from or "…",
            "end": rule.date_to or "…",
        }
    if rule.kind == choices.EligibilityKind.NEW_CUSTOMER:
        days = rule.values[0] if rule.values else "30"
        return _("%(rule)s: customers for at most %(days)s days") % {"rule": label, "days": days}
    if rule.kind == choices.EligibilityKind.BASKET_PRODUCT:
        shown = [f"{products[v].name} ({v})" if v in products else v for v in rule.values]
    else:
        names = VALUE_LABELS.get(rule.kind, {})
        shown = [str(names.get(v, v)) for v in rule.values]
    return _("%(rule)s: %(values)s") % {"rule": label, "values": ", ".join(shown)}


def rules_in_words(promotion: Promotion) -> list[str]:
    rules = list(promotion.eligibility_rules.all())
    codes = [v for r in rules if r.kind == choices.EligibilityKind.BASKET_PRODUCT for v in r.values]
    products = selectors.products_by_reference(references=codes) if codes else {}
    return [rule_in_words(rule, products) for rule in rules]


# --- the promotion page ----------------------------------------------------------------
PROMOTION_HISTORY_LABELS = {
    Promotion._meta.label: lambda data: (_("Promotion"), "megaphone"),
    EligibilityRule._meta.label: lambda data: (
        _("Eligibility rule: %(kind)s %(values)s")
        % {
            "kind": dict(choices.EligibilityKind.choices).get(data.get("kind"), ""),
            "values": ", ".join(data.get("values") or []),
        },
        "funnel",
    ),
}

# Target state → (button, icon, colour, title of the confirmation page).
STATUS_ACTIONS = {
    Status.APPROVED: (
        gettext_lazy("Approve"),
        "check2-circle",
        "success",
        gettext_lazy("Approve %(name)s"),
    ),
    Status.DRAFT: (
        gettext_lazy("Return to draft"),
        "arrow-counterclockwise",
        "secondary",
        gettext_lazy("Return %(name)s to draft"),
    ),
    Status.ACTIVE: (
        gettext_lazy("Activate"),
        "play-circle",
        "primary",
        gettext_lazy("Activate %(name)s"),
    ),
    Status.EXPIRED: (
        gettext_lazy("Expire"),
        "stop-circle",
        "danger",
        gettext_lazy("Expire %(name)s"),
    ),
}


class PromotionDetailMixin(ObjectDetailMixin):
    tabs = [
        Tab("overview", gettext_lazy("Overview")),
        Tab("history", gettext_lazy("History")),
    ]
    tab_url_name = "products:promotion_tab"

    def get_object(self, request, pk):
        return selectors.promotion_get(user=request.user, pk=pk)

    def tab_overview(self, request, obj) -> dict:
        categories = dict(choices.ProductCategory.choices)
        return {
            "template": "products/partials/promotion_overview.html",
            "discount": discount_in_words(obj),
            "rules": rules_in_words(obj),
            "scope_products": list(obj.products.all()),
            "scope_categories": [categories.get(c, c) for c in obj.categories],
        }

    def tab_history(self, request, obj) -> dict:
        events = history_about(selectors.promotion_history(obj), PROMOTION_HISTORY_LABELS)
        return {"template": "partials/related_history.html", "events": events}


class PromotionDetailView(PromotionDetailMixin, ObjectDetailView):
    """A promotion: what it gives to whom and when, who designed and approved it,
    and Marketing's actions for its current state."""

    def get_title(self, obj) -> str:
        return f"{obj.name} · {obj.code}"

    def get_status(self, obj):
        return obj.get_status_display(), PROMOTION_STATUS_COLOURS.get(obj.status, "secondary")

    def get_actions(self, request, obj) -> list[dict]:
        actions = []
        if obj.status == Status.DRAFT and user_may_open(request, "products:promotion_edit"):
            url = reverse("products:promotion_edit", args=[obj.pk])
            actions.append(action(url, _("Edit"), "pencil", "primary"))
        if user_may_open(request, "products:promotion_status"):
            for target in sorted(choices.PROMOTION_TRANSITIONS[obj.status]):
                label, icon, colour, _title = STATUS_ACTIONS[target]
                url = reverse("products:promotion_status", args=[obj.pk, target])
                actions.append(action(url, label, icon, f"outline-{colour}"))
        return actions


class PromotionTabView(PromotionDetailMixin, ObjectTabView):
    """One tab of the promotion page."""


# --- create / edit ----------------------------------------------------------------------
class PromotionFormView(FormView):
    """Design a promotion or change a draft: discount, window, scope and eligibility
    rules. It starts as a draft; someone else approves it."""

    form_class = PromotionForm
    template_name = "products/promotion_form.html"

    def get_object(self, request, pk):
        return selectors.promotion_get(user=request.user, pk=pk) if pk else None

    def get_title(self, obj) -> str:
        return _("Edit %(name)s") % {"name": obj.name} if obj else _("New promotion")

    def cancel_url(self, obj) -> str:
        return obj.get_absolute_url() if obj else reverse("products:promotion_list")

    def save(self, request, form, obj):
        data = form.service_data()
        products = data.pop("products")
        with transaction.atomic():  # the promotion and its rules, or nothing
            if obj is None:
                promotion = services.promotion_create(actor=request.user, products=products, **data)
            else:
                promotion = services.promotion_update(
                    promotion=obj, actor=request.user, products=products, **data
                )
            return services.promotion_rules_set(
                promotion=promotion, rules=form.rules_data(), actor=request.user
            )


class PromotionStatusView(ObjectActionView):
    """Confirm a step of the workflow; the service refuses what the state machine or
    the four-eyes rule does not allow (shown as an error message)."""

    form_class = None
    SERVICES = {
        Status.APPROVED: services.promotion_approve,
        Status.DRAFT: services.promotion_return_to_draft,
        Status.ACTIVE: services.promotion_activate,
        Status.EXPIRED: services.promotion_expire,
    }

    def _target(self) -> str:
        target = self.kwargs["status"]
        if target not in STATUS_ACTIONS:
            raise Http404(_("No such step."))
        return target

    @property
    def danger(self) -> bool:
        return self._target() == Status.EXPIRED

    def get_object(self, request, pk):
        self._target()
        return selectors.promotion_get(user=request.user, pk=pk)

    def get_title(self, obj) -> str:
        return STATUS_ACTIONS[self._target()][3] % {"name": obj.name}

    def get_consequences(self, obj) -> list[str]:
        target = self._target()
        if target not in choices.PROMOTION_TRANSITIONS[obj.status]:
            return [
                _("A promotion cannot go from %(old)s to %(new)s.")
                % {"old": obj.get_status_display(), "new": Status(target).label}
            ]
        if target == Status.APPROVED:
            lines = [_("It prices baskets of customers who meet its rules.")]
            if obj.valid_from <= timezone.localdate():
                lines.append(_("Its window has started: it goes on sale at once."))
            else:
                lines.append(_("It goes on sale on %(day)s.") % {"day": obj.valid_from})
            if obj.created_by_id == self.request.user.pk:
                lines.append(_("You designed it: another Marketing user must approve it."))
            return lines
        return {
            Status.DRAFT: [_("It no longer prices baskets until it is approved again.")],
            Status.ACTIVE: [_("It prices baskets from today.")],
            Status.EXPIRED: [
                _("Nothing new is priced with it from today."),
                _("Sales already made keep it for the months it promised."),
            ],
        }[target]

    def perform(self, request, obj, form) -> str:
        promotion = self.SERVICES[self._target()](promotion=obj, actor=request.user)
        return _("%(name)s is now %(status)s.") % {
            "name": promotion.name,
            "status": promotion.get_status_display().lower(),
        }
