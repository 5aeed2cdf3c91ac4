"""Security headers: the same strict CSP and Permissions-Policy on every kind of page, in every
environment; production's language cookie travels like the session cookie.

django-csp writes the directives in no fixed order (it walks a set), so the CSP header is
compared as a mapping of directive to sources, with no directive repeated.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.admin_factories import StaffUserFactory
from tests.factories import SessionFactory, UserFactory, WorkshopFactory

BASE_DIR = Path(__file__).resolve().parent.parent

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}
EXPECTED_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), "
    "display-capture=(), encrypted-media=(), geolocation=(), gyroscope=(), hid=(), "
    "idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)


def csp_directives(header: str) -> dict[str, list[str]]:
    """``"a 'self'; b x y"`` → ``{"a": ["'self'"], "b": ["x", "y"]}``; a repeated directive
    (which browsers would ignore) fails."""
    directives = [part.split() for part in header.split(";") if part.strip()]
    names = [name for name, *_ in directives]
    assert len(names) == len(set(names)), header
    return {name: sources for name, *sources in directives}


@pytest.fixture
def staff_client(client, db, settings):
    # The admin's MFA gate is tested in test_admin_mfa.py; here only the page's headers count.
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(StaffUserFactory())
    return client


@pytest.mark.parametrize("path", ["/", "/agenda/", "/en/agenda/session/1/"])
def test_security_headers_on_public_page(client, db, path):
    SessionFactory(workshop=WorkshopFactory(), number=1)

    response = client.get(path)

    assert response.status_code == 200
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY
    assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/accounts/login/", False),
        ("/accounts/password/reset/", False),
        ("/en/accounts/signup/", False),
        ("/accounts/email/", True),
        ("/accounts/2fa/", True),
    ],
)
def test_security_headers_on_account_page(client, db, path, signed_in):
    if signed_in:
        client.force_login(UserFactory())

    response = client.get(path)

    assert response.status_code == 200
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/agenda/session/", "/admin/agenda/session/1/change/"]
)
def test_security_headers_on_admin_page(staff_client, path):
    SessionFactory(pk=1)

    response = staff_client.get(path)

    assert response.status_code == 200
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY


def test_security_headers_on_redirect_and_not_found(client, db):
    redirect = client.get("/admin/")
    missing = client.get("/agenda/session/999/")

    assert (redirect.status_code, missing.status_code) == (302, 404)
    for response in (redirect, missing):
        assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
        assert response["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY


# --- Production ---------------------------------------------------------------------------------

# Run in a fresh interpreter with the production settings (settings are read once per process):
# choose English through Django's set_language over HTTPS, print the cookie and the headers.
PRODUCTION_LANGUAGE_SWITCH = """
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="crm.example.org").post(
    "/i18n/setlang/", {"language": "en", "next": "/"}, secure=True
)
cookie = response.cookies["django_language"]
print(response.status_code, cookie.value)
print(cookie["secure"], cookie["samesite"], cookie["httponly"])
print(response["Content-Security-Policy"])
print(response["Permissions-Policy"])
"""


def test_settings_production_language_cookie_is_secure_lax_and_http_only():
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="crm_workshop.settings.production",
        DJANGO_READ_DOT_ENV_FILE="False",
        DATABASE_URL="sqlite:////tmp/crm_workshop_settings_check.sqlite3",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="crm.example.org",
        SITE_URL="https://crm.example.org",
    )

    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_LANGUAGE_SWITCH],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    status, cookie_flags, csp, permissions_policy = result.stdout.strip().splitlines()
    assert status == "302 en"
    assert cookie_flags == "True Lax True"
    assert csp_directives(csp) == EXPECTED_CSP
    assert permissions_policy == EXPECTED_PERMISSIONS_POLICY
