"""Role groups exist after migrate with the permissions of roles.py."""

import pytest
from django.contrib.auth.models import Group

from alux_crm.core import roles as R


@pytest.mark.django_db
def test_every_role_is_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= R.ALL_ROLES


@pytest.mark.django_db
def test_roles_hold_exactly_their_permissions():
    admin = Group.objects.get(name=R.SYSTEM_ADMINISTRATOR)
    codes = {f"{p.content_type.app_label}.{p.codename}" for p in admin.permissions.all()}
    assert "core.change_operatorsettings" in codes
    assert "core.add_partner" in codes
    back_office = Group.objects.get(name=R.BACK_OFFICE)
    bo_codes = {f"{p.content_type.app_label}.{p.codename}" for p in back_office.permissions.all()}
    assert "django_celery_beat.change_periodictask" in bo_codes
    assert "core.add_partner" not in bo_codes
    assert not Group.objects.get(name=R.RETAILER).permissions.exists()


@pytest.mark.django_db
def test_sync_restores_a_removed_permission():
    group = Group.objects.get(name=R.SYSTEM_ADMINISTRATOR)
    group.permissions.clear()
    R.sync_role_permissions()
    assert group.permissions.filter(codename="change_operatorsettings").exists()
