"""The idle timeout without a write per request: a session in use is renewed at most
once a minute (core.middleware.SessionRefreshMiddleware)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from alux_crm.core import roles as R

pytestmark = pytest.mark.django_db


def test_a_used_session_is_renewed_once_a_minute_not_on_every_request(client, make_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(make_user(R.CUSTOMER_SERVICE))
        client.get("/")
        key = client.session.session_key
        first = Session.objects.get(session_key=key).expire_date
        clock.shift(timedelta(seconds=30))
        client.get("/")  # within the minute: nothing written
        assert Session.objects.get(session_key=key).expire_date == first
        clock.shift(timedelta(seconds=40))
        client.get("/")  # 70 s after the last renewal: the idle timeout starts again
        assert Session.objects.get(session_key=key).expire_date == first + timedelta(seconds=70)
        clock.shift(timedelta(minutes=31))
        assert client.get("/").status_code == 302  # idle longer than the timeout: logged out
