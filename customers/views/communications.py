"""Logging contacts with the customer and downloading their attachments."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import selectors, services
from ..forms import (
    CommunicationForm,
)
from ..models import Attachment
from .base import (
    CustomerChildFormView,
)


class CommunicationCreateView(CustomerChildFormView):
    """Log a contact with the customer, with any number of attachments."""

    def get_form(self, request, obj, data=None, files=None):
        return CommunicationForm(data, files)

    def get_title(self, obj) -> str:
        return _("Log a contact with %(name)s") % {"name": obj.name}

    def save(self, request, form, obj):
        data = form.cleaned_data
        return services.communication_log(
            customer=obj,
            actor=request.user,
            channel=data["channel"],
            direction=data["direction"],
            subject=data["subject"],
            notes=data["notes"],
            occurred_at=data["occurred_at"],
            files=request.FILES.getlist("files"),
        )

    def success_url(self, saved) -> str:
        return saved.customer.get_absolute_url() + "?tab=communications"

    def success_message(self, saved) -> str:
        count = saved.attachments.count()
        text = ngettext(
            "Contact logged with %(count)s attachment.",
            "Contact logged with %(count)s attachments.",
            count,
        )
        return text % {"count": count}


def attachment_download(request, pk: int):
    """An attachment of a communication of a customer the user may see (else 404)."""
    visible = selectors.customer_list(user=request.user).values("pk")
    attachment = get_object_or_404(
        Attachment.objects.filter(communication__customer__in=visible), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
