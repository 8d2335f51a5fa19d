"""Signals of subscriptions, for apps that react to a sale or guard an activation
without subscriptions importing them (collections asks and checks deposits).

- ``subscription_sold(sender=Subscription, subscription=…, actor=…)``: sent at the
  end of ``subscription_create``, inside its transaction.
- ``subscription_activating(sender=Subscription, subscription=…, actor=…)``: sent by
  ``subscription_activate`` before a subscription pending installation starts; a
  receiver refuses the activation by raising ``DomainError`` (sent with ``send``,
  so the error reaches the caller and the transaction rolls back).
"""

from django.dispatch import Signal

subscription_sold = Signal()
subscription_activating = Signal()
