"""crm_workshop.broker.task_publish: inline without a broker; with one, a refusing broker
raises at once and is then left alone for the back-off (one probe after it), a real Redis
broker (127.0.0.1, db 7) gets the message, and the outage is logged when it starts and ends."""

import ast
import json
import time
import uuid

import pytest
import redis

from crm_workshop.broker import RETRY_AFTER_SECONDS, BrokerUnavailable, task_publish
from crm_workshop.celery import app as celery_app
from tests.fault_servers import closed_port, running_tcp_proxy
from tests.outage_clock import install_clock, outage_warnings

REDIS_BROKER_URL = "redis://127.0.0.1:6379/7"
received: list[dict] = []


@celery_app.task(name="tests.broker_publish_echo")
def echo_task(**kwargs) -> None:
    received.append(kwargs)


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch, start=time.monotonic())


@pytest.fixture
def warnings(caplog):
    return outage_warnings(caplog)


@pytest.fixture
def broker_at(monkeypatch):
    """Publish to ``url`` for real (not inline); the suite's broker and inline mode come back."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)

    def point_at(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        conf.task_always_eager = False
        conf.broker_url = url
        _forget_broker_pools()

    yield point_at
    conf.task_always_eager, conf.broker_url = previous
    _forget_broker_pools()


def _forget_broker_pools():
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


class RedisQueue:
    """The broker's queue in a real Redis; ``run`` tells this test's messages from those of
    any other run of the suite on the same Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.run = uuid.uuid4().hex

    def take(self) -> list[int]:
        """The ``invitation_id`` of this run's echo tasks, oldest first (taken off the queue)."""
        found = []
        for raw in reversed(self.client.lrange("celery", 0, -1)):  # LPUSH: newest first
            headers = json.loads(raw)["headers"]
            if headers["task"] != "tests.broker_publish_echo":
                continue
            kwargs = ast.literal_eval(headers["kwargsrepr"])
            if kwargs.get("run") == self.run:
                found.append(kwargs["invitation_id"])
                self.client.lrem("celery", 1, raw)
        return found


@pytest.fixture
def redis_broker():
    client = redis.Redis.from_url(REDIS_BROKER_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_BROKER_URL}")
    queue = RedisQueue(client)
    yield queue
    queue.take()


def test_task_publish_without_broker_runs_task_inline_with_its_arguments():
    received.clear()

    task_publish(echo_task, invitation_id=7, language="en")

    assert received == [{"invitation_id": 7, "language": "en"}]


def test_task_publish_broker_refusing_raises_then_skips_it_for_the_back_off(
    broker_at, clock, warnings
):
    port = closed_port()
    broker_at(f"redis://127.0.0.1:{port}/0")
    where = f"redis://:**@127.0.0.1:{port}/0"

    with pytest.raises(BrokerUnavailable) as first:
        task_publish(echo_task, invitation_id=1)
    clock.now += RETRY_AFTER_SECONDS - 0.5
    with pytest.raises(BrokerUnavailable) as second:
        task_publish(echo_task, invitation_id=2)

    assert str(first.value) != str(second.value)
    assert str(second.value) == f"{where} failed less than 30s ago"
    assert warnings() == [
        f"broker {where} unreachable (Error 111 connecting to 127.0.0.1:{port}. Connection "
        "refused.); trying it again every 30.0s"
    ]


def test_task_publish_redis_broker_queues_the_task(broker_at, redis_broker):
    broker_at(REDIS_BROKER_URL)

    task_publish(echo_task, invitation_id=3, run=redis_broker.run)

    assert redis_broker.take() == [3]


def test_task_publish_broker_back_after_back_off_is_used_and_logged(
    broker_at, redis_broker, clock, warnings
):
    port = closed_port()
    broker_at(f"redis://127.0.0.1:{port}/7")
    with pytest.raises(BrokerUnavailable):
        task_publish(echo_task, invitation_id=4)

    with running_tcp_proxy(port, ("127.0.0.1", 6379)):
        clock.now += RETRY_AFTER_SECONDS
        task_publish(echo_task, invitation_id=5, run=redis_broker.run)  # the probe
        task_publish(echo_task, invitation_id=6, run=redis_broker.run)  # the others, at once

    assert redis_broker.take() == [5, 6]
    assert warnings()[1:] == [f"broker redis://:**@127.0.0.1:{port}/7 answers again after 30s"]
