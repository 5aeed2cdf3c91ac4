"""When a temporarily failed invitation is tried again: a doubling window with jitter.

``participants.tasks.invitation_retry_countdown`` gives retry ``n + 1`` a delay drawn from
[ceiling / 2, ceiling], the ceiling doubling from 60 s up to 900 s, never below 30 s, always a
whole number of seconds (``random.randint`` warns about, and Python 3.12 refuses, floats).
"""

import warnings

import pytest

from participants.tasks import invitation_retry_countdown

SAMPLES = 300  # a window whose lower half were wrong would show up with certainty


@pytest.mark.parametrize(
    ("retries", "low", "high"),
    [(0, 30, 60), (1, 60, 120), (2, 120, 240), (3, 240, 480), (4, 450, 900), (9, 450, 900)],
)
def test_invitation_retry_countdown_stays_in_its_doubling_window(retries, low, high):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        delays = [invitation_retry_countdown(retries) for _ in range(SAMPLES)]

    assert {type(delay) for delay in delays} == {int}
    assert min(delays) >= low
    assert max(delays) <= high
