"""Signals of billing, for apps that react to its events without billing importing
them (collections puts a deposit back to unpaid when the payment that brought it is
reversed).

- ``payment_reversed(sender=Payment, payment=…, actor=…)``: sent at the end of
  ``payment_reverse``, inside its transaction, with the reversed payment
  (``held_as_deposit`` tells whether it was held as a deposit). A receiver's error
  rolls the reversal back.
"""

from django.dispatch import Signal

payment_reversed = Signal()
