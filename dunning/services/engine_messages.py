"""The texts of dunning steps: subject and message are Django templates edited by
Back Office, rendered with the account's situation (customer, account, amount,
currency, oldest due date, days overdue, number of invoices, operator name)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from alux_crm.core.money import ZERO
from alux_crm.core.selectors import operator_settings

from ..selectors import Overdue, overdue_of

# Plain text (e-mail bodies, SMS, letters): no HTML escaping of names and amounts.
TEXT_ENGINE = Engine(autoescape=False)

VARIABLES = (
    "customer",
    "account",
    "amount",
    "currency",
    "oldest_due_on",
    "days_overdue",
    "invoices",
    "operator",
)


@dataclass(frozen=True)
class Rendered:
    """A step's texts for one account."""

    subject: str
    body: str


@lru_cache(maxsize=256)
def _compiled(text: str):
    return TEXT_ENGINE.from_string(text)


def template_errors(text: str) -> str:
    """The syntax error of a message template, or "" when it compiles."""
    try:
        _compiled(text)
    except TemplateSyntaxError as exc:
        return str(exc)
    return ""


def validate_templates(*, subject: str, body: str) -> None:
    """Refuse a subject or message that is not a valid template (a form error)."""
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        problem = template_errors(text)
        if problem:
            errors[field] = _("This template has an error: %(error)s") % {"error": problem}
    if errors:
        raise ValidationError(errors)


def message_context(*, account, overdue: Overdue | None, today: date, operator=None) -> dict:
    """What a step's templates may use."""
    customer = account.customer
    return {
        "customer": customer,
        "account": account,
        "amount": overdue.amount if overdue else ZERO,
        "currency": account.currency,
        "oldest_due_on": overdue.oldest_due_on if overdue else None,
        "days_overdue": overdue.days_overdue(today) if overdue else 0,
        "invoices": overdue.invoices if overdue else 0,
        "operator": (operator or operator_settings()).name,
    }


def render_step(step, context: dict) -> Rendered:
    """The step's subject and message for one account (an error in a template that
    was saved anyway renders as empty text rather than stopping the run)."""
    ctx = Context(context, autoescape=False)
    try:
        subject = _compiled(step.subject).render(ctx) if step.subject else ""
        body = _compiled(step.body).render(ctx) if step.body else ""
    except TemplateSyntaxError:
        subject, body = step.subject, step.body
    return Rendered(subject=" ".join(subject.split()), body=body.strip())


def step_preview(*, step, account, today: date) -> Rendered:
    """The step as ``account`` would get it today (what it owes now; nothing sent)."""
    overdue = overdue_of(account_id=account.pk, today=today)
    if overdue is None:
        overdue = Overdue(
            billing_account_id=account.pk,
            oldest_due_on=today,
            amount=account.balance if account.balance > 0 else Decimal("0.00"),
            invoices=0,
        )
    return render_step(step, message_context(account=account, overdue=overdue, today=today))
