"""crm_workshop.outage.Outage: when callers may try a server, and what is logged, on a clock
the test moves (``time.monotonic`` has no fixed origin; time-machine does not move it)."""

import threading
import time

import pytest

from crm_workshop.outage import LOG_EVERY_SECONDS, Outage, outage_for
from tests.outage_clock import install_clock, outage_warnings


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


@pytest.fixture
def warnings(caplog):
    return outage_warnings(caplog)


def _server(retry_after: float = 10.0) -> Outage:
    return Outage("shared cache", "redis://127.0.0.1:1/0", retry_after)


def test_outage_new_server_may_be_tried_at_clock_zero(clock):
    assert _server().should_try() is True


def test_outage_server_never_failed_is_tried_every_time_and_not_recovered(clock, warnings):
    server = _server()

    answers = [server.should_try() for _ in range(3)]

    assert answers == [True, True, True]
    assert server.recovered() is False
    assert warnings() == []


def test_outage_after_failure_waits_exactly_retry_after(clock):
    server = _server(retry_after=10.0)
    clock.now = 100.0
    server.failed(ConnectionError("refused"))

    clock.now = 109.5
    before = server.should_try()
    clock.now = 110.0
    at_back_off = server.should_try()

    assert before is False
    assert at_back_off is True


def test_outage_probe_restarts_back_off_for_the_others(clock):
    server = _server(retry_after=10.0)
    clock.now = 100.0
    server.failed(ConnectionError("refused"))
    clock.now = 110.0

    probe = server.should_try()
    others = server.should_try()
    clock.now = 119.9
    still_others = server.should_try()
    clock.now = 120.0
    next_probe = server.should_try()

    assert (probe, others, still_others, next_probe) == (True, False, False, True)


def test_outage_first_failure_logs_start_with_server_and_error(clock, warnings):
    server = Outage("broker", "redis://127.0.0.1:9/0", 30.0)

    server.failed(ConnectionError("refused"))

    assert warnings() == [
        "broker redis://127.0.0.1:9/0 unreachable (refused); trying it again every 30.0s"
    ]


def test_outage_failures_within_a_minute_log_nothing_more(clock, warnings):
    server = _server(retry_after=1.0)
    clock.now = 5.0
    server.failed(ConnectionError("first"))

    for now in (6.0, 30.0, 5.0 + LOG_EVERY_SECONDS - 0.5):
        clock.now = now
        server.failed(ConnectionError("again"))

    assert len(warnings()) == 1


def test_outage_failure_a_minute_later_logs_how_long_it_lasts(clock, warnings):
    server = _server(retry_after=1.0)
    clock.now = 5.0
    server.failed(ConnectionError("first"))
    clock.now = 65.0
    server.failed(ConnectionError("timed out"))
    clock.now = 100.0
    server.failed(ConnectionError("quiet"))
    clock.now = 125.0
    server.failed(ConnectionError("loading"))

    assert warnings()[1:] == [
        "shared cache redis://127.0.0.1:1/0 still unreachable after 60s (timed out)",
        "shared cache redis://127.0.0.1:1/0 still unreachable after 120s (loading)",
    ]


def test_outage_recovery_logs_duration_and_reports_true_once(clock, warnings):
    server = _server(retry_after=10.0)
    clock.now = 7.0
    server.failed(ConnectionError("refused"))
    clock.now = 52.0

    first = server.recovered()
    second = server.recovered()

    assert (first, second) == (True, False)
    assert warnings()[1:] == ["shared cache redis://127.0.0.1:1/0 answers again after 45s"]


def test_outage_after_recovery_everyone_tries_at_once(clock):
    server = _server(retry_after=0.25)
    server.failed(ConnectionError("refused"))
    clock.now = 0.25
    assert server.should_try() is True  # the probe; the others wait until 0.5 again
    server.recovered()

    answers = [server.should_try() for _ in range(3)]

    assert answers == [True, True, True]


def test_outage_two_callers_seeing_recovery_at_once_end_it_once(clock, warnings):
    server = _server()
    server.failed(ConnectionError("refused"))
    answers = []

    # Both callers find the outage open, then queue on the state's lock: one of them ends it.
    with server._lock:
        callers = [threading.Thread(target=lambda: answers.append(server.recovered()))
                   for _ in range(2)]  # fmt: skip
        for caller in callers:
            caller.start()
        time.sleep(0.1)  # let both reach the lock
    for caller in callers:
        caller.join(timeout=5)

    assert sorted(answers) == [False, True]
    assert len(warnings()) == 2  # the start, and one "answers again"


def test_outage_new_outage_after_recovery_logs_its_start_again(clock, warnings):
    server = _server(retry_after=10.0)
    server.failed(ConnectionError("one"))
    clock.now = 10.0
    server.recovered()
    clock.now = 20.0

    server.failed(ConnectionError("two"))
    clock.now = 30.0
    answer = server.should_try()
    server.recovered()

    assert answer is True
    assert warnings() == [
        "shared cache redis://127.0.0.1:1/0 unreachable (one); trying it again every 10.0s",
        "shared cache redis://127.0.0.1:1/0 answers again after 10s",
        "shared cache redis://127.0.0.1:1/0 unreachable (two); trying it again every 10.0s",
        "shared cache redis://127.0.0.1:1/0 answers again after 10s",
    ]


def test_outage_for_same_server_is_one_state():
    first = outage_for("test-outage-state", "redis://a", retry_after=3.0)
    again = outage_for("test-outage-state", "redis://a", retry_after=99.0)

    assert again is first
    assert (first.what, first.where, first.retry_after) == ("test-outage-state", "redis://a", 3.0)


def test_outage_for_other_server_or_kind_is_another_state():
    cache = outage_for("test-outage-state", "redis://b", retry_after=3.0)
    other_server = outage_for("test-outage-state", "redis://c", retry_after=3.0)
    other_kind = outage_for("test-outage-state-broker", "redis://b", retry_after=3.0)

    assert other_server is not cache
    assert other_kind is not cache
    assert other_server.where == "redis://c"
    assert other_kind.what == "test-outage-state-broker"
