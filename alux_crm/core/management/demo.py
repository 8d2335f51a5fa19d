"""The demo logins, one per role, shared by ``seed_demo`` and ``demo_logins``."""

from dataclasses import dataclass

from alux_crm.core import roles as R

DEMO_PASSWORD = "aluxsat-demo"  # noqa: S105 - public demo password, printed on start


@dataclass(frozen=True)
class DemoLogin:
    """A demo user of one role."""

    username: str
    role: str
    first_name: str
    last_name: str
    unit: str | None = None
    partner: str | None = None


DEMO_LOGINS = [
    DemoLogin("sales", R.SALES, "Sorin", "Popescu", unit="sales"),
    DemoLogin("agent", R.CUSTOMER_SERVICE, "Ioana", "Marin", unit="call-centre-bucharest"),
    DemoLogin("warehouse", R.INVENTORY, "Mihai", "Dumitru", unit="warehouse"),
    DemoLogin("finance", R.BILLING_FINANCE, "Elena", "Stan", unit="finance"),
    DemoLogin("marketing", R.MARKETING, "Andreea", "Ilie", unit="marketing"),
    DemoLogin("support", R.TECHNICAL_SUPPORT, "Radu", "Constantin", unit="tech-support"),
    DemoLogin("backoffice", R.BACK_OFFICE, "Cristina", "Georgescu", unit="back-office"),
    DemoLogin("sysadmin", R.SYSTEM_ADMINISTRATOR, "Victor", "Lazar", unit="it"),
    DemoLogin("retailer", R.RETAILER, "Dan", "Petrescu", partner="R-001"),
    DemoLogin("installer", R.INSTALLER, "Bogdan", "Nistor", partner="I-001"),
]
