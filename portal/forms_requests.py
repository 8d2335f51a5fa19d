"""Forms of the portal's information requests (cases)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseType


class RequestForm(forms.Form):
    """A new request: what it is about, a subject, the text and an optional picture or
    PDF (checked by ``cases.services.case_create``, like every case attachment)."""

    kind = forms.ChoiceField(label=_("Category"), choices=CaseType.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A photo, a screenshot or a PDF, up to %(size)s MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attachment"]
        field.help_text = field.help_text % {"size": settings.MAX_UPLOAD_SIZE // (1024 * 1024)}
        field.widget.attrs["accept"] = "image/*,application/pdf"


class RequestReplyForm(forms.Form):
    """The subscriber's reply to one of their requests."""

    text = forms.CharField(
        label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
