"""API serializers of the core."""

from rest_framework import serializers

from .models import Partner


class PartnerSerializer(serializers.ModelSerializer):
    """A partner as the API shows it."""

    class Meta:
        model = Partner
        fields = ["id", "code", "name", "kind", "status", "email", "phone", "created_at"]
        read_only_fields = fields
