"""crm_workshop/pdf.py beyond the fetcher tests: the time limit holds even when its first
alarm is swallowed, and the exact values the mutation run showed untested."""

import contextlib
import signal
import time

import pytest

from crm_workshop.pdf import PdfRenderTimeout, _time_bound


def _busy(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _work_swallowing_the_alarm(limit, then_busy):
    """Work under ``_time_bound(limit)`` whose first wait swallows every exception, as a
    finalizer (Python ignores exceptions raised in ``__del__``) or a careless library does."""
    with _time_bound(limit):
        with contextlib.suppress(Exception):
            time.sleep(5)
        _busy(then_busy)


def _no_alarm_left():
    return (signal.getitimer(signal.ITIMER_REAL), signal.getsignal(signal.SIGALRM))


def test_time_limit_swallowed_once_still_stops_the_work():
    """Seen under mutmut: ``FontConfiguration.__del__`` ate the alarm and the render ran to its
    end. The alarm fires again until the work stops."""
    started = time.monotonic()
    with pytest.raises(PdfRenderTimeout, match=r"^PDF render exceeded 0\.05 s$"):
        _work_swallowing_the_alarm(0.05, then_busy=5)
    assert time.monotonic() - started < 1
    assert _no_alarm_left() == ((0.0, 0.0), signal.SIG_DFL)


def test_work_that_ends_after_a_swallowed_alarm_is_still_late():
    with pytest.raises(PdfRenderTimeout, match=r"^PDF render exceeded 0\.02 s$"):
        _work_swallowing_the_alarm(0.02, then_busy=0)
    assert _no_alarm_left() == ((0.0, 0.0), signal.SIG_DFL)


def test_work_within_its_limit_leaves_no_alarm_behind():
    with _time_bound(0.5):
        _busy(0.01)
    # Past the first alarm and its repeats: nothing fires any more.
    _busy(0.7)
    assert _no_alarm_left() == ((0.0, 0.0), signal.SIG_DFL)
