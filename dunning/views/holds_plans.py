"""Payment plans (holds): the list, the form whose instalments are previewed (htmx)
before the plan is saved, the plan with its instalments and its cancellation."""

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectListView

from ..choices import PaymentPlanStatus
from ..filters_holds import PaymentPlanFilter
from ..forms_holds import PaymentPlanForm
from ..selectors_holds import payment_plan_get, payment_plan_list
from ..services.payment_plans import (
    covered_amount,
    instalment_grace_days,
    payment_plan_cancel,
    payment_plan_create,
    split_evenly,
)
from ..tables_holds import INSTALMENT_COLOURS, PLAN_COLOURS, PaymentPlanTable
from .holds_common import account_from_number, account_from_query, may_open


class PaymentPlanListView(ObjectListView):
    """Payment plans of the accounts the user may see, newest first."""

    title = gettext_lazy("Payment plans")
    table_class = PaymentPlanTable
    filterset_class = PaymentPlanFilter
    export_name = "payment-plans"

    def get_queryset(self, request):
        return payment_plan_list(user=request.user)

    def get_actions(self, request) -> list[dict]:
        base = reverse("dunning:payment_plan_list")
        actions = [{"label": _("Active"), "url": f"{base}?status=active", "icon": "calendar-check"}]
        if may_open(request, "dunning:payment_plan_create"):
            url = reverse("dunning:payment_plan_create")
            actions.append({"label": _("New payment plan"), "url": url, "icon": "plus-lg"})
        return actions


def _preview(form) -> tuple[list, str]:
    """The instalments the form's numbers make, or why they cannot be made."""
    if not form.is_valid():
        return [], ""
    data = form.cleaned_data
    try:
        rows = split_evenly(
            total=data["total"], count=data["count"], first_due_on=data["first_due_on"]
        )
    except ValidationError as exc:
        return [], " ".join(exc.messages)
    return [
        {"number": n, "due_on": day, "amount": amount}
        for n, (day, amount) in enumerate(rows, start=1)
    ], ""


class PaymentPlanCreateView(View):
    """Agree a payment plan: a total (the overdue amount when opened from an account)
    split into monthly instalments, shown before saving ("Preview", or live by htmx)."""

    template_name = "dunning/holds/payment_plan_form.html"

    def get(self, request):
        context = account_from_query(request)
        initial = {"count": 3}
        if context is not None:
            amount = context.suggested_amount
            initial.update(
                account_number=context.account.number,
                total=amount if amount > 0 else None,
                first_due_on=timezone.localdate() + relativedelta(days=7),
            )
        form = PaymentPlanForm(user=request.user, initial=initial)
        return self._render(request, form, context, [])

    def post(self, request):
        form = PaymentPlanForm(request.POST, user=request.user)
        rows, problem = _preview(form)
        context = account_from_number(request, form.cleaned_data.get("account_number", ""))
        if request.htmx or "preview" in request.POST:
            if request.htmx:
                return render(
                    request,
                    "dunning/holds/_instalment_preview.html",
                    {"rows": rows, "problem": problem, "form": form, "account_context": context},
                )
            return self._render(request, form, context, rows, problem)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = payment_plan_create(
                    account=form.account,
                    total=data["total"],
                    count=data["count"],
                    first_due_on=data["first_due_on"],
                    note=data["note"],
                    actor=request.user,
                )
            except ValidationError as exc:
                problem = " ".join(exc.messages)
            except DomainError as exc:
                problem = str(exc)
            else:
                messages.success(
                    request,
                    _("Payment plan of %(n)s instalments agreed: dunning waits while it is kept.")
                    % {"n": data["count"]},
                )
                return redirect(plan.get_absolute_url())
        if problem:
            form.add_error(None, problem)
        return self._render(request, form, context, rows, status=422)

    def _render(self, request, form, context, rows, problem="", status=200) -> HttpResponse:
        cancel = (
            context.account.get_absolute_url() if context else reverse("dunning:payment_plan_list")
        )
        data = {
            "title": _("New payment plan"),
            "form": form,
            "rows": rows,
            "problem": problem,
            "account_context": context,
            "cancel_url": cancel,
        }
        return render(request, self.template_name, data, status=status)


class PaymentPlanDetailView(View):
    """A payment plan with its instalments (status, what is covered so far)."""

    def get(self, request, pk: int):
        plan = payment_plan_get(user=request.user, pk=pk)
        instalments = list(plan.instalments.all())
        for instalment in instalments:
            instalment.colour = INSTALMENT_COLOURS.get(instalment.status, "secondary")
        context = {
            "title": _("Payment plan #%(pk)s") % {"pk": plan.pk},
            "plan": plan,
            "object": plan,
            "instalments": instalments,
            "covered": covered_amount(plan=plan),
            "grace_days": instalment_grace_days(),
            "status_colour": PLAN_COLOURS.get(plan.status, "secondary"),
            "can_cancel": plan.status == PaymentPlanStatus.ACTIVE
            and may_open(request, "dunning:payment_plan_cancel"),
        }
        return render(request, "dunning/holds/payment_plan_detail.html", context)


class PaymentPlanCancelView(ObjectActionView):
    """End an active plan by agreement (dunning resumes)."""

    form_class = None

    def get_object(self, request, pk):
        return payment_plan_get(user=request.user, pk=pk)

    def get_title(self, obj) -> str:
        return _("Cancel payment plan #%(pk)s") % {"pk": obj.pk}

    def get_consequences(self, obj) -> list[str]:
        return [_("Dunning of account %(number)s resumes.") % {"number": obj.billing_account}]

    def perform(self, request, obj, form) -> str:
        payment_plan_cancel(plan=obj, actor=request.user)
        return _("The payment plan is cancelled.")
