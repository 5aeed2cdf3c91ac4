"""The probes behind /healthz (crm_workshop.views): each part named true or false, every
failure logged, a hung probe answered for at the deadline, the broker asked once."""

import logging
import os
import threading
import time

import pytest
from kombu.exceptions import OperationalError

from crm_workshop import views
from crm_workshop.celery import app as celery_app
from tests.fault_servers import closed_port

REDIS_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/7"


@pytest.fixture
def warnings(caplog):
    caplog.set_level(logging.WARNING, logger="crm_workshop.views")

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "crm_workshop.views"]

    return messages


@pytest.fixture
def released():
    """An event a hung probe waits on; set when the test ends so its thread finishes."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def broker_at(monkeypatch):
    previous = celery_app.conf.broker_url

    def point_at(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url

    yield point_at
    celery_app.conf.broker_url = previous


def _refused() -> bool:
    raise ConnectionRefusedError("refused")


def test_run_probes_names_each_part_and_logs_each_failure(warnings):
    probes = {"ok": lambda: True, "truthy": lambda: 1, "false": lambda: False, "down": _refused}

    checks = views._run_probes(probes)

    assert checks == {"ok": True, "truthy": False, "false": False, "down": False}
    assert warnings() == [
        "healthz: truthy unreachable",
        "healthz: false unreachable",
        "healthz: down unreachable: refused",
    ]


def test_run_probes_hung_probe_is_false_at_the_deadline(warnings, released):
    started = time.monotonic()
    checks = views._run_probes({"ok": lambda: True, "hung": lambda: released.wait(10)})
    seconds = time.monotonic() - started

    assert checks == {"ok": True, "hung": False}
    assert 2.0 <= seconds < 3.0
    assert warnings() == ["healthz: hung did not answer in 2.0s"]


def test_run_probes_every_probe_runs_at_once(warnings):
    together = threading.Barrier(40)  # more probes than a pool of default size holds

    def probe() -> bool:
        together.wait(timeout=1.5)
        return True

    checks = views._run_probes({f"part{n}": probe for n in range(40)})

    assert checks == {f"part{n}": True for n in range(40)}


def test_run_probes_threads_are_named_for_healthz():
    def probe() -> bool:
        return threading.current_thread().name.startswith("healthz_")

    assert views._run_probes({"named": probe}) == {"named": True}


def test_run_probes_all_answering_log_nothing(warnings):
    checks = views._run_probes({"a": lambda: True, "b": lambda: True})

    assert checks == {"a": True, "b": True}
    assert warnings() == []


@pytest.mark.django_db
def test_database_ok_answers_true_from_a_probe_thread():
    answer = {}
    thread = threading.Thread(target=lambda: answer.update(ok=views._database_ok()))
    thread.start()
    thread.join(timeout=5)

    assert answer == {"ok": True}


def test_broker_ok_refusing_raises_at_once_without_retrying(broker_at):
    broker_at(f"redis://127.0.0.1:{closed_port()}/0")
    outcome = {}

    def probe() -> None:
        started = time.monotonic()
        try:
            views._broker_ok()
        except OperationalError as error:
            outcome["error"] = type(error)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout=5)

    assert outcome["error"] is OperationalError
    assert outcome["seconds"] < 1.0


def test_broker_ok_answering_is_true(broker_at):
    import redis

    try:
        redis.Redis.from_url(REDIS_BROKER_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_BROKER_URL}")
    broker_at(REDIS_BROKER_URL)

    assert views._broker_ok() is True
