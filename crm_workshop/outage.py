"""Remembering, per process, that a server is down, so callers stop paying its timeout.

Used by the shared cache (``crm_workshop.cache``) and task publishing
(``crm_workshop.broker``): after one failure the server is left alone for a back-off, then a
single caller tries it again while the others keep their fallback. Logged when an outage
starts, at most once a minute while it lasts, and when it ends.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60.0


class Outage:
    """The state of one server (``what`` and ``where`` name it in the log), shared by every
    thread of the process. Get it with :func:`outage_for`."""

    def __init__(self, what: str, where: str, retry_after: float) -> None:
        self.what = what
        self.where = where
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._logged_at = 0.0

    def should_try(self) -> bool:
        """True when a call may go to the server. During an outage, one caller per back-off
        gets True (the probe); the back-off restarts at once so the others do not wait."""
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            if self._down_since is not None:
                self._retry_at = now + self.retry_after
            return True

    def failed(self, error: Exception) -> None:
        """Record a failure: the server is avoided for the next ``retry_after`` seconds."""
        with self._lock:
            now = time.monotonic()
            self._retry_at = now + self.retry_after
            starting = self._down_since is None
            if starting:
                self._down_since = now
            elif now - self._logged_at < LOG_EVERY_SECONDS:
                return
            self._logged_at = now
            down_for = now - self._down_since
        if starting:
            logger.warning(
                "%s %s unreachable (%s); trying it again every %ss",
                self.what,
                self.where,
                error,
                self.retry_after,
            )
        else:
            logger.warning(
                "%s %s still unreachable after %.0fs (%s)", self.what, self.where, down_for, error
            )

    def recovered(self) -> bool:
        """Record a success; True when that ends an outage."""
        if self._down_since is None:  # the common case, without taking the lock
            return False
        with self._lock:
            if self._down_since is None:
                return False
            down_for = time.monotonic() - self._down_since
            self._down_since = None
            self._retry_at = 0.0
        logger.warning("%s %s answers again after %.0fs", self.what, self.where, down_for)
        return True


_outages: dict[tuple[str, str], Outage] = {}
_outages_lock = threading.Lock()


def outage_for(what: str, where: str, *, retry_after: float) -> Outage:
    """The process's one :class:`Outage` for this server."""
    with _outages_lock:
        key = (what, where)
        if key not in _outages:
            _outages[key] = Outage(what, where, retry_after)
        return _outages[key]
