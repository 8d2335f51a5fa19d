from django.db import migrations


class Migration(migrations.Migration):
    """Subscription numbers (SUB-000001) come from a sequence."""

    dependencies = [("subscriptions", "0001_subscriptions")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS subscription_number_seq;",
            "DROP SEQUENCE IF EXISTS subscription_number_seq;",
        ),
    ]
