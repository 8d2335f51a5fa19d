"""Fixtures of the catalogue screen tests."""

import pytest
from django.test import Client

from alux_crm.core import selectors as core_selectors
from tests.products.factories import catalogue


@pytest.fixture
def catalogue_screens(settings):
    """No two-factor step, and no operator settings cached by another test."""
    settings.OTP_REQUIRED_ROLES = []
    core_selectors.operator_settings_forget()
    yield
    core_selectors.operator_settings_forget()


@pytest.fixture
def as_role(make_user):
    """``as_role(role)`` → (a client logged in as a new user of that role, the user)."""

    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


@pytest.fixture
def cat():
    """The small priced catalogue of ``factories.catalogue``."""
    return catalogue()
