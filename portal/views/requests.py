"""Portal pages of information requests (POR-1, CAS-1): the subscriber's requests,
a new one (with a picture or PDF), one request with its conversation and the reply
form, and its attachment. Requests are cases of the subscriber's customer, opened
on the portal channel; another customer's is a 404.

A reply to a closed request reopens it for ``REOPEN_WITHIN_DAYS`` after closing;
later the page offers a new request instead (``cases.services.case_reply``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core.errors import DomainError
from cases import selectors as case_selectors
from cases import services as case_services
from cases.choices import CaseChannel
from cases.tables import with_status_colours
from cases.views import attachment_response

from ..forms_requests import RequestForm, RequestReplyForm
from ..selectors import portal_customer


def _add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError next to the form's fields (else on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PortalRequestListView(View):
    """The subscriber's requests, the last updated first: number, subject, type,
    status and when it last changed."""

    page_size = 20

    def get(self, request):
        customer = portal_customer(request.user)
        page = Paginator(
            case_selectors.requests_of_customer(customer=customer), self.page_size
        ).get_page(request.GET.get("page"))
        with_status_colours(page.object_list)
        return render(request, "portal/requests.html", {"title": _("My requests"), "page": page})


class PortalRequestCreateView(View):
    """A new request: a case of the subscriber's customer on the portal channel. A
    refused attachment (type or size) is a field error and nothing is created."""

    template_name = "portal/request_new.html"

    def get(self, request):
        portal_customer(request.user)
        initial = {"subject": request.GET.get("subject", "")[:200]}
        return self._render(request, RequestForm(initial=initial))

    def post(self, request):
        customer = portal_customer(request.user)
        form = RequestForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = case_services.case_create(
                    customer=customer,
                    kind=data["kind"],
                    channel=CaseChannel.PORTAL,
                    subject=data["subject"],
                    description=data["description"],
                    attachment=data["attachment"],
                    actor=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("We received your request %(number)s. We will answer you here and by e-mail.")
                    % {"number": case.number},
                )
                return redirect("portal:request_detail", pk=case.pk)
        return self._render(request, form, status=422)

    def _render(self, request, form, status: int = 200):
        context = {"title": _("New request"), "form": form}
        return render(request, self.template_name, context, status=status)


class PortalRequestDetailView(View):
    """One request: the description, the replies of both sides with their dates, the
    attachment, and the reply form (or, long after closing, a new-request link). Its
    POST is the subscriber's reply (a waiting or recently closed request opens
    again)."""

    template_name = "portal/request_detail.html"

    def get(self, request, pk: int):
        customer = portal_customer(request.user)
        case = case_selectors.request_of_customer(customer=customer, pk=pk)
        return self.render_page(request, case, RequestReplyForm())

    def post(self, request, pk: int):
        customer = portal_customer(request.user)
        case = case_selectors.request_of_customer(customer=customer, pk=pk)
        form = RequestReplyForm(request.POST)
        if form.is_valid():
            try:
                case_services.case_reply(
                    case=case,
                    text=form.cleaned_data["text"],
                    actor=request.user,
                    from_customer=True,
                )
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your reply was sent."))
                return redirect("portal:request_detail", pk=case.pk)
        return self.render_page(request, case, form, status=422)

    def render_page(self, request, case, form, status: int = 200):
        with_status_colours([case])
        may_reply = case.customer_may_reply(timezone.now())
        follow_up = None
        if not may_reply:  # closed long ago: a new request, with what they wrote kept
            subject = _("Follow-up to %(number)s: %(subject)s") % {
                "number": case.number,
                "subject": case.subject,
            }
            initial = {"kind": case.kind, "subject": subject[:200]}
            initial["description"] = form.data.get("text", "") if form.is_bound else ""
            follow_up = RequestForm(initial=initial)
        context = {
            "title": str(case),
            "case": case,
            "replies": case_selectors.case_replies(case=case),
            "form": form,
            "may_reply": may_reply,
            "follow_up_form": follow_up,
        }
        return render(request, self.template_name, context, status=status)


def portal_request_attachment(request, pk: int):
    """The attachment of one of the subscriber's requests (another's: 404)."""
    customer = portal_customer(request.user)
    return attachment_response(case_selectors.request_of_customer(customer=customer, pk=pk))
