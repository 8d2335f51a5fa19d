"""Accounts in dunning (filters, CSV), the collection agency's CSV, letters to print
(one PDF or a zip, marking them printed), a letter's PDF, and the collection
settings of a billing account (its own plan, "never disconnect")."""

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from alux_crm.core.generic_views import ObjectFormView, ObjectListView, _Echo
from customers.selectors import billing_account_get

from .. import selectors_engine as selectors
from ..filters_engine import AccountInDunningFilter
from ..forms_engine import CollectionSettingsForm
from ..selectors import overdue_accounts
from ..services import engine_letters, engine_plans
from ..tables_engine import AccountInDunningTable
from .engine_plans import may


class AccountInDunningListView(ObjectListView):
    """Open dunning processes, filtered by plan, last step, hold and amount; CSV."""

    title = gettext_lazy("Accounts in dunning")
    table_class = AccountInDunningTable
    filterset_class = AccountInDunningFilter
    export_name = "accounts-in-dunning"

    def get_queryset(self, request):
        return selectors.accounts_in_dunning()

    def get_actions(self, request) -> list[dict]:
        return [
            {
                "label": _("Agency hand-overs (CSV)"),
                "url": reverse("dunning:agency_export"),
                "icon": "filetype-csv",
            }
        ]


AGENCY_HEADER = [
    gettext_lazy("Account"),
    gettext_lazy("Customer"),
    gettext_lazy("Customer number"),
    gettext_lazy("ID number"),
    gettext_lazy("Address"),
    gettext_lazy("Phone"),
    gettext_lazy("E-mail"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
    gettext_lazy("Oldest due date"),
    gettext_lazy("Invoices"),
    gettext_lazy("Handed over on"),
]


def agency_export(request):
    """CSV of the accounts handed over to the collection agency (still owing): who
    they are, where to find them, and what they owe today."""
    records = list(selectors.agency_handovers())
    today = timezone.localdate()
    owed = overdue_accounts(today=today, account_ids=[r.billing_account_id for r in records])

    def rows():
        yield [str(label) for label in AGENCY_HEADER]
        for record in records:
            account, now = record.billing_account, owed.get(record.billing_account_id)
            customer = account.customer
            yield [
                account.number,
                customer.display_name,
                customer.number,
                customer.id_number or customer.registration_number,
                str(account.billing_address or ""),
                customer.phone,
                account.invoice_email or customer.email,
                now.amount if now else record.process.overdue_amount,
                account.currency,
                (now.oldest_due_on if now else record.process.due_on).isoformat(),
                now.invoices if now else "",
                record.done_on.isoformat(),
            ]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="agency-{today:%Y%m%d}.csv"'
    return response


class LetterListView(View):
    """Letters not printed yet; download them as one PDF or a zip (marks them printed)."""

    def get(self, request):
        letters = list(selectors.letters_to_print()[:500])
        return render(
            request,
            "dunning/engine/letter_list.html",
            {
                "title": _("Letters to print"),
                "letters": letters,
                "can_print": may(request, "dunning:letter_print"),
            },
        )


@require_POST
def letter_print(request):
    """The chosen letters (all listed when none chosen) as one PDF or a zip."""
    ids = [int(pk) for pk in request.POST.getlist("letter") if pk.isdigit()]
    if not ids:
        ids = list(selectors.letters_to_print().values_list("pk", flat=True)[:500])
    as_zip = request.POST.get("format") == "zip"
    content = engine_letters.letters_print(record_ids=ids, as_zip=as_zip, actor=request.user)
    if not content:
        messages.info(request, _("No letters to print."))
        return redirect("dunning:letter_list")
    day = f"{timezone.localdate():%Y%m%d}"
    kind, name = ("application/pdf", f"letters-{day}.pdf")
    if as_zip:
        kind, name = ("application/zip", f"letters-{day}.zip")
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def letter_pdf(request, pk: int):
    """One letter's PDF (from the timeline)."""
    record = selectors.record_get(pk=pk)
    if record.action != "letter":
        raise Http404("Not a letter.")
    response = HttpResponse(
        engine_letters.letter_pdf_content(record=record), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="letter-{record.pk}.pdf"'
    return response


class CollectionSettingsView(ObjectFormView):
    """A billing account's own plan and "never disconnect" flag (Back Office)."""

    form_class = CollectionSettingsForm

    def get_object(self, request, pk):
        return billing_account_get(user=request.user, pk=pk)

    def get_form(self, request, obj, data=None):
        current = selectors.account_settings(account=obj)
        initial = {}
        if current is not None:
            initial = {
                "plan": current.plan_id,
                "never_disconnect": current.never_disconnect,
                "reason": current.reason,
            }
        return CollectionSettingsForm(data, initial=initial)

    def get_title(self, obj) -> str:
        return _("Collection settings of %(account)s") % {"account": obj}

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def save(self, request, form, obj):
        engine_plans.collection_settings_save(
            billing_account=obj, actor=request.user, **form.cleaned_data
        )
        return obj
