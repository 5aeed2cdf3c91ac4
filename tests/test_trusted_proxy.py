"""allauth's rate limits count per client address: behind ``ALLAUTH_TRUSTED_PROXY_COUNT``
trusted proxies the address comes from X-Forwarded-For, otherwise from REMOTE_ADDR alone."""

import runpy
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from tests.admin_factories import verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE_SETTINGS = Path(__file__).resolve().parent.parent / "crm_workshop" / "settings" / "base.py"
TOO_MANY = "Demasiados intentos fallidos. Inténtelo más tarde."
PROXY_ADDR = "10.0.0.2"


@pytest.fixture(autouse=True)
def _empty_cache():
    """allauth's counters live in the configured cache (LocMem, or Redis in CI's second pass)."""
    cache.clear()
    yield
    cache.clear()


def _proxy_count_from_environment(monkeypatch, value: str | None) -> int:
    """``ALLAUTH_TRUSTED_PROXY_COUNT`` as settings/base.py reads it from this environment."""
    monkeypatch.setenv("DJANGO_READ_DOT_ENV_FILE", "False")
    if value is None:
        monkeypatch.delenv("ALLAUTH_TRUSTED_PROXY_COUNT", raising=False)
    else:
        monkeypatch.setenv("ALLAUTH_TRUSTED_PROXY_COUNT", value)
    return runpy.run_path(str(BASE_SETTINGS))["ALLAUTH_TRUSTED_PROXY_COUNT"]


def _fail_login(client, n: int, **headers):
    """A wrong password for a different address each time: only the per-IP limit can bite."""
    return client.post(
        "/accounts/login/",
        {"login": f"nadie{n}@example.org", "password": "wrong"},
        **headers,
    )


def test_trusted_proxy_count_comes_from_the_environment(monkeypatch):
    assert _proxy_count_from_environment(monkeypatch, "1") == 1
    assert _proxy_count_from_environment(monkeypatch, None) == 0


def test_two_clients_behind_one_trusted_proxy_are_limited_separately(monkeypatch, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = _proxy_count_from_environment(monkeypatch, "1")
    ana = verified(UserFactory(email="ana@example.org"))
    attacker, neighbour = Client(REMOTE_ADDR=PROXY_ADDR), Client(REMOTE_ADDR=PROXY_ADDR)
    for n in range(10):
        assert (
            TOO_MANY
            not in _fail_login(attacker, n, HTTP_X_FORWARDED_FOR="203.0.113.7").content.decode()
        )

    limited = _fail_login(attacker, 10, HTTP_X_FORWARDED_FOR="203.0.113.7")
    signed_in = neighbour.post(
        "/accounts/login/",
        {"login": "ana@example.org", "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )

    assert TOO_MANY in limited.content.decode()
    assert signed_in.status_code == 302
    assert neighbour.session["_auth_user_id"] == str(ana.pk)


def test_forged_forwarded_for_from_a_direct_client_changes_nothing(monkeypatch, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = _proxy_count_from_environment(monkeypatch, None)
    direct = Client(REMOTE_ADDR="192.0.2.50")
    for n in range(10):
        _fail_login(direct, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")

    response = _fail_login(direct, 10, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert TOO_MANY in response.content.decode()


def test_request_that_skipped_a_trusted_proxy_is_counted_by_its_peer_address(monkeypatch, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = _proxy_count_from_environment(monkeypatch, "2")
    direct = Client(REMOTE_ADDR="192.0.2.60")
    for n in range(10):
        assert _fail_login(direct, n, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 200

    response = _fail_login(direct, 10, HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert TOO_MANY in response.content.decode()
