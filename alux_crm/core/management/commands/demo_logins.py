"""Print the URL and the demo logins (used by ``make run``)."""

from django.core.management.base import BaseCommand

from ..demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the address to open and one demo login per role."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, **options):
        width = max(len(login.role) for login in DEMO_LOGINS)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"AluxSat CRM: open {options['url']}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<{width}}  {login.username}")
        self._portal(options["url"])
        self.stdout.write("")

    def _portal(self, url: str) -> None:
        from portal.demo import DEMO_SUBSCRIBER
        from portal.models import PortalAccount

        account = (
            PortalAccount.objects.select_related("customer", "user")
            .filter(user__username=DEMO_SUBSCRIBER)
            .first()
        )
        if account is None:
            return
        self.stdout.write(
            f"Subscriber portal: {url.rstrip('/')}/portal/ — log in with customer number "
            f"{account.customer.number} (or {account.user.username})"
        )
