"""The project is configured correctly: checks, migrations, production hardening."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """A model change without its migration fails here."""
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_deploy_check_passes_with_production_environment(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "alux_crm.settings.production",
        "DJANGO_SECRET_KEY": "x9$" + "k3Lm8#Qp2vR7tW1zY5bN0cF4hJ6gD" * 2,
        "DJANGO_ALLOWED_HOSTS": "crm.aluxsat.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env |= {"DJANGO_SETTINGS_MODULE": "alux_crm.settings.production", "DJANGO_ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_page():
    response = Client().get("/login/")
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_contain_no_inline_script(client, make_user, login):
    """CSP forbids inline scripts: the layout must not need any."""
    import re

    login(make_user("Back Office"))
    html = client.get("/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the layout loads its scripts"
    for attrs, body in scripts:
        assert "src=" in attrs and not body.strip(), attrs
    assert " on" + "click=" not in html


def test_idle_session_timeout_and_upload_limits(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # renewed once a minute instead
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 60
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 20 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.django_db
def test_oversized_request_is_refused(client):
    from django.conf import settings

    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post("/login/", {"username": "a", "password": body})
    assert response.status_code == 400
