"""Number sequences for customers and billing accounts, and the default rules of the
credit check (CUS-3) and of the tiers (CUS-10). Both rule sets are editable."""

from decimal import Decimal

from django.db import migrations

CREDIT_RULES = [
    # priority, class, minimum monthly income, histories, description
    (10, "A", Decimal("3000"), ["good"], "Good history and income of 3000 or more"),
    (20, "B", Decimal("1500"), ["good", "fair"], "Good or fair history and income of 1500 or more"),
    (30, "B", Decimal("3000"), ["none"], "No history but income of 3000 or more"),
    (40, "C", Decimal("800"), ["good", "fair", "none"], "Income of 800 or more, no bad history"),
    (90, "D", Decimal("0"), ["good", "fair", "none", "poor"], "Everyone else"),
]

TIER_RULES = [
    # tier, rank, minimum monthly value, minimum tenure in months
    ("platinum", 4, Decimal("150.00"), 36),
    ("gold", 3, Decimal("80.00"), 24),
    ("silver", 2, Decimal("40.00"), 12),
    ("bronze", 1, Decimal("0.00"), 0),
]


def load_rules(apps, schema_editor):
    CreditClassRule = apps.get_model("customers", "CreditClassRule")
    for priority, credit_class, income, histories, description in CREDIT_RULES:
        CreditClassRule.objects.get_or_create(
            priority=priority,
            defaults={
                "credit_class": credit_class,
                "min_monthly_income": income,
                "histories": histories,
                "description": description,
            },
        )
    TierRule = apps.get_model("customers", "TierRule")
    for tier, rank, value, tenure in TIER_RULES:
        TierRule.objects.get_or_create(
            tier=tier,
            defaults={"rank": rank, "min_monthly_value": value, "min_tenure_months": tenure},
        )


def unload_rules(apps, schema_editor):
    apps.get_model("customers", "CreditClassRule").objects.all().delete()
    apps.get_model("customers", "TierRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS customer_number_seq;"
            "CREATE SEQUENCE IF NOT EXISTS billing_account_number_seq;",
            "DROP SEQUENCE IF EXISTS customer_number_seq;"
            "DROP SEQUENCE IF EXISTS billing_account_number_seq;",
        ),
        migrations.RunPython(load_rules, unload_rules),
    ]
