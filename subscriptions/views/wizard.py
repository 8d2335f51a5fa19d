"""The sales wizard (SUB-1): customer → billing account → basket (priced live) →
devices → installation → contract → confirm. Each step is a GET/POST form; the
wizard's state is a small dataclass kept in the session as JSON. Confirm signs the
subscription (``subscription_create``) and renders its contract
(``contract_generate``); every rule is the services'."""

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from alux_crm.core.selectors import is_partner_user
from customers import selectors as customer_selectors
from customers.choices import BillingAccountStatus
from products import selectors as product_selectors
from products.choices import ProductCategory
from products.offers import needs_pricing_approval
from products.pricing import DEFAULT_TERM_MONTHS, BasketItem, price_basket

from .. import choices, selectors, services
from ..forms import (
    AccountStepForm,
    BasketStepForm,
    ContractStepForm,
    CustomerStepForm,
    DevicesStepForm,
    InstallationStepForm,
)
from .base import add_service_errors, channel_of, user_may_open

SESSION_KEY = "subscription_wizard"
STEPS = [
    ("customer", gettext_lazy("Customer")),
    ("account", gettext_lazy("Billing account")),
    ("basket", gettext_lazy("Basket")),
    ("devices", gettext_lazy("Devices")),
    ("installation", gettext_lazy("Installation")),
    ("contract", gettext_lazy("Contract")),
    ("confirm", gettext_lazy("Confirm")),
]
STEP_NAMES = [name for name, _label in STEPS]
DEVICE_CATEGORIES = (ProductCategory.TV_BOX, ProductCategory.ROUTER)
# Where a field refused by the sale is typed.
FIELD_STEPS = {
    "installation_date": "installation",
    "installation_slot": "installation",
    "serial": "devices",
    "modified_clauses": "contract",
}


@dataclass
class WizardState:
    """What the agent chose so far (JSON in the session)."""

    customer: int | None = None
    account: int | None = None
    lines: list = field(default_factory=list)  # {"product", "quantity", "acquisition"}
    discount: str = ""
    term_months: int = DEFAULT_TERM_MONTHS
    devices: list = field(default_factory=list)  # {"product", "serial", "room"}
    installation_date: str = ""
    installation_slot: str = ""
    installation_notes: str = ""
    renewal: str = choices.RenewalRule.MONTHLY
    clauses: dict = field(default_factory=dict)  # code -> changed text
    done: list = field(default_factory=list)  # steps saved

    @classmethod
    def load(cls, session) -> "WizardState":
        data = session.get(SESSION_KEY) or {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, session) -> None:
        session[SESSION_KEY] = asdict(self)

    def mark(self, step: str) -> None:
        if step not in self.done:
            self.done.append(step)

    @property
    def discount_percent(self) -> Decimal:
        try:
            return Decimal(self.discount or "0")
        except InvalidOperation:
            return Decimal("0")


def step_url(step: str) -> str:
    return reverse("subscriptions:subscription_create_step", args=[step])


class Sale:
    """The wizard's state resolved for this user: the customer and account they may
    see, the products on sale, and the device slots of the basket."""

    def __init__(self, request, state: WizardState):
        self.request, self.state = request, state
        user = request.user
        self.customer = (
            customer_selectors.customer_list(user=user).filter(pk=state.customer).first()
            if state.customer
            else None
        )
        self.accounts = (
            customer_selectors.billing_account_list(user=user)
            .filter(customer=self.customer, status=BillingAccountStatus.ACTIVE)
            .order_by("number")
            if self.customer
            else None
        )
        self.account = (
            next((a for a in self.accounts if a.pk == state.account), None)
            if self.accounts is not None and state.account
            else None
        )
        self.products = {p.pk: p for p in product_selectors.simulator_products()}
        state.lines = [line for line in state.lines if line["product"] in self.products]

    def items(self, lines=None, discount=None) -> list[BasketItem]:
        discount = self.state.discount_percent if discount is None else discount
        return [
            BasketItem(self.products[x["product"]], x["quantity"], x["acquisition"], discount)
            for x in (self.state.lines if lines is None else lines)
        ]

    def slots(self) -> list:
        """One device to register per TV box and router in the basket."""
        return [
            self.products[x["product"]]
            for x in self.state.lines
            if self.products[x["product"]].category in DEVICE_CATEGORIES
            for _n in range(x["quantity"])
        ]

    def devices_match(self) -> bool:
        return [d["product"] for d in self.state.devices] == [p.pk for p in self.slots()]

    def missing(self) -> str | None:
        """The first step still to be done."""
        state = self.state
        checks = [
            ("customer", self.customer is not None),
            ("account", self.account is not None),
            ("basket", bool(state.lines)),
            ("devices", "devices" in state.done and self.devices_match()),
            ("installation", "installation" in state.done),
            ("contract", "contract" in state.done),
        ]
        return next((step for step, ok in checks if not ok), None)

    def quote(self, lines=None, discount=None, term=None) -> dict:
        """The live price of the basket, with the deposit and why Pricing must
        approve; ``errors`` when the catalogue refuses the basket."""
        try:
            quote = price_basket(
                items=self.items(lines, discount),
                customer=self.customer,
                channel=channel_of(self.request.user),
                term_months=term or self.state.term_months,
                currency=self.account.currency,
                existing_products=selectors.products_of_account(billing_account=self.account),
            )
        except ValidationError as exc:
            return {"errors": exc.messages}
        deposit, why = services.deposit_for(customer=self.customer, monthly=quote.monthly_total)
        return {
            "quote": quote,
            "approval": needs_pricing_approval(quote),
            "deposit": deposit,
            "deposit_why": why,
        }


def wizard_start(request):
    """A new sale: forget the previous one; ``?customer=<pk>`` starts with that
    customer (the button on the customer page)."""
    state = WizardState()
    wanted = request.GET.get("customer", "")
    if wanted.isdigit() and customer_selectors.customer_list(user=request.user).filter(
        pk=int(wanted)
    ):
        state.customer = int(wanted)
        state.mark("customer")
    state.save(request.session)
    return redirect(step_url("account" if state.customer else "customer"))


class WizardView(View):
    """One step of the wizard; a step whose earlier steps are not done sends the
    agent back to the first missing one."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if kwargs.get("step") not in STEP_NAMES:
            raise Http404(_("No such step."))
        self.step = kwargs["step"]

    def get(self, request, step: str):
        state = WizardState.load(request.session)
        sale = Sale(request, state)
        if (blocked := self._blocked(sale)) is not None:
            return blocked
        target = request.htmx.target if request.htmx else None
        if step == "customer" and target == "customer-choices":
            return render(request, "subscriptions/wizard/customer_choices.html", self._matches())
        if step == "basket" and target == "basket-quote":
            form = self._form(sale, request.GET)
            context = {"priced": self._priced(sale, form)} if form.is_valid() else {}
            context.setdefault("form_errors", None if form.is_valid() else form)
            return render(request, "subscriptions/wizard/quote.html", context)
        return self._render(sale, self._form(sale))

    def post(self, request, step: str):
        state = WizardState.load(request.session)
        sale = Sale(request, state)
        if (blocked := self._blocked(sale)) is not None:
            return blocked
        if step == "confirm":
            return self._confirm(sale)
        form = self._form(sale, request.POST)
        if form.is_valid():
            try:
                getattr(self, f"save_{step}")(sale, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                state.mark(step)
                state.save(request.session)
                return redirect(step_url(self._next(Sale(request, state))))
        return self._render(sale, form, status=422)

    def _next(self, sale: Sale) -> str:
        """The step after this one (the devices step only when there are devices); its
        page sends the agent back if an earlier step is missing."""
        following = STEP_NAMES[STEP_NAMES.index(self.step) + 1]
        if following == "devices" and not sale.slots():
            following = "installation"
        return following

    def _blocked(self, sale: Sale):
        missing = sale.missing()
        if missing and STEP_NAMES.index(missing) < STEP_NAMES.index(self.step):
            return redirect(step_url(missing))
        return None

    # --- forms of the steps ---------------------------------------------------------------
    def _form(self, sale: Sale, data=None):
        state, user = sale.state, self.request.user
        if self.step == "customer":
            form = CustomerStepForm(
                data,
                customers=customer_selectors.customer_list(user=user),
                initial={"customer": state.customer},
            )
            return form
        if self.step == "account":
            initial = state.account or (sale.accounts[0].pk if len(sale.accounts) == 1 else None)
            return AccountStepForm(data, accounts=sale.accounts, initial={"account": initial})
        if self.step == "basket":
            initial = {"discount": state.discount or None, "term_months": state.term_months}
            for n, line in enumerate(state.lines, start=1):
                initial |= {f"product_{n}": line["product"], f"quantity_{n}": line["quantity"]}
                initial[f"acquisition_{n}"] = line["acquisition"]
            return BasketStepForm(
                data,
                product_choices=[(p.pk, f"{p.name} ({p.code})") for p in sale.products.values()],
                initial=initial,
            )
        if self.step == "devices":
            initial = {}
            if sale.devices_match():
                for n, device in enumerate(state.devices, start=1):
                    initial |= {f"serial_{n}": device["serial"], f"room_{n}": device["room"]}
            return DevicesStepForm(data, slots=sale.slots(), initial=initial)
        if self.step == "installation":
            return InstallationStepForm(
                data,
                initial={
                    "installation_date": state.installation_date or None,
                    "installation_slot": state.installation_slot,
                    "installation_notes": state.installation_notes,
                },
            )
        if self.step == "contract":
            return ContractStepForm(
                data,
                language=sale.customer.language,
                clauses=state.clauses,
                initial={"term_months": state.term_months, "renewal": state.renewal},
            )
        return None

    # --- saving the steps -------------------------------------------------------------------
    def save_customer(self, sale: Sale, form) -> None:
        chosen = form.cleaned_data["customer"].pk
        if chosen != sale.state.customer:
            fresh = WizardState(customer=chosen, lines=sale.state.lines)
            sale.state.__dict__.update(fresh.__dict__)

    def save_account(self, sale: Sale, form) -> None:
        sale.state.account = form.cleaned_data["account"].pk

    def save_basket(self, sale: Sale, form) -> None:
        data = form.cleaned_data
        priced = sale.quote(form.lines(), data["discount"] or Decimal("0"), data["term_months"])
        if priced.get("errors"):
            raise ValidationError(priced["errors"])
        state = sale.state
        state.lines = form.lines()
        state.discount = str(data["discount"] or "")
        state.term_months = data["term_months"]
        if not sale.slots():  # nothing to register: the devices step is done
            state.devices = []
            state.mark("devices")

    def save_devices(self, sale: Sale, form) -> None:
        devices = form.devices()
        taken = selectors.serials_in_use(serials=[d["serial"] for d in devices])
        for n, device in enumerate(devices, start=1):
            if device["serial"] in taken:
                form.add_error(f"serial_{n}", _("This serial is already on a subscription."))
        if taken:
            raise ValidationError(_("Some serials are already in use."))
        sale.state.devices = devices

    def save_installation(self, sale: Sale, form) -> None:
        data, state = form.cleaned_data, sale.state
        day = data["installation_date"]
        state.installation_date = day.isoformat() if day else ""
        state.installation_slot = data["installation_slot"] if day else ""
        state.installation_notes = data["installation_notes"]

    def save_contract(self, sale: Sale, form) -> None:
        state = sale.state
        state.term_months = form.cleaned_data["term_months"]
        state.renewal = form.cleaned_data["renewal"]
        state.clauses = form.changed_clauses()

    # --- confirm ------------------------------------------------------------------------------
    def _confirm(self, sale: Sale):
        """Sign the subscription and render its contract, in one transaction."""
        request, state = self.request, sale.state
        user = request.user
        try:
            with transaction.atomic():
                subscription = services.subscription_create(
                    billing_account=sale.account,
                    items=sale.items(),
                    channel=channel_of(user),
                    actor=user,
                    partner=user.partner if is_partner_user(user) else None,
                    devices=[
                        services.DeviceSpec(sale.products[d["product"]], d["serial"], d["room"])
                        for d in state.devices
                    ],
                    term_months=state.term_months,
                    renewal=state.renewal,
                    installation_date=(
                        date.fromisoformat(state.installation_date)
                        if state.installation_date
                        else None
                    ),
                    installation_slot=state.installation_slot,
                    installation_notes=state.installation_notes,
                )
                document = services.contract_generate(
                    subscription=subscription,
                    actor=user,
                    modified_clauses=state.clauses,
                    language=sale.customer.language,
                )
        except ValidationError as exc:
            return self._render(sale, None, status=422, refused=self._refusals(exc))
        except DomainError as exc:
            return self._render(sale, None, status=422, refused=[(str(exc), None)])
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _("Subscription %(number)s signed; contract %(document)s is ready.")
            % {"number": subscription.number, "document": document.number},
        )
        return redirect(f"{subscription.get_absolute_url()}?tab=documents")

    @staticmethod
    def _refusals(exc: ValidationError) -> list[tuple[str, str | None]]:
        """Each refusal with the step where it is fixed."""
        if not hasattr(exc, "error_dict"):
            return [(m, step_url("basket")) for m in exc.messages]
        return [
            (m, step_url(FIELD_STEPS.get(name, "basket")))
            for name, errors in exc.error_dict.items()
            for e in errors
            for m in e.messages
        ]

    # --- pages ----------------------------------------------------------------------------------
    def _matches(self) -> dict:
        text = self.request.GET.get("q", "")
        return {
            "matches": product_selectors.simulator_customers(user=self.request.user, text=text),
            "searched": len(text.strip()) >= 2,
            "query": text,
        }

    def _priced(self, sale: Sale, form) -> dict:
        data = form.cleaned_data
        return sale.quote(form.lines(), data["discount"] or Decimal("0"), data["term_months"])

    def _render(self, sale: Sale, form, status: int = 200, refused=None):
        step, state = self.step, sale.state
        index = STEP_NAMES.index(step)
        context = {
            "title": _("New subscription"),
            "step": step,
            "steps": [
                {"name": name, "label": label, "url": step_url(name), "number": n}
                for n, (name, label) in enumerate(STEPS, start=1)
            ],
            "step_index": index,
            "reachable": STEP_NAMES[: STEP_NAMES.index(sale.missing() or "confirm") + 1],
            "back_url": step_url(STEP_NAMES[index - 1]) if index else None,
            "form": form,
            "sale": sale,
            "state": state,
            "refused": refused,
        }
        if step == "customer":
            context |= self._matches()
            context["chosen"] = sale.customer
        if step == "account" and sale.customer is not None:
            context["can_add_account"] = user_may_open(
                self.request, "customers:billing_account_create"
            )
        if step == "basket":
            bound = form is not None and form.is_bound and form.is_valid()
            if bound:
                context["priced"] = self._priced(sale, form)
            elif state.lines:
                context["priced"] = sale.quote()
        if step == "confirm":
            context["priced"] = sale.quote()
            context["devices"] = [
                {**d, "product": sale.products[d["product"]]} for d in state.devices
            ]
            context["installation_day"] = (
                date.fromisoformat(state.installation_date) if state.installation_date else None
            )
            context["slot"] = dict(choices.InstallationSlot.choices).get(state.installation_slot)
            context["renewal"] = choices.RenewalRule(state.renewal).label
        template = f"subscriptions/wizard/{step}.html"
        return render(self.request, template, context, status=status)
