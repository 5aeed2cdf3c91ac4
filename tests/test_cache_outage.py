"""Redis down or hung: sign-in pages still answer, allauth still rate-limits, all of it bounded.

The cache configuration is the one ``settings/base.py`` builds for a ``REDIS_URL`` (read in a
fresh interpreter), pointed at a real closed port or a real server that never answers.
"""

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from allauth.account.models import EmailAddress
from django.core.cache import cache

from tests.factories import UserFactory
from tests.fault_servers import closed_port, running_silent_server, running_tcp_proxy
from tests.services import require_services

BASE_DIR = Path(__file__).resolve().parent.parent
TOO_MANY = "Demasiados intentos fallidos. Inténtelo más tarde."
ACCOUNT_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def configured_caches() -> dict:
    """``settings.CACHES`` as base.py builds it when ``REDIS_URL`` is set."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="crm_workshop.settings.test",
        DJANGO_READ_DOT_ENV_FILE="False",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; import json; "
         "print(json.dumps(s.CACHES))"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


@pytest.fixture
def redis_at(settings, configured_caches):
    """Point the configured shared cache at ``url`` (Django rebuilds its cache objects)."""

    def point_at(url: str) -> None:
        default = {**configured_caches["default"], "LOCATION": url}
        settings.CACHES = {"default": default}

    return point_at


@pytest.fixture
def silent_server():
    with running_silent_server() as server:
        yield server


@pytest.fixture
def redis_down(redis_at):
    redis_at(f"redis://127.0.0.1:{closed_port()}/0")


@pytest.fixture
def person():
    user = UserFactory(email="ana@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _login(client, password: str):
    return client.post("/accounts/login/", {"login": "ana@example.org", "password": password})


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_page_redis_down_answers_200(client, redis_down, path):
    response = client.get(path)

    assert response.status_code == 200


def test_login_wrong_password_redis_down_says_so(client, redis_down, person):
    response = _login(client, "wrong")

    assert response.status_code == 200
    assert "no son correctas" in response.content.decode()


def test_signup_post_redis_down_creates_account(client, redis_down):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nueva@example.org",
            "first_name": "Nueva",
            "last_name": "Persona",
            "language": "es",
            "password1": "Tortuga-azul-77",
            "password2": "Tortuga-azul-77",
        },
    )

    assert response.status_code == 302
    assert EmailAddress.objects.filter(email="nueva@example.org").count() == 1


def test_password_reset_post_redis_down_redirects(client, redis_down, person):
    response = client.post("/accounts/password/reset/", {"email": "ana@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


def test_login_rate_limit_redis_down_still_blocks_right_password(client, redis_down, person):
    for _ in range(5):
        assert TOO_MANY not in _login(client, "wrong").content.decode()

    response = _login(client, "correct-horse-battery")

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_cache_redis_down_warns_once_not_per_call(redis_at, caplog):
    port = closed_port()
    redis_at(f"redis://:s3creto@127.0.0.1:{port}/0")

    with caplog.at_level(logging.WARNING, logger="crm_workshop.outage"):
        cache.set("clave", "valor")
        values = [cache.get("clave") for _ in range(20)]

    assert values == ["valor"] * 20  # answered by the per-process fallback
    warnings = [r.getMessage() for r in caplog.records if r.name == "crm_workshop.outage"]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"shared cache redis://***@127.0.0.1:{port}/0 unreachable (")
    assert "s3creto" not in warnings[0]


def test_sign_in_redis_silent_costs_one_timeout_per_back_off(
    client, redis_at, silent_server, person
):
    redis_at(silent_server.redis_url)
    statuses, seconds = [], []

    for password in ["wrong"] * 5 + ["correct-horse-battery"]:
        started = time.monotonic()
        statuses.append(_login(client, password).status_code)
        seconds.append(time.monotonic() - started)

    assert statuses == [200] * 6  # the sixth is refused by the rate limit, not a 500
    assert max(seconds) < 2.0
    # One ~1 s socket timeout in all; the back-off keeps every later call off the hung server.
    assert sum(seconds) < 2.5
    assert len(silent_server.accepted) == 1


@pytest.mark.services
def test_cache_redis_back_after_outage_is_used_again(settings, configured_caches, caplog):
    require_services()
    real = urlsplit(os.environ.get("REDIS_URL") or os.environ["CELERY_BROKER_URL"])
    port = closed_port()
    location = f"redis://127.0.0.1:{port}{real.path}"
    default = configured_caches["default"]
    options = {**default["OPTIONS"], "retry_after": 0.2}
    settings.CACHES = {"default": {**default, "LOCATION": location, "OPTIONS": options}}
    direct = redis.Redis(host=real.hostname, port=real.port, db=int(real.path.strip("/")))

    with caplog.at_level(logging.WARNING, logger="crm_workshop.outage"):
        cache.set("durante-la-caida", "local")  # Redis refuses: kept in this process only
        with running_tcp_proxy(port, (real.hostname, real.port)):
            time.sleep(0.3)  # the back-off passes; the next call tries Redis again
            cache.set("despues", "compartido")
            outage_value = cache.get("durante-la-caida")
            shared_value = cache.get("despues")

    assert outage_value is None  # read from Redis again, not from the per-process copy
    assert shared_value == "compartido"
    assert direct.exists(cache.make_and_validate_key("despues")) == 1
    direct.delete(cache.make_and_validate_key("despues"))
    messages = [r.getMessage() for r in caplog.records if r.name == "crm_workshop.outage"]
    assert [m.split(" (")[0].split(" after ")[0] for m in messages] == [
        f"shared cache redis://127.0.0.1:{port}{real.path} unreachable",
        f"shared cache redis://127.0.0.1:{port}{real.path} answers again",
    ]
