"""Forms of the disconnection and reconnection runs and the save desk (runs part)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.choices import CustomerSegment

from .choices import RunKind, SaveDeskStatus
from .selectors_runs import region_choices


class ServiceRunForm(forms.Form):
    """The selection of a new run: its kind and criteria (segments and regions from
    the data; none chosen means all)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=RunKind.choices, initial=RunKind.DISCONNECTION
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    min_days_overdue = forms.IntegerField(
        label=_("Overdue more than (days)"),
        min_value=0,
        max_value=3650,
        initial=30,
        help_text=_("Disconnection only: days since the oldest unpaid due date."),
    )
    min_amount = forms.DecimalField(
        label=_("Overdue amount over"),
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text=_("Disconnection only. Disputed invoices never count."),
    )
    segments = forms.MultipleChoiceField(
        label=_("Customer segments"),
        choices=CustomerSegment.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: every segment."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        choices=[],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Of the billing account's billing address. None chosen: every region."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = region_choices()


class SaveDeskResolveForm(forms.Form):
    """How the save desk's call ended, with a note."""

    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (SaveDeskStatus.SAVED, _("Saved: keep the services")),
            (SaveDeskStatus.RELEASED, _("Released for disconnection")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
