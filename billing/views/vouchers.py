"""Prepaid vouchers (SUB-9): the batches (list, a new batch answered with its CSV of
codes for the printer, the batch page with its redeemed vouchers and the void
action) for Billing & Finance, and the "Redeem a voucher" page for agents and
retailers.

The codes exist in clear only in the CSV answered to the POST that generates the
batch; nothing can show them again. A retailer redeems only on subscriptions of its
own customers (``subscriptions.selectors``: another's is a 404).

The reads below are the voucher selectors (kept beside their only users); the
writes are ``billing.services.vouchers``.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.access import rule_for
from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectListView
from alux_crm.core.selectors import operator_settings
from subscriptions import selectors as subscription_selectors

from ..choices import VoucherStatus
from ..models import Voucher, VoucherBatch
from ..services import vouchers as voucher_services

REDEEMED_PER_PAGE = 50
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
NOWRAP = {"td": {"class": "text-nowrap"}}


def _may_open(user, url_name: str) -> bool:
    """True when the access matrix lets ``user`` open ``url_name`` (to show a button)."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(user)


# --- selectors ------------------------------------------------------------------------


def voucher_batch_list() -> QuerySet[VoucherBatch]:
    """Batches, newest first, with how many of their vouchers are issued, redeemed
    and void (one query, counted in the database)."""
    return VoucherBatch.objects.select_related("created_by").annotate(
        issued_count=Count("vouchers", filter=Q(vouchers__status=VoucherStatus.ISSUED)),
        redeemed_count=Count("vouchers", filter=Q(vouchers__status=VoucherStatus.REDEEMED)),
        void_count=Count("vouchers", filter=Q(vouchers__status=VoucherStatus.VOID)),
    )


def voucher_batch_get(*, pk: int) -> VoucherBatch:
    """One batch with its counts, or 404."""
    return get_object_or_404(voucher_batch_list(), pk=pk)


def vouchers_redeemed(*, batch: VoucherBatch) -> QuerySet[Voucher]:
    """The redeemed vouchers of ``batch``, latest first, with their subscription,
    customer and agent."""
    return (
        Voucher.objects.filter(batch=batch, status=VoucherStatus.REDEEMED)
        .select_related("subscription__customer", "redeemed_by")
        .order_by("-redeemed_at", "-pk")
    )


# --- forms ------------------------------------------------------------------------------


class VoucherBatchForm(forms.Form):
    """The terms of a new batch; the service checks them again."""

    value = forms.DecimalField(
        label=gettext_lazy("Value of each voucher"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )
    currency = forms.CharField(label=gettext_lazy("Currency"), min_length=3, max_length=3)
    quantity = forms.IntegerField(
        label=gettext_lazy("Number of vouchers"),
        min_value=1,
        max_value=voucher_services.MAX_BATCH_QUANTITY,
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The last day a voucher can be redeemed."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example the shop or the campaign the cards are for."),
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()


class VoucherRedeemForm(forms.Form):
    """A code and the subscription it tops up."""

    code = forms.CharField(
        label=gettext_lazy("Voucher code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX-XXXX",
                "class": "font-monospace",
            }
        ),
    )
    subscription = forms.CharField(
        label=gettext_lazy("Subscription number"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "SUB-000123", "autocomplete": "off"}),
    )

    def clean_subscription(self) -> str:
        return self.cleaned_data["subscription"].strip().upper()


# --- tables ------------------------------------------------------------------------------


class VoucherBatchTable(tables.Table):
    """Batches with their value and how many vouchers are left, used and void."""

    number = tables.Column(linkify=True, verbose_name=gettext_lazy("Batch"), attrs=NOWRAP)
    description = tables.Column(verbose_name=gettext_lazy("Description"))
    value = tables.Column(verbose_name=gettext_lazy("Value"), attrs=NUMBER)
    currency = tables.Column(verbose_name=gettext_lazy("Currency"))
    valid_from = tables.DateColumn(verbose_name=gettext_lazy("Valid from"), format="Y-m-d")
    valid_until = tables.DateColumn(verbose_name=gettext_lazy("Valid until"), format="Y-m-d")
    quantity = tables.Column(verbose_name=gettext_lazy("Vouchers"), attrs=NUMBER)
    issued_count = tables.Column(verbose_name=gettext_lazy("Unused"), attrs=NUMBER)
    redeemed_count = tables.Column(verbose_name=gettext_lazy("Redeemed"), attrs=NUMBER)
    void_count = tables.Column(verbose_name=gettext_lazy("Void"), attrs=NUMBER)
    created_at = tables.DateTimeColumn(verbose_name=gettext_lazy("Created"), format="Y-m-d H:i")

    class Meta:
        model = VoucherBatch
        fields = [
            "number",
            "description",
            "value",
            "currency",
            "valid_from",
            "valid_until",
            "quantity",
            "issued_count",
            "redeemed_count",
            "void_count",
            "created_at",
        ]
        attrs = {"class": "table table-hover align-middle"}


# --- views --------------------------------------------------------------------------------


class VoucherBatchListView(ObjectListView):
    """The voucher batches with their counts."""

    title = gettext_lazy("Voucher batches")
    table_class = VoucherBatchTable
    create_url_name = "billing:voucher_batch_create"
    export_name = "voucher-batches"

    def get_queryset(self, request):
        return voucher_batch_list()

    def get_actions(self, request) -> list[dict]:
        if not _may_open(request.user, self.create_url_name):
            return []
        url = reverse(self.create_url_name)
        return [{"label": _("New batch"), "url": url, "icon": "plus-lg"}]


def _codes_csv(batch: VoucherBatch, pairs: list[tuple[str, str]]) -> HttpResponse:
    """The printer's file: one line per voucher (serial, code, value, currency, valid
    until). Never cached: it is the only copy of the codes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["serial", "code", "value", "currency", "valid_until"])
    value, currency, until = f"{batch.value:.2f}", batch.currency, batch.valid_until.isoformat()
    writer.writerows([serial, code, value, currency, until] for serial, code in pairs)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vouchers-{batch.number}.csv"'
    response["Cache-Control"] = "no-store"
    return response


class VoucherBatchCreateView(View):
    """A new batch (Billing & Finance). The POST generates it and answers with the CSV
    of its codes — the only time they can be seen."""

    template_name = "billing/voucher_batch_form.html"

    def _render(self, request, form, status: int = 200) -> HttpResponse:
        context = {
            "title": _("New voucher batch"),
            "form": form,
            "cancel_url": reverse("billing:voucher_batch_list"),
            "max_quantity": voucher_services.MAX_BATCH_QUANTITY,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        today = timezone.localdate()
        initial = {
            "currency": operator_settings().currency,
            "valid_from": today,
            "valid_until": today + timedelta(days=365),
            "quantity": 100,
        }
        return self._render(request, VoucherBatchForm(initial=initial))

    def post(self, request):
        form = VoucherBatchForm(request.POST)
        if form.is_valid():
            try:
                batch, pairs = voucher_services.voucher_batch_generate(
                    **form.cleaned_data, actor=request.user
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Batch %(batch)s generated: its codes were downloaded as a CSV file.")
                    % {"batch": batch.number},
                )
                return _codes_csv(batch, pairs)
        return self._render(request, form, status=422)


class VoucherBatchDetailView(View):
    """A batch: its terms, counts, redeemed vouchers (paginated) and the void action."""

    template_name = "billing/voucher_batch_detail.html"

    def get(self, request, pk: int):
        batch = voucher_batch_get(pk=pk)
        page = Paginator(vouchers_redeemed(batch=batch), REDEEMED_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context = {
            "title": batch.number,
            "batch": batch,
            "object": batch,
            "page": page,
            "today": timezone.localdate(),
            "may_void": batch.issued_count > 0
            and _may_open(request.user, "billing:voucher_batch_void"),
        }
        return render(request, self.template_name, context)


class VoucherBatchVoidView(ObjectActionView):
    """Void the unused vouchers of a lost or stolen batch (Billing & Finance)."""

    form_class = None

    def get_object(self, request, pk: int):
        return voucher_batch_get(pk=pk)

    def get_title(self, obj) -> str:
        return _("Void the voucher batch %(batch)s") % {"batch": obj.number}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("Its %(count)s unused vouchers can no longer be redeemed.")
            % {"count": obj.issued_count},
            _("Vouchers already redeemed stay redeemed; balances do not change."),
            _("This cannot be undone."),
        ]

    def perform(self, request, obj, form) -> str:
        count = voucher_services.voucher_batch_void(batch=obj, actor=request.user)
        return _("%(count)s vouchers of batch %(batch)s are void.") % {
            "count": count,
            "batch": obj.number,
        }


class VoucherRedeemView(View):
    """Redeem a voucher as a top-up of a prepaid subscription (agents, retailers).
    The subscription is found among those the user may see: another partner's, or
    an unknown number, is a 404 with the form."""

    template_name = "billing/voucher_redeem.html"

    def _subscription(self, request, number: str):
        """The subscription ``number`` the user may see, or None."""
        if not number:
            return None
        return (
            subscription_selectors.subscription_list(user=request.user)
            .filter(number=number)
            .first()
        )

    def _render(self, request, form, subscription=None, status: int = 200) -> HttpResponse:
        context = {"title": _("Redeem a voucher"), "form": form, "subscription": subscription}
        return render(request, self.template_name, context, status=status)

    def _not_found(self, request, form) -> HttpResponse:
        """The same answer for an unknown number and another partner's subscription."""
        message = _("No subscription with this number that you may see.")
        if form.is_bound:
            form.add_error("subscription", message)
        else:
            messages.error(request, message)
        return self._render(request, form, status=404)

    def get(self, request):
        number = request.GET.get("subscription", "").strip().upper()
        form = VoucherRedeemForm(initial={"subscription": number})
        if not number:
            return self._render(request, form)
        subscription = self._subscription(request, number)
        if subscription is None:
            return self._not_found(request, form)
        return self._render(request, form, subscription)

    def post(self, request):
        form = VoucherRedeemForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=422)
        subscription = self._subscription(request, form.cleaned_data["subscription"])
        if subscription is None:
            return self._not_found(request, form)
        try:
            voucher = voucher_services.voucher_redeem(
                code=form.cleaned_data["code"], subscription=subscription, actor=request.user
            )
        except DomainError as exc:
            about_subscription = exc.code in ("voucher_not_prepaid", "voucher_ended")
            form.add_error("subscription" if about_subscription else "code", str(exc))
            return self._render(request, form, subscription, status=422)
        subscription.refresh_from_db(fields=["prepaid_balance", "status"])
        messages.success(
            request,
            _(
                "Voucher %(serial)s redeemed: %(value)s %(currency)s added to %(subscription)s. "
                "The balance is now %(balance)s %(currency)s."
            )
            % {
                "serial": voucher.serial,
                "value": voucher.batch.value,
                "currency": voucher.batch.currency,
                "subscription": subscription.number,
                "balance": subscription.prepaid_balance,
            },
        )
        return redirect(subscription.get_absolute_url())
