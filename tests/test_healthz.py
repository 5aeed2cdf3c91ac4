"""/healthz: the database, the shared cache and the broker, each named when it fails.

The failing parts are real: a closed port, or a local server that accepts connections and
never answers (tests/fault_servers.py). Whatever is down, the answer is JSON within 3 s.
"""

import os
import threading
import time

import pytest
from django.db import OperationalError, connections

from crm_workshop.celery import app as celery_app
from tests.fault_servers import closed_port, running_silent_server
from tests.services import require_services

CLOSED_BROKER_URL = "redis://127.0.0.1:1/0"
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_server():
    with running_silent_server() as server:
        yield server


@pytest.fixture
def broker_url(settings, monkeypatch):
    """Point the settings and the Celery app at a broker URL; restore both afterwards."""
    previous = celery_app.conf.broker_url

    def point_at(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        # Celery reads CELERY_BROKER_URL from the environment before its own conf.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url

    yield point_at
    celery_app.conf.broker_url = previous


@pytest.fixture
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""


@pytest.fixture
def local_cache(settings):
    settings.CACHES = LOCAL_CACHE


@pytest.fixture
def shared_cache_at(settings):
    """The shared cache as base.py configures it for a REDIS_URL, at ``url``."""

    def point_at(url: str) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "crm_workshop.cache.RedisCacheWithFallback",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }

    return point_at


@pytest.fixture
def database_at(monkeypatch):
    """New connections of ``default`` go to a PostgreSQL server at ``port`` (on 127.0.0.1),
    whatever database the suite runs on. The probe of /healthz opens a new connection."""

    def point_at(port: int) -> None:
        db_settings = connections.settings["default"]
        monkeypatch.setitem(db_settings, "ENGINE", "django.db.backends.postgresql")
        monkeypatch.setitem(db_settings, "HOST", "127.0.0.1")
        monkeypatch.setitem(db_settings, "PORT", str(port))
        monkeypatch.setitem(db_settings, "NAME", "crm_unreachable")
        monkeypatch.setitem(db_settings, "USER", "postgres")

    return point_at


def _timed_get(client, path: str = "/healthz"):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_healthz_without_broker_checks_database_only(client, no_broker, local_cache):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": True}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_opens_no_transaction_on_the_request_connection(
    client, no_broker, local_cache, django_assert_num_queries
):
    # ATOMIC_REQUESTS would run SAVEPOINT/BEGIN here before the view; the probe uses its own.
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200


def test_healthz_database_refusing_answers_503_json(client, no_broker, local_cache, database_at):
    database_at(closed_port())

    response, seconds = _timed_get(client)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable", "checks": {"database": False}}
    assert seconds < 3.0


def test_healthz_database_silent_answers_503_within_3_seconds(
    client, no_broker, local_cache, database_at, silent_server
):
    database_at(silent_server.port)

    response, seconds = _timed_get(client)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": False}}
    assert seconds < 3.0


def test_healthz_cache_down_answers_503_naming_cache(client, no_broker, shared_cache_at):
    shared_cache_at(f"redis://127.0.0.1:{closed_port()}/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "cache": False},
    }


def test_healthz_cache_silent_answers_503_within_3_seconds(
    client, no_broker, shared_cache_at, silent_server
):
    shared_cache_at(silent_server.redis_url)

    response, seconds = _timed_get(client)

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "cache": False}
    assert seconds < 3.0


def test_healthz_broker_unreachable_returns_503(client, local_cache, broker_url):
    broker_url(CLOSED_BROKER_URL)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "broker": False},
    }


def test_healthz_broker_silent_answers_503_within_3_seconds(
    client, local_cache, broker_url, silent_server
):
    broker_url(silent_server.redis_url)

    response, seconds = _timed_get(client)

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}
    assert seconds < 3.0


def test_healthz_everything_silent_answers_503_within_3_seconds(
    client, database_at, shared_cache_at, broker_url, silent_server
):
    database_at(silent_server.port)
    shared_cache_at(silent_server.redis_url)
    broker_url(silent_server.redis_url)

    response, seconds = _timed_get(client)

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": False, "cache": False, "broker": False},
    }
    assert seconds < 3.0


@pytest.mark.services
def test_healthz_everything_reachable_returns_200(client, broker_url, shared_cache_at):
    require_services()

    broker_url(os.environ["CELERY_BROKER_URL"])
    shared_cache_at(os.environ.get("REDIS_URL") or os.environ["CELERY_BROKER_URL"])

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": True, "cache": True, "broker": True},
    }


@pytest.mark.services
def test_database_connect_to_silent_server_gives_up_within_3_seconds(database_at, silent_server):
    require_services()  # PostgreSQL: the settings' OPTIONS carry connect_timeout
    database_at(silent_server.port)
    outcome = {}

    def connect() -> None:  # a new thread: a new connection, built from the settings
        connection = connections["default"]
        started = time.monotonic()
        try:
            connection.ensure_connection()
        except OperationalError as error:
            outcome["error"] = str(error)
        finally:
            outcome["seconds"] = time.monotonic() - started
            connection.close()

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout=10)

    assert outcome["seconds"] < 3.0
    assert "timeout expired" in outcome["error"]


def test_healthz_rejects_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
