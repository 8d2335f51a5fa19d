"""Demo of the profile part: the demo subscriber's communication preferences (offers
and news by e-mail only) and English as its language, so a newcomer's first look at
the portal is readable (Romanian is one click away on the profile page). Idempotent:
the same values again change nothing."""

from customers.services import customer_update

from .models import PortalAccount
from .services_profile import portal_language_sync


def seed_profile(account: PortalAccount) -> None:
    """Set the demo subscriber's preferences through the customers service."""
    account.customer = customer_update(
        customer=account.customer,
        actor=None,
        expected_version=account.customer.version,
        marketing_email=True,
        marketing_sms=False,
        marketing_post=False,
        language="en",
    )
    portal_language_sync(account=account)
