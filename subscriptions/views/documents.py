"""Contract documents (SUB-7): download through an access-checked view, generate a
contract or addendum with changed clauses, e-mail it, upload the signed scan."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core.errors import DomainError

from .. import selectors, services
from ..forms import DocumentForm, SignedScanForm
from .base import ServiceActionView, add_service_errors, get_subscription


def _documents_tab(subscription) -> str:
    return f"{subscription.get_absolute_url()}?tab=documents"


def _file_response(field, filename: str):
    if not field:
        raise Http404(_("There is no such file."))
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(handle, as_attachment=True, filename=filename)


def document_pdf(request, pk: int):
    """The PDF of a contract or addendum of a subscription the user may see (never a
    public media URL)."""
    document = selectors.document_get(user=request.user, pk=pk)
    return _file_response(document.pdf, f"{document.number}.pdf")


def document_signed(request, pk: int):
    """The signed scan uploaded back."""
    document = selectors.document_get(user=request.user, pk=pk)
    extension = document.signed_scan.name.rsplit(".", 1)[-1] if document.signed_scan else "pdf"
    return _file_response(document.signed_scan, f"{document.number}-signed.{extension}")


class DocumentCreateView(View):
    """Generate the contract (or an addendum for a change order) as PDF in the
    customer's language: one textarea per clause with the standard text; only the
    clauses changed are sent and listed in the document."""

    template_name = "subscriptions/document_form.html"

    def _form(self, subscription, data=None):
        return DocumentForm(
            data,
            change_orders=subscription.change_orders.exclude(status="cancelled"),
            language=subscription.customer.language,
        )

    def get(self, request, pk: int):
        subscription = get_subscription(request, pk)
        return self._render(request, subscription, self._form(subscription))

    def post(self, request, pk: int):
        subscription = get_subscription(request, pk)
        form = self._form(subscription, request.POST)
        if form.is_valid():
            try:
                document = services.contract_generate(
                    subscription=subscription,
                    actor=request.user,
                    modified_clauses=form.changed_clauses(),
                    change_order=form.cleaned_data["change_order"],
                    language=subscription.customer.language,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(n)s is ready.") % {"n": document.number})
                return redirect(_documents_tab(subscription))
        return self._render(request, subscription, form, status=422)

    def _render(self, request, subscription, form, status: int = 200):
        context = {
            "object": subscription,
            "form": form,
            "title": _("New document for %(number)s") % {"number": subscription.number},
            "cancel_url": _documents_tab(subscription),
        }
        return render(request, self.template_name, context, status=status)


class DocumentActionView(ServiceActionView):
    """An action on one document; the page belongs to its subscription."""

    danger = False

    def get_object(self, request, pk):
        return selectors.document_get(user=request.user, pk=pk)

    def success_url(self, obj) -> str:
        return _documents_tab(obj.subscription)


class DocumentEmailView(DocumentActionView):
    """E-mail the document to the customer (through the outbox)."""

    form_class = None

    def get_title(self, obj) -> str:
        return _("E-mail %(n)s to the customer") % {"n": obj.number}

    def get_consequences(self, obj) -> list[str]:
        subscription = obj.subscription
        to = subscription.billing_account.invoice_email or subscription.customer.email
        if not to:
            return [_("The customer has no e-mail address.")]
        lines = [_("The PDF is sent to %(to)s.") % {"to": to}]
        if obj.emailed_at:
            lines.append(_("It was already sent on %(at)s.") % {"at": f"{obj.emailed_at:%Y-%m-%d}"})
        return lines

    def perform(self, request, obj, form) -> str:
        services.contract_email(document=obj, actor=request.user)
        return _("%(n)s was e-mailed to the customer.") % {"n": obj.number}


class DocumentUploadView(DocumentActionView):
    """Upload the signed scan of a document (a PDF or an image)."""

    form_class = SignedScanForm
    template_name = "subscriptions/confirm.html"

    def make_form(self, request, obj, data=None, files=None):
        return SignedScanForm(data, files)

    def get_title(self, obj) -> str:
        return _("Signed scan of %(n)s") % {"n": obj.number}

    def get_consequences(self, obj) -> list[str]:
        if obj.signed_scan:
            return [_("It replaces the scan uploaded on %(at)s.") % {"at": obj.signed_uploaded_at}]
        return [_("The scan is kept with the subscription's documents.")]

    def perform(self, request, obj, form) -> str:
        try:
            services.contract_upload_signed(
                document=obj, upload=form.cleaned_data["scan"], actor=request.user
            )
        except ValidationError as exc:
            raise ValidationError({"scan": exc.messages}) from exc
        return _("The signed %(n)s is kept.") % {"n": obj.number}
