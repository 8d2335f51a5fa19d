"""The idle timeout without a write per request: a session in use is renewed at most
once a minute (core.middleware.SessionRefreshMiddleware)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
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
        # the cached copy (sessions are read from Redis) lives as long as the timeout
        # from the last renewal: Redis drops it by its own clock, which the test's
        # time travel cannot move, so it is dropped here as Redis would
        cache_key = cache.make_key(SessionStore.cache_key_prefix + key)
        ttl = cache._cache.get_client(cache_key).ttl(cache_key)
        assert settings.SESSION_COOKIE_AGE - 5 <= ttl <= settings.SESSION_COOKIE_AGE
        clock.shift(timedelta(minutes=31))
        cache.delete(SessionStore.cache_key_prefix + key)
        assert client.get("/").status_code == 302  # idle longer than the timeout: logged out
