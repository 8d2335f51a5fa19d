"""Forms of the billing screens."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RunScheduleForm(forms.Form):
    """Schedule the billing run of a bill cycle for a period."""

    bill_cycle_day = forms.IntegerField(
        label=_("Bill-cycle day"),
        min_value=1,
        max_value=28,
        help_text=_("Day of the month the cycle's periods start (1-28)."),
    )
    period_start = forms.DateField(
        label=_("Period from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day of the period; it falls on the bill-cycle day."),
    )

    def clean(self):
        data = super().clean()
        day, start = data.get("bill_cycle_day"), data.get("period_start")
        if day and start and start.day != day:
            self.add_error(
                "period_start",
                _("A period of cycle %(day)s starts on day %(day)s of a month.") % {"day": day},
            )
        return data
