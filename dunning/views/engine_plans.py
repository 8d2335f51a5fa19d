"""Dunning plans and their steps (BIL-6): Back Office edits them (add, change,
delete, move a step up or down), Billing & Finance and Customer Service read them;
anyone who reads may preview a step as a given account would get it."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from alux_crm.core.access import rule_for
from alux_crm.core.generic_views import ObjectActionView, ObjectFormView

from .. import selectors_engine as selectors
from ..forms_engine import PlanForm, PreviewForm, StepForm
from ..services import engine_plans
from ..services.engine_messages import step_preview


def may(request, url_name: str) -> bool:
    """True when the access matrix lets the user open ``url_name``."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


class PlanListView(View):
    """Every plan as a card with its steps (cards read well on a phone)."""

    def get(self, request):
        return render(
            request,
            "dunning/engine/plan_list.html",
            {
                "title": _("Dunning plans"),
                "plans": selectors.plan_list(),
                "can_edit": may(request, "dunning:plan_create"),
            },
        )


class PlanDetailView(View):
    """A plan: its settings and its steps in order, with the editing buttons."""

    def get(self, request, pk: int):
        plan = selectors.plan_get(pk=pk)
        return render(
            request,
            "dunning/engine/plan_detail.html",
            {
                "title": plan.name,
                "plan": plan,
                "steps": list(plan.steps.all()),
                "can_edit": may(request, "dunning:plan_edit"),
            },
        )


class PlanFormView(ObjectFormView):
    """Create or change a plan (Back Office)."""

    form_class = PlanForm

    def get_object(self, request, pk):
        return selectors.plan_get(pk=pk) if pk else None

    def get_title(self, obj) -> str:
        return _("Change the plan %(plan)s") % {"plan": obj} if obj else _("New dunning plan")

    def cancel_url(self, obj) -> str:
        return self.success_url(obj) if obj else reverse("dunning:plan_list")

    def success_url(self, obj) -> str:
        return reverse("dunning:plan_detail", args=[obj.pk])

    def save(self, request, form, obj):
        return engine_plans.plan_save(plan=obj, actor=request.user, **form.cleaned_data)


class StepFormView(ObjectFormView):
    """Add a step to a plan (``pk`` of the plan) or change one (``step``)."""

    form_class = StepForm
    title = gettext_lazy("Dunning step")

    def get_object(self, request, pk):
        if self.kwargs.get("step"):
            return selectors.step_get(pk=self.kwargs["step"])
        return None

    def _plan(self):
        if self.kwargs.get("step"):
            return selectors.step_get(pk=self.kwargs["step"]).plan
        return selectors.plan_get(pk=self.kwargs["pk"])

    def get(self, request, pk=None, step=None):
        return super().get(request, pk)

    def post(self, request, pk=None, step=None):
        return super().post(request, pk)

    def get_title(self, obj) -> str:
        plan = obj.plan if obj else self._plan()
        if obj:
            return _("Change the step %(step)s") % {"step": obj.name}
        return _("New step of %(plan)s") % {"plan": plan}

    def success_url(self, obj) -> str:
        return reverse("dunning:plan_detail", args=[obj.plan_id]) + "#steps"

    def cancel_url(self, obj) -> str:
        return reverse("dunning:plan_detail", args=[(obj.plan if obj else self._plan()).pk])

    def save(self, request, form, obj):
        return engine_plans.step_save(
            plan=obj.plan if obj else self._plan(),
            step=obj,
            actor=request.user,
            **form.cleaned_data,
        )


class StepDeleteView(ObjectActionView):
    """Delete a step nobody has had yet (Back Office)."""

    form_class = None

    def get_object(self, request, pk):
        return selectors.step_get(pk=pk)

    def get_title(self, obj) -> str:
        return _("Delete the step %(step)s") % {"step": obj.name}

    def get_consequences(self, obj) -> list[str]:
        return [_("The steps after it move up by one place.")]

    def success_url(self, obj) -> str:
        return reverse("dunning:plan_detail", args=[obj.plan_id])

    def perform(self, request, obj, form) -> str:
        engine_plans.step_delete(step=obj, actor=request.user)
        return _("The step is deleted.")


@require_POST
def step_move(request, pk: int, direction: str):
    """Move a step one place up or down (Back Office; a button on the plan page)."""
    if direction not in ("up", "down"):
        raise Http404("No such direction.")
    step = selectors.step_get(pk=pk)
    engine_plans.step_move(step=step, up=direction == "up", actor=request.user)
    return redirect(reverse("dunning:plan_detail", args=[step.plan_id]) + "#steps")


class StepPreviewView(View):
    """The step's subject and message as a billing account would get them today."""

    def get(self, request, pk: int):
        step = selectors.step_get(pk=pk)
        form = PreviewForm(request.GET or None)
        rendered = None
        if form.is_bound and form.is_valid():
            account = form.cleaned_data["account"]
            rendered = step_preview(step=step, account=account, today=timezone.localdate())
        return render(
            request,
            "dunning/engine/step_preview.html",
            {
                "title": _("Preview: %(step)s") % {"step": step.name},
                "step": step,
                "form": form,
                "rendered": rendered,
            },
        )
