"""Production settings refuse to start without secrets and pass Django's deploy checks.

Each case runs in a fresh interpreter: settings are read once per process.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def _run(args: list[str], **overrides: str) -> subprocess.CompletedProcess:
    # A clean environment: nothing the test session or a developer exported (DATABASE_URL,
    # DJANGO_ALLOW_ASYNC_UNSAFE set by the e2e fixtures, …) may leak into the check.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="crm_workshop.settings.production",
        DJANGO_READ_DOT_ENV_FILE="False",  # a developer's .env must not hide a missing variable
        DATABASE_URL="sqlite:////tmp/crm_workshop_settings_check.sqlite3",
        **overrides,
    )
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


IMPORT_SETTINGS = ["-c", "import django; django.setup()"]


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({"ALLOWED_HOSTS": "crm.example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": secrets.token_urlsafe(60)}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "crm.example.org"}, "SITE_URL"),
    ],
)
def test_settings_production_missing_variable_is_improperly_configured(present, missing):
    result = _run(IMPORT_SETTINGS, **present)

    assert result.returncode == 1
    assert (
        f"django.core.exceptions.ImproperlyConfigured: Set the {missing} environment variable"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("values", "empty"),
    [
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "crm.example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": " " * 60, "ALLOWED_HOSTS": "crm.example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ],
    ids=["empty-secret-key", "spaces-secret-key", "empty-allowed-hosts"],
)
def test_settings_production_empty_variable_is_improperly_configured(values, empty):
    result = _run(IMPORT_SETTINGS, **values)

    assert result.returncode == 1
    assert f"ImproperlyConfigured: Set the {empty} environment variable (it is empty)" in (
        result.stderr
    )


def test_settings_production_check_deploy_is_clean():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="crm.example.org",
        SITE_URL="https://crm.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def compose_defaults() -> dict[str, str]:
    """``KEY: ${KEY:-default}`` lines of docker-compose.yml: what it sets when .env is bare."""
    text = (BASE_DIR / "docker-compose.yml").read_text()
    return dict(re.findall(r"^\s+(\w+): \$\{\1:-([^}]*)\}\s*$", text, flags=re.MULTILINE))


def test_settings_production_starts_with_compose_defaults():
    defaults = compose_defaults()
    keys = ("ALLOWED_HOSTS", "SITE_URL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")
    result = _run(
        [*IMPORT_SETTINGS[:-1], IMPORT_SETTINGS[-1] + "; print('started')"],
        SECRET_KEY=secrets.token_urlsafe(60),
        **{key: defaults[key] for key in keys},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


@pytest.mark.parametrize(
    ("site_url", "message"),
    [
        (
            "http://crm.example.org",
            "SITE_URL must be an https:// address such as "
            "https://crm.example.org (it is 'http://crm.example.org')",
        ),
        (
            "crm.example.org",
            "SITE_URL must be an https:// address such as "
            "https://crm.example.org (it is 'crm.example.org')",
        ),
        (
            "https://user:pw@crm.example.org",
            "SITE_URL must be an https:// address such as "
            "https://crm.example.org (it is 'https://user:pw@crm.example.org')",
        ),
        (
            "https://evil.example.net",
            "The host of SITE_URL (evil.example.net) must be one of "
            "ALLOWED_HOSTS (crm.example.org, www.crm.example.org)",
        ),
    ],
    ids=["http", "no-scheme", "credentials", "host-not-allowed"],
)
def test_settings_production_bad_site_url_is_improperly_configured(site_url, message):
    result = _run(
        IMPORT_SETTINGS,
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="crm.example.org,www.crm.example.org",
        SITE_URL=site_url,
    )

    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}\n" in result.stderr


def test_settings_production_values():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SITE_URL)",
        ],
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="crm.example.org,www.crm.example.org",
        SITE_URL="https://www.crm.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False ['crm.example.org', 'www.crm.example.org'] True True 31536000 "
        "https://www.crm.example.org"
    )
