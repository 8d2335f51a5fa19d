"""API of the core: partners (read-only; staff see all, a partner sees itself)."""

from rest_framework import viewsets

from . import selectors
from .models import Partner
from .serializers import PartnerSerializer


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Retailers and installers; a partner user sees only its own partner (others: 404)."""

    serializer_class = PartnerSerializer
    queryset = Partner.objects.none()  # for the schema; get_queryset scopes per caller

    def get_queryset(self):
        return selectors.partner_list(user=self.request.user).order_by("code")
