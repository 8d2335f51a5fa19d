"""Receivers of collections for other apps' signals (connected in
``DunningConfig.ready``): a sale that needs a deposit asks for it, and an unpaid
deposit keeps its subscription pending installation, and a deposit whose payment is
reversed is unpaid again. They only call services."""

from billing.signals import payment_reversed
from subscriptions.signals import subscription_activating, subscription_sold


def ask_deposit_of_sale(sender, *, subscription, actor=None, **kwargs) -> None:
    """A sale with ``deposit_required`` asks the account for that deposit."""
    from .services.deposits import deposit_for_sale

    deposit_for_sale(subscription=subscription, actor=actor)


def refuse_activation_while_deposit_unpaid(sender, *, subscription, **kwargs) -> None:
    """The installation waits for the deposit (raises ``DomainError``)."""
    from .services.deposits import deposit_check_activation

    deposit_check_activation(subscription=subscription)


def deposit_unpaid_when_its_payment_is_reversed(sender, *, payment, actor=None, **kwargs) -> None:
    """A reversed payment that brought a held deposit makes the deposit unpaid again."""
    from .services.deposits import deposit_payment_reversed

    deposit_payment_reversed(payment=payment, actor=actor)


def connect() -> None:
    """Connect the receivers (once: the dispatch uids make a second call harmless)."""
    subscription_sold.connect(ask_deposit_of_sale, dispatch_uid="dunning-deposit-of-sale")
    subscription_activating.connect(
        refuse_activation_while_deposit_unpaid, dispatch_uid="dunning-deposit-before-activation"
    )
    payment_reversed.connect(
        deposit_unpaid_when_its_payment_is_reversed, dispatch_uid="dunning-deposit-reversed"
    )
