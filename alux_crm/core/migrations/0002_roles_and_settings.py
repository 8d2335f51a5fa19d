"""Create the role groups, the operator settings row and the pg_trgm extension.

Permissions are given to the groups by ``roles.sync_role_permissions`` after every
migrate (post_migrate), once all apps' permissions exist.
"""

from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

ROLES = [
    "Sales",
    "Customer Service",
    "Inventory",
    "Billing & Finance",
    "Marketing",
    "Technical Support",
    "Back Office",
    "System Administrator",
    "Retailer",
    "Installer",
    "Subscriber",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    OperatorSettings = apps.get_model("core", "OperatorSettings")
    if not OperatorSettings.objects.exists():
        # First values from the environment (OPERATOR_*); editable in the app afterwards.
        OperatorSettings.objects.create(**settings.OPERATOR_DEFAULTS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("core", "OperatorSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_roles, remove_roles),
    ]
