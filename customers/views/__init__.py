"""Staff (and retailer) screens of customers: list, create/edit, the customer-360 page
with its tabs, status, move, credit check, addresses, communications with
attachments, billing accounts and the global search.

Views stay thin: they read through ``customers.selectors`` and write through one
``customers.services`` call; the rules live there.
"""

from .billing_accounts import (
    BillingAccountCreateView,
    BillingAccountDetailView,
    BillingAccountEditView,
    BillingAccountMoveView,
    BillingAccountTabView,
)
from .communications import CommunicationCreateView, attachment_download
from .customers import (
    AddressCreateView,
    CreditCheckView,
    CustomerCreateView,
    CustomerEditView,
    CustomerListView,
    CustomerMoveView,
    CustomerStatusView,
)
from .detail import CustomerDetailView, CustomerTabView
from .reports import customer_base_report
from .search import search

__all__ = [
    "AddressCreateView",
    "BillingAccountCreateView",
    "BillingAccountDetailView",
    "BillingAccountEditView",
    "BillingAccountMoveView",
    "BillingAccountTabView",
    "CommunicationCreateView",
    "CreditCheckView",
    "CustomerCreateView",
    "CustomerDetailView",
    "CustomerEditView",
    "CustomerListView",
    "CustomerMoveView",
    "CustomerStatusView",
    "CustomerTabView",
    "attachment_download",
    "customer_base_report",
    "search",
]
