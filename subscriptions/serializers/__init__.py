"""API serializers of subscriptions (SUB-1..6): ``answers`` (what the API shows) and
``requests`` (the sale and the actions).

They check the *shape* of a request (types, choices, which products, items and
devices it names); the business rules (what may be sold together, the transitions,
the resting policy, the fee) are the services', so the API and the pages refuse the
same things with the same messages.
"""

from .answers import (
    CancellationRequestSerializer,
    ChangeOrderSerializer,
    ChangePreviewSerializer,
    RestingPeriodSerializer,
    SubscriptionDetailSerializer,
    SubscriptionSerializer,
    TerminationSerializer,
)
from .requests import (
    ChangeRequestSerializer,
    ReasonSerializer,
    RestRequestSerializer,
    SubscriptionCreateSerializer,
    TerminateRequestSerializer,
    sales_channel_of,
)

__all__ = [
    "CancellationRequestSerializer",
    "ChangeOrderSerializer",
    "ChangePreviewSerializer",
    "ChangeRequestSerializer",
    "ReasonSerializer",
    "RestRequestSerializer",
    "RestingPeriodSerializer",
    "SubscriptionCreateSerializer",
    "SubscriptionDetailSerializer",
    "SubscriptionSerializer",
    "TerminateRequestSerializer",
    "TerminationSerializer",
    "sales_channel_of",
]
