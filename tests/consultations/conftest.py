"""Fixtures shared by the consultation tests."""

import pytest

from crm_workshop.celery import app as celery_app
from tests.fault_servers import closed_port


def _reset_broker_pools():
    # Forget (never close: kombu shares them per URL) the pools made for another URL: a
    # producer pool left by an earlier test would publish to a live broker instead.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    """Publish for real to a broker that refuses connections; inline mode comes back after."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)
    url = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    conf.task_always_eager = False
    conf.broker_url = url
    _reset_broker_pools()
    yield
    conf.task_always_eager, conf.broker_url = previous
    _reset_broker_pools()
