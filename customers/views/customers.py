"""Customer list, create, edit, status, move, credit check and addresses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import (
    ObjectListView,
)
from alux_crm.core.selectors import operator_settings

from .. import choices, selectors, services
from ..filters import CustomerFilter
from ..forms import (
    AddressForm,
    CreditCheckForm,
    CustomerForm,
    CustomerMoveForm,
    find_customer,
)
from ..tables import CustomerTable
from .base import (
    CustomerChildFormView,
    FormActionView,
    ServiceFormView,
    add_service_errors,
    user_may_open,
)


# --- list -------------------------------------------------------------------------------
class CustomerListView(ObjectListView):
    """Customers the user may see, filtered, sorted, paginated, exportable as CSV."""

    title = gettext_lazy("Customers")
    table_class = CustomerTable
    filterset_class = CustomerFilter
    create_url_name = "customers:customer_create"
    export_name = "customers"

    template_name = "customers/customer_list.html"

    def get_queryset(self, request):
        return selectors.customer_list(user=request.user)

    def get_actions(self, request) -> list[dict]:
        if not user_may_open(request, self.create_url_name):
            return []
        return [
            {
                "label": _("New customer"),
                "url": reverse(self.create_url_name),
                "icon": "person-plus",
            }
        ]


# --- create / edit ------------------------------------------------------------------------
DUPLICATE_FIELDS = {
    "id_number": gettext_lazy("ID number"),
    "vat_number": gettext_lazy("VAT number"),
    "registration_number": gettext_lazy("registration number"),
    "phone": gettext_lazy("phone"),
    "email": gettext_lazy("e-mail"),
}


def _duplicate_rows(form, warning: services.DuplicateWarning) -> dict:
    """The possible duplicates the user may open, each with what matched, and how many
    others exist that the user may not see (another dealer's customers)."""
    try:
        typed = services.clean_customer_data(form.customer_data())
    except ValidationError:
        typed = form.customer_data()
    rows = [
        {
            "customer": duplicate,
            "matched": [
                str(label)
                for field, label in DUPLICATE_FIELDS.items()
                if typed.get(field) and getattr(duplicate, field) == typed.get(field)
            ],
        }
        for duplicate in warning.duplicates
    ]
    return {"duplicates": rows, "hidden_duplicates": warning.hidden_count}


class CustomerCreateView(View):
    """Register a person or a company: first the kind, then the matching form, with
    possible duplicates shown before saving and an optional address and credit check."""

    template_name = "customers/customer_form.html"

    def get(self, request):
        kind = request.GET.get("kind")
        if kind not in choices.CustomerKind.values:
            return self._chooser(request)
        form = CustomerForm(kind=kind, user=request.user)
        return self._render(request, form)

    def post(self, request):
        kind = request.POST.get("kind")
        if kind not in choices.CustomerKind.values:
            return self._chooser(request, status=422)
        form = CustomerForm(request.POST, kind=kind, user=request.user)
        extra: dict = {}
        if form.is_valid():
            try:
                customer, check = self._create(request, form)
            except services.DuplicateWarning as exc:
                extra = _duplicate_rows(form, exc)
            except ValidationError as exc:
                add_service_errors(form, exc, prefix="address_")
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                text = _("Customer %(number)s created.") % {"number": customer.number}
                if check is not None:
                    text += " " + _("Credit class %(cls)s.") % {
                        "cls": check.get_credit_class_display()
                    }
                messages.success(request, text)
                return redirect(customer.get_absolute_url())
        status = 409 if extra.get("duplicates") or extra.get("hidden_duplicates") else 422
        return self._render(request, form, status=status, **extra)

    @staticmethod
    def _create(request, form):
        """One transaction: the customer, then its address and credit check if given."""
        credit = form.credit_data()
        if credit:
            credit.setdefault("currency", operator_settings().currency)
        customer, check = services.customer_register(
            actor=request.user,
            confirm_duplicates=form.cleaned_data.get("confirm_duplicates", False),
            address=form.address_data() or None,
            credit=credit or None,
            **form.customer_data(),
        )
        return customer, check

    def _chooser(self, request, status: int = 200):
        context = {"title": _("New customer")}
        return render(request, "customers/customer_kind.html", context, status=status)

    def _render(self, request, form, status: int = 200, **extra):
        titles = {"person": _("New customer: person"), "company": _("New customer: company")}
        context = {
            "form": form,
            "title": titles[form.kind],
            "creating": True,
            "other_kind": "company" if form.kind == "person" else "person",
            "cancel_url": reverse("customers:customer_list"),
            **extra,
        }
        return render(request, self.template_name, context, status=status)


class CustomerEditView(ServiceFormView):
    """Change a customer's details; a save over someone else's newer save is refused
    (409) and the agent's typed values stay on the form."""

    template_name = "customers/customer_form.html"

    def get_object(self, request, pk):
        return selectors.customer_get(user=request.user, pk=pk)

    def get_form(self, request, obj, data=None, files=None):
        return CustomerForm(data, kind=obj.kind, user=request.user, instance=obj)

    def get_title(self, obj) -> str:
        return _("Edit %(name)s") % {"name": obj.name}

    def save(self, request, form, obj):
        return services.customer_update(
            customer=obj,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **form.customer_data(),
        )


# --- status, move --------------------------------------------------------------------------
STATUS_VERBS = {
    choices.CustomerStatus.PROSPECT: gettext_lazy("Mark %(name)s as prospect"),
    choices.CustomerStatus.ACTIVE: gettext_lazy("Activate %(name)s"),
    choices.CustomerStatus.INACTIVE: gettext_lazy("Deactivate %(name)s"),
    choices.CustomerStatus.BLOCKED: gettext_lazy("Block %(name)s"),
}
STATUS_BUTTONS = {
    choices.CustomerStatus.PROSPECT: (gettext_lazy("Mark as prospect"), "hourglass", "secondary"),
    choices.CustomerStatus.ACTIVE: (gettext_lazy("Activate"), "play-circle", "success"),
    choices.CustomerStatus.INACTIVE: (gettext_lazy("Deactivate"), "pause-circle", "warning"),
    choices.CustomerStatus.BLOCKED: (gettext_lazy("Block"), "slash-circle", "danger"),
}


class CustomerStatusView(FormActionView):
    """Confirm activating, deactivating or blocking a customer."""

    def get_object(self, request, pk):
        return selectors.customer_get(user=request.user, pk=pk)

    def _target(self) -> choices.CustomerStatus:
        return choices.CustomerStatus(self.kwargs["status"])

    @property
    def danger(self) -> bool:
        return self._target() in (choices.CustomerStatus.BLOCKED, choices.CustomerStatus.INACTIVE)

    def get_title(self, obj) -> str:
        return STATUS_VERBS[self._target()] % {"name": obj.name}

    def get_consequences(self, obj) -> list[str]:
        target = self._target()
        if target not in choices.CUSTOMER_TRANSITIONS.get(obj.status, set()):
            return [
                _("A customer cannot go from %(old)s to %(new)s.")
                % {"old": obj.get_status_display(), "new": target.label}
            ]
        return [
            _("%(name)s goes from %(old)s to %(new)s.")
            % {"name": obj.name, "old": obj.get_status_display(), "new": target.label},
            _("The change is recorded in the customer's history with your name."),
        ]

    def perform(self, request, obj, form) -> str:
        services.customer_change_status(customer=obj, status=self._target(), actor=request.user)
        return _("%(name)s is now %(status)s.") % {
            "name": obj.name,
            "status": self._target().label.lower(),
        }

    def get(self, request, pk, status):
        if status not in choices.CustomerStatus.values:
            return redirect("customers:customer_detail", pk=pk)
        return super().get(request, pk)

    def post(self, request, pk, status):
        if status not in choices.CustomerStatus.values:
            return redirect("customers:customer_detail", pk=pk)
        return super().post(request, pk)


class CustomerMoveView(FormActionView):
    """Move a customer (with its branches) under another customer, or to the top."""

    danger = False

    def get_object(self, request, pk):
        return selectors.customer_get(user=request.user, pk=pk)

    def make_form(self, request, obj, data=None):
        return CustomerMoveForm(data)

    def get_title(self, obj) -> str:
        return _("Move %(name)s in the organisation") % {"name": obj.name}

    def get_consequences(self, obj) -> list[str]:
        below = len(selectors.customer_subtree_ids(root=obj)) - 1
        if obj.parent_id:
            where = _("Now part of %(parent)s.") % {"parent": obj.parent}
        else:
            where = _("Now a top-level customer.")
        text = ngettext(
            "%(count)s branch or department below it moves with it.",
            "%(count)s branches and departments below it move with it.",
            below,
        )
        return [where, text % {"count": below}]

    def perform(self, request, obj, form) -> str:
        number = form.cleaned_data["parent_number"]
        parent = None
        if number:
            parent = find_customer(user=request.user, number=number)
            if parent is None:
                raise ValidationError(
                    {
                        "parent_number": _("No customer %(number)s that you can see.")
                        % {"number": number}
                    }
                )
        services.customer_move(customer=obj, new_parent=parent, actor=request.user)
        if parent is None:
            return _("%(name)s is now a top-level customer.") % {"name": obj.name}
        return _("%(name)s is now part of %(parent)s.") % {"name": obj.name, "parent": parent}


class CreditCheckView(CustomerChildFormView):
    """Run the credit check: the class comes from the configurable rules."""

    intro = gettext_lazy(
        "The credit class limits what may be sold without a deposit. It is computed from "
        "the declared income and the credit history by the configured rules."
    )

    def get_form(self, request, obj, data=None, files=None):
        return CreditCheckForm(data)

    def get_title(self, obj) -> str:
        return _("Credit check of %(name)s") % {"name": obj.name}

    def save(self, request, form, obj):
        return services.credit_check_run(customer=obj, actor=request.user, **form.cleaned_data)

    def success_message(self, saved) -> str:
        return _("Credit class %(cls)s (rule: %(rule)s).") % {
            "cls": saved.get_credit_class_display(),
            "rule": saved.rule_description,
        }

    def extra_context(self, request, obj, form) -> dict:
        return {
            "previous_checks": obj.credit_checks.select_related("checked_by")[:5],
        }


class AddressCreateView(CustomerChildFormView):
    """A new address of the customer from a date; the current one of that kind ends."""

    def get_form(self, request, obj, data=None, files=None):
        kind = request.GET.get("kind")
        initial = {"kind": kind} if kind in choices.AddressKind.values else {}
        initial["country"] = obj.country
        return AddressForm(data, initial=initial)

    def get_title(self, obj) -> str:
        return _("New address of %(name)s") % {"name": obj.name}

    def save(self, request, form, obj):
        return services.address_set(customer=obj, actor=request.user, **form.cleaned_data)

    def success_message(self, saved) -> str:
        return _("%(kind)s address valid from %(day)s.") % {
            "kind": saved.get_kind_display(),
            "day": saved.valid_from,
        }

    def extra_context(self, request, obj, form) -> dict:
        return {"current_addresses": selectors.current_addresses(customer=obj)}
