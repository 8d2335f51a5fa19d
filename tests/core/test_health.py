"""/healthz reports each dependency and answers 503 when one is down."""

import pytest


@pytest.mark.django_db
def test_healthz_without_worker_is_503_with_details(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery"]["ok"] is False
    assert body["checks"]["celery"]["workers"] == []


@pytest.mark.django_db
def test_healthz_reports_redis_down(client, settings, monkeypatch):
    from alux_crm.core import health

    monkeypatch.setitem(health.CHECKS, "celery", lambda: {"ok": True, "workers": ["w@h"]})
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    body = client.get("/healthz").json()
    assert body["checks"]["redis"]["ok"] is False
    assert "Error" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True
    assert client.get("/healthz").status_code == 503


@pytest.mark.django_db
def test_healthz_is_ok_when_all_is_up(client, monkeypatch):
    from alux_crm.core import health

    monkeypatch.setitem(health.CHECKS, "celery", lambda: {"ok": True, "workers": ["w@h"]})
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
