"""The agents' case page (CAS-1, minimal): read the request and the conversation,
answer the customer (e-mailed through the outbox) and move the case on. Queues,
SLAs and transfers come with the cases issue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core.errors import DomainError

from . import selectors, services
from .forms import AgentReplyForm
from .tables import with_status_colours


def attachment_response(case) -> FileResponse:
    """The case's attachment as a download (404 when it has none or it is missing)."""
    if not case.attachment:
        raise Http404
    try:
        handle = case.attachment.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=case.attachment_name or case.attachment.name.rsplit("/", 1)[-1],
        content_type=case.attachment_type or "application/octet-stream",
    )


class CaseDetailView(View):
    """A case with its conversation, and the form to answer the customer and change
    the status (its POST: with a text, ``case_reply``; without, ``case_set_status``)."""

    template_name = "cases/case_detail.html"

    def get(self, request, pk: int):
        case = selectors.case_get(user=request.user, pk=pk)
        return self.render_page(request, case, AgentReplyForm(case=case))

    def post(self, request, pk: int):
        case = selectors.case_get(user=request.user, pk=pk)
        form = AgentReplyForm(request.POST, case=case)
        if form.is_valid():
            text, status = form.cleaned_data["text"].strip(), form.cleaned_data["status"]
            try:
                if text:
                    services.case_reply(case=case, text=text, status=status, actor=request.user)
                else:
                    services.case_set_status(case=case, status=status, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, self._done(case, text))
                return redirect("cases:case_detail", pk=case.pk)
        return self.render_page(request, case, form, status=422)

    def render_page(self, request, case, form, status: int = 200):
        with_status_colours([case])
        context = {
            "title": str(case),
            "case": case,
            "replies": selectors.case_replies(case=case),
            "form": form,
        }
        return render(request, self.template_name, context, status=status)

    @staticmethod
    def _done(case, text: str) -> str:
        if not text:
            return _("Status changed.")
        if case.customer.email:
            return _("Answer sent to %(email)s.") % {"email": case.customer.email}
        return _("Answer saved; the customer has no e-mail address and reads it in the portal.")


def case_attachment(request, pk: int):
    """The attachment of a case of a customer the agent may see (else 404)."""
    return attachment_response(selectors.case_get(user=request.user, pk=pk))
