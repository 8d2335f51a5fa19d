"""Account blocking by criteria (CUS-11), centre part: the rules (list, create, edit,
the rule's page with its blocked customers and a dry-run preview, deactivate), the
"evaluate now" button and the list of blocks with filters and CSV."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.access import rule_for
from alux_crm.core.generic_views import ObjectActionView, ObjectFormView, ObjectListView

from ..choices import BlockAction
from ..filters_centre import AccountBlockFilter, BlockingRuleFilter
from ..forms_centre import BlockingRuleForm
from ..selectors_centre import (
    account_block_list,
    blocking_rule_get,
    blocking_rule_list,
    rule_live_blocks,
    rule_preview,
)
from ..services.blocking import (
    RULE_FIELDS,
    blocking_rule_create,
    blocking_rule_deactivate,
    blocking_rule_update,
)
from ..tables_centre import ACTION_COLOURS, AccountBlockTable, BlockingRuleTable

LIVE_BLOCKS_SHOWN = 200


def may_open(request, url_name: str) -> bool:
    """True when the access matrix lets the user open ``url_name``."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


class BlockingRuleListView(ObjectListView):
    """Blocking rules, by name, with how many customers each holds now."""

    title = gettext_lazy("Blocking rules")
    table_class = BlockingRuleTable
    filterset_class = BlockingRuleFilter
    create_url_name = "dunning:blocking_rule_create"
    export_name = "blocking-rules"

    def get_queryset(self, request):
        return blocking_rule_list()

    def get_actions(self, request) -> list[dict]:
        actions = [
            {
                "label": _("Blocks"),
                "url": reverse("dunning:account_block_list"),
                "icon": "slash-circle",
            }
        ]
        if may_open(request, "dunning:blocking_rule_create"):
            url = reverse("dunning:blocking_rule_create")
            actions.append({"label": _("New rule"), "url": url, "icon": "plus-lg"})
        return actions


class BlockingRuleFormView(ObjectFormView):
    """Create or edit a rule (Back Office); saved by the blocking services."""

    form_class = BlockingRuleForm

    def get_object(self, request, pk):
        return blocking_rule_get(pk=pk) if pk is not None else None

    def get_title(self, obj) -> str:
        if obj is None:
            return _("New blocking rule")
        return _("Edit the rule %(name)s") % {"name": obj.name}

    def success_url(self, obj) -> str:
        return reverse("dunning:blocking_rule_detail", args=[obj.pk])

    def cancel_url(self, obj) -> str:
        return self.success_url(obj) if obj else reverse("dunning:blocking_rule_list")

    def save(self, request, form, obj):
        fields = {name: form.cleaned_data[name] for name in RULE_FIELDS}
        if obj is None:
            return blocking_rule_create(actor=request.user, **fields)
        return blocking_rule_update(rule=obj, actor=request.user, **fields)


class BlockingRuleDetailView(View):
    """A rule: its criteria, the customers it blocks now, a dry run (how many it
    matches and would block or unblock now, with a sample) and its actions."""

    template_name = "dunning/centre/blocking_rule_detail.html"

    def get(self, request, pk: int):
        rule = blocking_rule_get(pk=pk)
        live = rule_live_blocks(rule=rule)
        can_edit = may_open(request, "dunning:blocking_rule_edit")
        context = {
            "title": rule.name,
            "rule": rule,
            "object": rule,
            "action_colour": ACTION_COLOURS.get(rule.action, "secondary"),
            "live_blocks": live[:LIVE_BLOCKS_SHOWN],
            "live_count": live.count(),
            "preview": rule_preview(rule=rule, today=timezone.localdate()),
            "is_block": rule.action == BlockAction.BLOCK,
            "can_edit": can_edit,
            "can_evaluate": may_open(request, "dunning:blocking_evaluate"),
        }
        return render(request, self.template_name, context)


class BlockingRuleDeactivateView(ObjectActionView):
    """Confirm and deactivate a rule (Back Office)."""

    form_class = None

    def get_object(self, request, pk):
        return blocking_rule_get(pk=pk)

    def success_url(self, obj) -> str:
        return reverse("dunning:blocking_rule_detail", args=[obj.pk])

    def get_title(self, obj) -> str:
        return _("Deactivate the rule %(name)s") % {"name": obj.name}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("The rule is no longer evaluated."),
            _("Blocks it made run to their end and are lifted then."),
        ]

    def perform(self, request, obj, form) -> str:
        blocking_rule_deactivate(rule=obj, actor=request.user)
        return _("The rule is inactive.")


class BlockingEvaluateView(View):
    """ "Evaluate now" (POST, Back Office): the same task the daily schedule runs."""

    def post(self, request):
        from ..tasks.centre import evaluate_blocking_rules

        evaluate_blocking_rules.delay(actor_id=request.user.pk)
        messages.success(
            request,
            _("The blocking rules are being evaluated; blocks and unblocks appear in a moment."),
        )
        back = request.POST.get("next", "")
        if not back.startswith("/") or back.startswith("//"):
            back = reverse("dunning:blocking_rule_list")
        return redirect(back)


class AccountBlockListView(ObjectListView):
    """Every block and unblock, newest first, filterable, exported as CSV."""

    title = gettext_lazy("Account blocks")
    table_class = AccountBlockTable
    filterset_class = AccountBlockFilter
    export_name = "account-blocks"

    def get_queryset(self, request):
        return account_block_list()

    def get_actions(self, request) -> list[dict]:
        url = reverse("dunning:blocking_rule_list")
        return [{"label": _("Blocking rules"), "url": url, "icon": "funnel"}]
