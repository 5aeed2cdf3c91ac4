"""A monotonic clock the test moves by hand, for ``crm_workshop.outage`` (``time.monotonic``
has no fixed origin and time-machine does not move it), and the outage log it writes.

Each test module builds its own ``clock`` fixture with ``install_clock`` (each picks its
origin) and its ``warnings`` fixture with ``outage_warnings``.
"""

import logging

from crm_workshop import outage as outage_module


class Clock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def monotonic(self) -> float:
        return self.now


def install_clock(monkeypatch, start: float = 0.0) -> Clock:
    """Make ``crm_workshop.outage`` read ``Clock(start)`` for the rest of the test."""
    clock = Clock(start)
    monkeypatch.setattr(outage_module, "time", clock)
    return clock


def outage_warnings(caplog):
    """The messages ``crm_workshop.outage`` logs at WARNING from now on, as a callable."""
    caplog.set_level(logging.WARNING, logger="crm_workshop.outage")

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "crm_workshop.outage"]

    return messages
