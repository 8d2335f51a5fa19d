"""Forms of the agents' case page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CASE_TRANSITIONS, CaseStatus


class AgentReplyForm(forms.Form):
    """An agent answers the customer (e-mailed to them) and/or moves the case on."""

    text = forms.CharField(
        label=_("Answer to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The customer gets it by e-mail and sees it in the self-care portal."),
    )
    status = forms.ChoiceField(label=_("Then set the case to"), choices=())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        allowed = [case.status, *CASE_TRANSITIONS[case.status]]
        self.fields["status"].choices = [
            (value, label) for value, label in CaseStatus.choices if value in allowed
        ]
        default = CaseStatus.WAITING_CUSTOMER
        self.fields["status"].initial = default if default in allowed else case.status

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and data.get("status") == self.case.status:
            raise forms.ValidationError(_("Write an answer or change the status."))
        return data
