"""Forms of the centre screens: a blocking rule (CUS-11), the run centre's filters
and the edit of a beat schedule."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import IntervalSchedule

from alux_crm.core.models import Partner

from .models import BlockingRule
from .selectors_centre_runs import CANCELLED, DONE, FAILED, KINDS, RUNNING, WAITING
from .services.run_centre import CRONTAB, INTERVAL

DATE = {"type": "date"}


class BlockingRuleForm(forms.ModelForm):
    """A rule's criteria (each left empty matches everyone), action, days and reason."""

    class Meta:
        model = BlockingRule
        fields = [
            "name",
            "action",
            "min_monthly_value",
            "max_monthly_value",
            "min_sims",
            "region",
            "sales_agent",
            "dealer",
            "block_days",
            "reason",
        ]
        help_texts = {
            "min_monthly_value": _("Recurring charges after discounts, per month."),
            "min_sims": _("Live subscriptions with a telephony product."),
            "region": _("Any current address of the customer in this county / region."),
            "sales_agent": _("The customer's serving agent."),
            "dealer": _("The dealer who brought the customer."),
            "block_days": _("How long a block (or, for an unblock rule, the exemption) lasts."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_active=True, partner__isnull=True)
        self.fields["sales_agent"].queryset = staff.order_by("username")
        self.fields["dealer"].queryset = Partner.objects.order_by("code")
        self.fields["dealer"].label_from_instance = lambda p: f"{p.code} · {p.name}"
        for name in ("min_monthly_value", "max_monthly_value"):
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})


KIND_LABELS = {
    "billing": _("Billing run"),
    "payment": _("Payment run"),
    "dunning": _("Dunning run"),
    "disconnection": _("Disconnection run"),
    "reconnection": _("Reconnection run"),
}
PHASE_LABELS = {
    RUNNING: _("Running"),
    WAITING: _("Waiting (scheduled, draft or to approve)"),
    DONE: _("Done"),
    FAILED: _("Failed"),
    CANCELLED: _("Discarded or cancelled"),
}


class RunCentreFilterForm(forms.Form):
    """Filters of the run centre: kind, phase, start day from/to."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any")), *[(k, KIND_LABELS[k]) for k in KINDS]],
    )
    phase = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *PHASE_LABELS.items()],
    )
    since = forms.DateField(label=_("Started from"), required=False, widget=forms.DateInput(DATE))
    until = forms.DateField(label=_("Started until"), required=False, widget=forms.DateInput(DATE))

    def filters(self) -> dict:
        """The cleaned filters for ``run_centre_list`` (empty when invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "phase": data["phase"],
            "since": data["since"],
            "until": data["until"],
        }


class ScheduleForm(forms.Form):
    """When a beat schedule runs: enabled, and a crontab or an interval."""

    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    schedule = forms.ChoiceField(
        label=_("Runs"),
        choices=[(CRONTAB, _("At set times (crontab)")), (INTERVAL, _("Every … (interval)"))],
        widget=forms.RadioSelect,
    )
    minute = forms.CharField(
        label=_("Minute"), required=False, max_length=60, help_text=_("0-59, e.g. 0 or */15")
    )
    hour = forms.CharField(
        label=_("Hour"), required=False, max_length=60, help_text=_("0-23, e.g. 6 or * (every)")
    )
    day_of_week = forms.CharField(
        label=_("Days of the week"),
        required=False,
        max_length=64,
        help_text=_("* (every day), 1-5 (Monday to Friday), 0 or sun (Sunday)"),
    )
    every = forms.IntegerField(label=_("Every"), required=False, min_value=1)
    period = forms.ChoiceField(
        label=_("Period"), required=False, choices=IntervalSchedule.PERIOD_CHOICES
    )

    @classmethod
    def for_task(cls, task, data=None) -> "ScheduleForm":
        """The form filled in with the task's current schedule."""
        initial = {"enabled": task.enabled, "schedule": CRONTAB, "minute": "0", "hour": "*"}
        initial["day_of_week"] = "*"
        if task.crontab_id:
            c = task.crontab
            initial.update(minute=c.minute, hour=c.hour, day_of_week=c.day_of_week)
        elif task.interval_id:
            initial.update(
                schedule=INTERVAL, every=task.interval.every, period=task.interval.period
            )
        return cls(data, initial=initial)

    def clean(self):
        data = super().clean()
        if data.get("schedule") == CRONTAB:
            for name in ("minute", "hour", "day_of_week"):
                data[name] = (data.get(name) or "*").strip() or "*"
        elif data.get("schedule") == INTERVAL and not data.get("every"):
            self.add_error("every", _("Give how often."))
        return data
