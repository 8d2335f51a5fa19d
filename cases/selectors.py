"""Reads of cases, scoped: an agent sees the cases of the customers they may see
(``customers.selectors.customer_list``), a subscriber those of their own customer
(the portal passes ``portal_customer``); anything else is a 404."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Window
from django.http import Http404

from .choices import OPEN_STATUSES, CaseStatus
from .models import Case, CaseReply

CUSTOMER_TAB_LIMIT = 50  # cases on the customer-360 tab
DASHBOARD_NEWEST = 3  # open requests listed on the portal dashboard


def case_list(*, user) -> QuerySet[Case]:
    """The cases of every customer ``user`` may see, newest first."""
    from customers.selectors import customer_list

    visible = customer_list(user=user).values("pk")
    return Case.objects.filter(customer__in=visible).select_related("customer", "created_by")


def case_get(*, user, pk: int) -> Case:
    """One case of a customer ``user`` may see, or 404."""
    case = case_list(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def customer_cases(*, customer, limit: int = CUSTOMER_TAB_LIMIT) -> list[Case]:
    """The newest cases of ``customer`` with their number of replies (one query)."""
    return list(
        Case.objects.filter(customer=customer)
        .annotate(reply_count=Count("replies"))
        .order_by("-updated_at", "-id")[:limit]
    )


def case_replies(*, case: Case) -> list[CaseReply]:
    """The conversation of ``case``, oldest first, with the authors (one query)."""
    return list(case.replies.select_related("author").order_by("created_at", "id"))


# --- the portal: the subscriber's own requests --------------------------------------------
def requests_of_customer(*, customer) -> QuerySet[Case]:
    """The requests (cases) of ``customer``, the last updated first."""
    return Case.objects.filter(customer=customer).order_by("-updated_at", "-id")


def request_of_customer(*, customer, pk: int) -> Case:
    """One case of ``customer``; another customer's is a 404."""
    case = requests_of_customer(customer=customer).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@dataclass
class OpenRequests:
    """How many of the customer's requests are still open, and the newest few."""

    count: int
    waiting_for_customer: int
    newest: list[Case]


def open_requests(*, customer, limit: int = DASHBOARD_NEWEST) -> OpenRequests:
    """The customer's open requests for the dashboard, in one query: the newest rows
    carry the counts of all (window counts, taken before the limit)."""
    newest = list(
        Case.objects.filter(customer=customer, status__in=OPEN_STATUSES)
        .only("pk", "number", "subject", "status", "updated_at")
        .annotate(
            open_total=Window(Count("pk")),
            waiting_total=Window(Count("pk", filter=Q(status=CaseStatus.WAITING_CUSTOMER))),
        )
        .order_by("-updated_at", "-id")[:limit]
    )
    if not newest:
        return OpenRequests(0, 0, [])
    return OpenRequests(newest[0].open_total, newest[0].waiting_total, newest)
