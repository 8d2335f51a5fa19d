"""Screens of subscriptions (SUB-1..7): the list, the subscription page with its
tabs and actions, the sales wizard, plan changes, resting, documents, Back Office's
cancellation queue and the provisioning commands.

Views stay thin: they read through ``subscriptions.selectors`` and write through
one ``subscriptions.services`` call; the rules live there.
"""

from .actions import (
    ActivateView,
    DisconnectView,
    ReconnectView,
    RegretView,
    SuspendView,
    TerminateRequestView,
)
from .changes import ChangeOrderCancelView, ChangeView
from .detail import SubscriptionDetailView, SubscriptionTabView
from .documents import (
    DocumentCreateView,
    DocumentEmailView,
    DocumentUploadView,
    document_pdf,
    document_signed,
)
from .lists import (
    CancellationAnswerView,
    CancellationQueueView,
    ProvisioningListView,
    SubscriptionListView,
)
from .resting import RestingCreateView, RestingEndView
from .wizard import WizardView, wizard_start

__all__ = [
    "ActivateView",
    "CancellationAnswerView",
    "CancellationQueueView",
    "ChangeOrderCancelView",
    "ChangeView",
    "DisconnectView",
    "DocumentCreateView",
    "DocumentEmailView",
    "DocumentUploadView",
    "ProvisioningListView",
    "ReconnectView",
    "RegretView",
    "RestingCreateView",
    "RestingEndView",
    "SubscriptionDetailView",
    "SubscriptionListView",
    "SubscriptionTabView",
    "SuspendView",
    "TerminateRequestView",
    "WizardView",
    "document_pdf",
    "document_signed",
    "wizard_start",
]
