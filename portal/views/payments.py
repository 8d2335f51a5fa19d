"""Portal pages of payments (POR-1): pay an invoice or what an account owes by card,
the result of a card payment (and asking again after a timeout), top up a prepaid
service with a voucher. Every object comes through the subscriber's own customer."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from alux_crm.core.errors import DomainError
from billing.services.vouchers import VoucherRefused

from ..forms_payments import CardPaymentForm, VoucherTopUpForm
from ..providers import TestCardProvider, card_provider
from ..selectors import portal_customer, portal_invoice
from ..selectors_payments import (
    portal_card_payment,
    portal_card_payment_by_key,
    portal_payment_target,
    portal_prepaid_subscriptions,
)
from ..services_payments import (
    TooManyVoucherAttempts,
    card_payment_pay,
    card_payment_retry,
    portal_voucher_redeem,
)


def _pay_url(card_payment) -> str:
    """The pay page for what ``card_payment`` paid (a new form, a new key)."""
    if card_payment.invoice_id:
        return f"{reverse('portal:pay')}?invoice={card_payment.invoice_id}"
    return f"{reverse('portal:pay')}?account={card_payment.billing_account_id}"


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("card_number", "expiry", "cvc"), name="dispatch")
class PortalPayView(View):
    """Pay by card: ``?invoice=<pk>`` (the invoice's open amount) or ``?account=<pk>``
    (what the account owes); another customer's is a 404. The form's one-time key
    makes a double click or a resubmission pay once: the same attempt is shown."""

    template_name = "portal/pay.html"

    def _target(self, request, customer):
        return portal_payment_target(
            customer=customer,
            invoice=request.GET.get("invoice"),
            account=request.GET.get("account"),
        )

    def _render(self, request, target, form, status: int = 200):
        context = {
            "title": _("Pay by card"),
            "target": target,
            "form": form,
            "test_cards": isinstance(card_provider(), TestCardProvider),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        target = self._target(request, portal_customer(request.user))
        form = None
        if target is not None and target.maximum > 0:
            form = CardPaymentForm(
                target=target,
                initial={"amount": target.maximum, "idempotency_key": uuid.uuid4().hex},
            )
        return self._render(request, target, form)

    def post(self, request):
        customer = portal_customer(request.user)
        target = self._target(request, customer)
        if target is None:
            return redirect("portal:pay")
        earlier = portal_card_payment_by_key(
            customer=customer, idempotency_key=request.POST.get("idempotency_key", "")
        )
        form = CardPaymentForm(request.POST, target=target, check_amount=earlier is None)
        if not form.is_valid():
            if earlier is not None:  # the form was sent already: show what became of it
                return redirect("portal:payment_detail", pk=earlier.pk)
            return self._render(request, target, form, status=422)
        try:
            card_payment = card_payment_pay(
                customer=customer,
                account=target.account,
                invoice=target.invoice,
                amount=form.cleaned_data["amount"],
                card=form.card(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self._render(request, target, form, status=422)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect(request.get_full_path())
        return redirect("portal:payment_detail", pk=card_payment.pk)


class PortalCardPaymentDetailView(View):
    """What became of a card payment, in plain words: paid, declined (nothing was
    charged), or no answer yet (ask again: never charged twice)."""

    def get(self, request, pk: int):
        customer = portal_customer(request.user)
        card_payment = portal_card_payment(customer=customer, pk=pk)
        invoice = (
            portal_invoice(customer=customer, pk=card_payment.invoice_id)
            if card_payment.invoice_id
            else None
        )
        context = {
            "title": _("Card payment"),
            "card_payment": card_payment,
            "invoice": invoice,
            "account": card_payment.billing_account,
            "pay_again_url": _pay_url(card_payment),
        }
        return render(request, "portal/pay_result.html", context)


class PortalCardPaymentRetryView(View):
    """Ask the card provider again about a payment that got no answer (POST)."""

    def post(self, request, pk: int):
        card_payment = portal_card_payment(customer=portal_customer(request.user), pk=pk)
        card_payment_retry(card_payment=card_payment, actor=request.user)
        return redirect("portal:payment_detail", pk=card_payment.pk)


class PortalTopUpView(View):
    """Top up one of the subscriber's prepaid services with a voucher code; the new
    balance is shown. Wrong codes are counted and throttled per subscriber."""

    template_name = "portal/top_up.html"

    def _render(self, request, customer, form, status: int = 200):
        context = {
            "title": _("Top up with a voucher"),
            "form": form,
            "subscriptions": list(portal_prepaid_subscriptions(customer=customer)),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        customer = portal_customer(request.user)
        initial = {}
        if request.GET.get("subscription", "").isdigit():
            initial["subscription"] = int(request.GET["subscription"])
        return self._render(request, customer, VoucherTopUpForm(customer=customer, initial=initial))

    def post(self, request):
        customer = portal_customer(request.user)
        form = VoucherTopUpForm(request.POST, customer=customer)
        if not form.is_valid():
            return self._render(request, customer, form, status=422)
        subscription = form.cleaned_data["subscription"]
        try:
            voucher = portal_voucher_redeem(
                customer=customer,
                subscription=subscription,
                code=form.cleaned_data["code"],
                actor=request.user,
            )
        except TooManyVoucherAttempts as exc:
            form.add_error(None, str(exc))
            return self._render(request, customer, form, status=429)
        except DomainError as exc:
            about_subscription = isinstance(exc, VoucherRefused) and exc.code in (
                "voucher_not_prepaid",
                "voucher_ended",
            )
            form.add_error("subscription" if about_subscription else "code", str(exc))
            return self._render(request, customer, form, status=422)
        subscription.refresh_from_db(fields=["prepaid_balance", "status"])
        messages.success(
            request,
            _(
                "Voucher accepted: %(value)s %(currency)s added to %(subscription)s. "
                "Your balance is now %(balance)s %(currency)s."
            )
            % {
                "value": voucher.batch.value,
                "currency": voucher.batch.currency,
                "subscription": subscription.number,
                "balance": subscription.prepaid_balance,
            },
        )
        return redirect(f"{reverse('portal:top_up')}?subscription={subscription.pk}")
