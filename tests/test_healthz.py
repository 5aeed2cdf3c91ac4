"""/healthz: liveness of the database and, when one is configured, the broker."""

import os

import pytest

from crm_workshop.celery import app as celery_app
from tests.services import require_services

CLOSED_BROKER_URL = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


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


def test_healthz_without_broker_checks_database_only(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": True}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_broker_unreachable_returns_503(client, broker_url):
    broker_url(CLOSED_BROKER_URL)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "broker": False},
    }


@pytest.mark.services
def test_healthz_broker_reachable_returns_200(client, broker_url):
    require_services()

    broker_url(os.environ["CELERY_BROKER_URL"])

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}


def test_healthz_rejects_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
