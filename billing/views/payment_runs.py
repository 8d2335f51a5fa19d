"""Direct-debit payment runs and SEPA mandates (BIL-3): the list of runs, drafting a
run, the run page (preview with exclusions, export, the SEPA file, the upload of
the bank's rejections), and the mandates of a billing account (its tab, the form
registering one, revoking one). Billing & Finance runs them; Back Office looks.

Views stay thin: reads come from ``billing.services.payment_runs`` (its read
helpers), every write is one call of a service there.
"""

from datetime import timedelta

import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from alux_crm.core.access import rule_for
from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectFormView, ObjectListView
from alux_crm.core.selectors import working_calendar
from alux_crm.core.tables import StatusColumn
from customers import selectors as customer_selectors

from ..choices import MandateStatus, PaymentRunStatus
from ..models import DirectDebitMandate, PaymentRun
from ..services import payment_runs as services

ITEMS_PER_PAGE = 100
RUN_STATUS_COLOURS = {
    PaymentRunStatus.DRAFT: "warning",
    PaymentRunStatus.EXPORTED: "primary",
    PaymentRunStatus.CLOSED: "success",
    PaymentRunStatus.DISCARDED: "secondary",
}
COLLECTION_STATUS_COLOURS = {"pending": "warning", "collected": "success", "rejected": "danger"}
MANDATE_STATUS_COLOURS = {"active": "success", "revoked": "secondary"}


def _may(request, url_name: str) -> bool:
    """Whether the access matrix lets the user open ``url_name``."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


def masked_iban(iban: str) -> str:
    """An IBAN for screens: the country, check digits and the last four characters."""
    return f"{iban[:4]} •••• {iban[-4:]}" if len(iban) > 8 else iban


# --- forms ------------------------------------------------------------------------------------
class PaymentRunForm(forms.Form):
    """Draft a payment run: the day the bank collects."""

    collection_date = forms.DateField(
        label=gettext_lazy("Collection date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "A working day after today; the bank receives the file the working day before."
        ),
    )


class MandateForm(forms.Form):
    """Register a signed SEPA mandate (the service checks IBAN, BIC and reference)."""

    reference = forms.CharField(
        label=gettext_lazy("Mandate reference"),
        max_length=35,
        help_text=gettext_lazy("As printed on the signed mandate; unique."),
    )
    debtor_name = forms.CharField(label=gettext_lazy("Account holder"), max_length=70)
    iban = forms.CharField(
        label=gettext_lazy("IBAN"),
        max_length=42,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label=gettext_lazy("BIC"),
        max_length=11,
        required=False,
        help_text=gettext_lazy("Optional inside the SEPA zone."),
    )
    signed_on = forms.DateField(
        label=gettext_lazy("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class RejectionUploadForm(forms.Form):
    """The bank's rejected collections: a CSV or its pain.002 status report."""

    file = forms.FileField(
        label=gettext_lazy("Rejections file"),
        help_text=gettext_lazy(
            "A CSV of end-to-end id and reason code (e.g. DD12-BA-000034,AM04), or the "
            "bank's pain.002 status report (XML). At most 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xml,text/csv,text/xml"}),
    )


# --- list and drafting ----------------------------------------------------------------------------
class PaymentRunStatusColumn(StatusColumn):
    """A payment run's status as a coloured badge."""

    COLOURS = RUN_STATUS_COLOURS


class PaymentRunTable(tables.Table):
    """Payment runs with their counters."""

    id = tables.Column(linkify=True, verbose_name="#")
    collection_date = tables.DateColumn(
        verbose_name=gettext_lazy("Collection date"), format="Y-m-d"
    )
    status = PaymentRunStatusColumn(verbose_name=gettext_lazy("Status"))
    collections = tables.Column(
        verbose_name=gettext_lazy("Collections"), attrs={"td": {"class": "text-end"}}
    )
    total = tables.Column(
        verbose_name=gettext_lazy("Total"), attrs={"td": {"class": "text-end text-nowrap"}}
    )
    rejected = tables.Column(
        verbose_name=gettext_lazy("Rejected"), attrs={"td": {"class": "text-end"}}
    )
    rejected_total = tables.Column(
        verbose_name=gettext_lazy("Rejected total"),
        attrs={"td": {"class": "text-end text-nowrap"}},
    )
    exported_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Exported"), format="Y-m-d H:i", default="—"
    )

    class Meta:
        model = PaymentRun
        fields = [
            "id",
            "collection_date",
            "status",
            "collections",
            "total",
            "rejected",
            "rejected_total",
            "exported_at",
        ]
        attrs = {"class": "table table-hover align-middle"}


class PaymentRunListView(ObjectListView):
    """Direct-debit payment runs, newest collection date first."""

    title = gettext_lazy("Payment runs")
    table_class = PaymentRunTable
    create_url_name = "billing:payment_run_create"
    export_name = "payment-runs"

    def get_queryset(self, request):
        return services.payment_run_list()

    def get_actions(self, request) -> list[dict]:
        if not _may(request, self.create_url_name):
            return []
        return [
            {
                "label": _("New payment run"),
                "url": reverse(self.create_url_name),
                "icon": "bank",
            }
        ]


class PaymentRunCreateView(ObjectFormView):
    """Draft a payment run for a collection date (Billing & Finance)."""

    form_class = PaymentRunForm
    title = gettext_lazy("New direct-debit payment run")

    def get_form(self, request, obj, data=None):
        calendar = working_calendar()
        first = calendar.next_working_day(timezone.localdate() + timedelta(days=1))
        return PaymentRunForm(data, initial={"collection_date": first})

    def cancel_url(self, obj) -> str:
        return reverse("billing:payment_run_list")

    def save(self, request, form, obj):
        return services.payment_run_create(
            collection_date=form.cleaned_data["collection_date"], actor=request.user
        )


# --- the run page -------------------------------------------------------------------------------
RUN_ACTIONS = {
    "export": {
        "label": gettext_lazy("Export SEPA file"),
        "icon": "file-earmark-arrow-down",
        "style": "primary",
        "statuses": (PaymentRunStatus.DRAFT,),
    },
    "close": {
        "label": gettext_lazy("Close"),
        "icon": "check2-circle",
        "style": "success",
        "statuses": (PaymentRunStatus.EXPORTED,),
    },
    "discard": {
        "label": gettext_lazy("Discard"),
        "icon": "trash",
        "style": "outline-danger",
        "statuses": (PaymentRunStatus.DRAFT,),
    },
}


def run_context(request, run: PaymentRun, *, upload_form=None, upload_errors=None) -> dict:
    """What the run page shows: summary, actions, a page of collections (with the
    problems that block an export), the rejection upload."""
    operator = _may(request, "billing:payment_run_action")
    page = Paginator(services.payment_run_items(run=run), ITEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    problems = services.collection_problems(items) if run.status == PaymentRunStatus.DRAFT else {}
    rows = [
        {
            "item": item,
            "iban": masked_iban(item.mandate.iban),
            "colour": COLLECTION_STATUS_COLOURS.get(item.status, "secondary"),
            "reason": services.reason_label(item.reject_reason) if item.reject_reason else "",
            "problem": problems.get(item.pk, ""),
        }
        for item in items
    ]
    actions = [
        {
            "name": name,
            "url": reverse("billing:payment_run_action", args=[run.pk, name]),
            **{key: spec[key] for key in ("label", "icon", "style")},
        }
        for name, spec in RUN_ACTIONS.items()
        if operator and run.status in spec["statuses"]
    ]
    return {
        "title": str(run),
        "run": run,
        "object": run,
        "status_colour": RUN_STATUS_COLOURS.get(run.status, "secondary"),
        "actions": actions,
        "page": page,
        "rows": rows,
        "may_exclude": operator and run.status == PaymentRunStatus.DRAFT,
        "may_upload": operator and run.status == PaymentRunStatus.EXPORTED,
        "upload_form": upload_form or RejectionUploadForm(),
        "upload_errors": upload_errors or [],
    }


class PaymentRunDetailView(View):
    """A payment run: its summary and status, the collections (the preview of a draft,
    with checkboxes to exclude), its actions, the SEPA file and the rejections."""

    template_name = "billing/payment_run_detail.html"

    def get(self, request, pk: int):
        run = get_object_or_404(services.payment_run_list(), pk=pk)
        return render(request, self.template_name, run_context(request, run))


class PaymentRunExcludeView(View):
    """Take the ticked collections out of a draft run (POST)."""

    def post(self, request, pk: int):
        run = get_object_or_404(PaymentRun, pk=pk)
        ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        if not ids:
            messages.warning(request, _("Tick the collections to exclude."))
            return redirect(run.get_absolute_url())
        try:
            removed = services.payment_run_exclude(run=run, item_ids=ids, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s collection excluded.", "%(count)s collections excluded.", removed
                )
                % {"count": removed},
            )
        return redirect(run.get_absolute_url())


class PaymentRunRejectionsView(View):
    """Upload the bank's rejections (POST); every bad row is shown and nothing is
    imported until the file is right."""

    def post(self, request, pk: int):
        run = get_object_or_404(services.payment_run_list(), pk=pk)
        form = RejectionUploadForm(request.POST, request.FILES)
        errors: list[str] = []
        if form.is_valid():
            try:
                result = services.payment_run_import_rejections(
                    run=run, uploaded_file=form.cleaned_data["file"], actor=request.user
                )
            except ValidationError as exc:
                errors = exc.messages
            except DomainError as exc:
                errors = [str(exc)]
            else:
                messages.success(
                    request,
                    _(
                        "%(rejected)s collections taken back (%(amount)s); "
                        "%(already)s were taken back before."
                    )
                    % {
                        "rejected": result.rejected,
                        "amount": result.amount,
                        "already": result.already,
                    },
                )
                return redirect(run.get_absolute_url())
        run.refresh_from_db()
        context = run_context(request, run, upload_form=form, upload_errors=errors)
        return render(request, "billing/payment_run_detail.html", context, status=422)


def payment_run_file(request, pk: int):
    """Download the run's SEPA direct-debit file (pain.008 XML)."""
    run = get_object_or_404(PaymentRun, pk=pk)
    if not run.file:
        messages.info(request, _("The SEPA file is made when the run is exported."))
        return redirect(run.get_absolute_url())
    try:
        handle = run.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"sepa-direct-debit-{run.pk}-{run.collection_date:%Y%m%d}.xml",
        content_type="application/xml",
    )


class PaymentRunActionView(ObjectActionView):
    """Confirm and perform export, close or discard of a run (Billing & Finance).
    A refused step is a message on the run page, never a 500."""

    form_class = None

    def _check(self, action: str) -> None:
        """Know the action (404 otherwise) and whether it is dangerous."""
        if action not in RUN_ACTIONS:
            raise Http404("No such action.")
        self.action = action
        self.danger = action == "discard"

    def get_object(self, request, pk):
        return get_object_or_404(PaymentRun, pk=pk)

    def get(self, request, pk: int, action: str = ""):
        self._check(action)
        return super().get(request, pk)

    def post(self, request, pk: int, action: str = ""):
        self._check(action)
        if not _may(request, "billing:payment_run_action"):
            raise PermissionDenied
        return super().post(request, pk)

    def get_title(self, obj) -> str:
        return _("%(action)s: %(run)s") % {"action": RUN_ACTIONS[self.action]["label"], "run": obj}

    def get_consequences(self, obj) -> list[str]:
        return {
            "export": [
                ngettext(
                    "The SEPA file collects %(count)s account, %(total)s in all, on %(date)s.",
                    "The SEPA file collects %(count)s accounts, %(total)s in all, on %(date)s.",
                    obj.collections,
                )
                % {"count": obj.collections, "total": obj.total, "date": obj.collection_date},
                _("Each collection is booked as a direct-debit payment and settles invoices."),
                _("Send the file to the bank; rejected collections are uploaded here later."),
            ],
            "close": [
                _("Collections not rejected count as collected."),
                _("No more rejections can be uploaded to this run."),
            ],
            "discard": [_("Nothing is collected; the accounts can go into another run.")],
        }[self.action]

    def perform(self, request, obj, form) -> str:
        if self.action == "export":
            services.payment_run_export(run=obj, actor=request.user)
            return _("The SEPA file is ready to download and send to the bank.")
        if self.action == "close":
            services.payment_run_close(run=obj, actor=request.user)
            return _("The payment run is closed.")
        services.payment_run_discard(run=obj, actor=request.user)
        return _("The payment run is discarded.")


# --- mandates -----------------------------------------------------------------------------------
def mandates_tab(request, account) -> dict:
    """The Mandates tab of a billing account: its mandates (IBANs shown in full only
    to who may manage mandates) and the buttons to add or revoke one."""
    editor = _may(request, "billing:mandate_create")
    mandates = [
        {
            "mandate": m,
            "iban": m.iban if editor else masked_iban(m.iban),
            "colour": MANDATE_STATUS_COLOURS.get(m.status, "secondary"),
            "revoke_url": (
                reverse("billing:mandate_revoke", args=[m.pk])
                if editor and m.status == MandateStatus.ACTIVE
                else ""
            ),
        }
        for m in services.account_mandates(account=account)
    ]
    return {
        "template": "billing/mandate_tab.html",
        "mandates": mandates,
        "create_url": reverse("billing:mandate_create", args=[account.pk]) if editor else "",
    }


def _account_tab_url(account_id: int) -> str:
    """The Mandates tab of a billing account."""
    return reverse("customers:billing_account_detail", args=[account_id]) + "?tab=mandates"


class MandateCreateView(ObjectFormView):
    """Register the SEPA mandate a customer signed for a billing account."""

    form_class = MandateForm

    def get_object(self, request, pk):
        return customer_selectors.billing_account_get(user=request.user, pk=pk)

    def get_form(self, request, obj, data=None):
        return MandateForm(data, initial={"debtor_name": obj.customer.name})

    def get_title(self, obj) -> str:
        return _("New direct-debit mandate for %(number)s") % {"number": obj.number}

    def cancel_url(self, obj) -> str:
        return _account_tab_url(obj.pk)

    def save(self, request, form, obj):
        return services.mandate_create(billing_account=obj, actor=request.user, **form.cleaned_data)

    def success_url(self, saved) -> str:
        return _account_tab_url(saved.billing_account_id)


class MandateRevokeView(ObjectActionView):
    """Confirm and revoke a mandate."""

    form_class = None

    def get_object(self, request, pk):
        mandate = get_object_or_404(
            DirectDebitMandate.objects.select_related("billing_account"), pk=pk
        )
        customer_selectors.billing_account_get(user=request.user, pk=mandate.billing_account_id)
        return mandate

    def get_title(self, obj) -> str:
        return _("Revoke the mandate %(reference)s") % {"reference": obj.reference}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("The account is no longer collected by payment runs."),
            _("Its collections in draft runs are taken out; exported ones stand."),
            _("The account pays by bank transfer from now on."),
        ]

    def success_url(self, obj) -> str:
        return _account_tab_url(obj.billing_account_id)

    def perform(self, request, obj, form) -> str:
        services.mandate_revoke(mandate=obj, actor=request.user)
        return _("The mandate %(reference)s is revoked.") % {"reference": obj.reference}
