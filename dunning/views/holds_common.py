"""What the holds pages share: the account an agent came from (``?account=<id>``),
with what it owes and is overdue, to fill in the forms."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from billing.views.payments import may_open  # noqa: F401 (re-exported for the holds views)
from customers.selectors import billing_account_list

from ..selectors import Overdue, overdue_of


@dataclass(frozen=True)
class AccountContext:
    """A billing account with its balance and overdue part on today."""

    account: object
    overdue: Overdue | None

    @property
    def suggested_amount(self) -> Decimal:
        """The overdue amount, else the balance (never more than the balance)."""
        balance = self.account.balance
        if self.overdue is not None:
            return min(self.overdue.amount, balance) if balance > 0 else self.overdue.amount
        return balance


def account_from_query(request, key: str = "account") -> AccountContext | None:
    """The account of ``?account=<id>`` the user may see, with its overdue amount."""
    value = request.GET.get(key, "") or request.POST.get(f"_{key}", "")
    if not value.isdigit():
        return None
    account = billing_account_list(user=request.user).filter(pk=value).first()
    if account is None:
        return None
    return AccountContext(account, overdue_of(account_id=account.pk, today=timezone.localdate()))


def account_from_number(request, number: str) -> AccountContext | None:
    """The same for an account number typed in a form."""
    account = billing_account_list(user=request.user).filter(number=number).first()
    if account is None:
        return None
    return AccountContext(account, overdue_of(account_id=account.pk, today=timezone.localdate()))
