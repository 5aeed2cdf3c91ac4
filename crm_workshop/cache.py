"""The shared cache (Redis), with a per-process fallback so an outage never becomes a 500.

``RedisCacheWithFallback`` is Django's ``RedisCache`` plus three guarantees:

* A connection error, a timeout or any other Redis error never reaches the caller: the call
  is answered by a per-process ``LocMemCache`` instead. allauth's rate limits therefore keep
  counting while Redis is down (per process instead of across workers: weaker, never absent).
* After a failure, Redis is left alone for ``RETRY_AFTER_SECONDS``: every call meanwhile
  goes straight to the fallback, so a dead or hung Redis costs one timeout (about a second,
  see the socket timeouts in settings) per process per back-off, not one per call. Then a
  single call tries Redis again while the others keep using the fallback.
* The outage is logged as a warning when it starts, at most once a minute while it lasts,
  and once when Redis answers again (the fallback is then emptied, so nothing it held
  outlives the outage).

``ping()`` asks the real Redis, never the fallback: it is what ``/healthz`` reports.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10.0
LOG_EVERY_SECONDS = 60.0
# Refused, timed out, reset, loading, out of memory, read-only replica...: whatever Redis
# answers instead of doing its job is an outage for the caller.
UNREACHABLE = RedisError


class _Outage:
    """Whether one Redis location is being avoided; shared by every thread of the process
    (Django builds one cache object per thread)."""

    def __init__(self, location: str, retry_after: float) -> None:
        self.location = location
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._logged_at = 0.0

    def should_try(self) -> bool:
        """True when a call may go to Redis. During an outage, one caller per back-off gets
        True (the probe); the back-off restarts at once so the others keep the fallback."""
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            if self._down_since is not None:
                self._retry_at = now + self.retry_after
            return True

    def failed(self, error: Exception) -> None:
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
                "shared cache %s unreachable (%s): using a per-process cache, retrying every %ss",
                self.location,
                error,
                self.retry_after,
            )
        else:
            logger.warning(
                "shared cache %s still unreachable after %.0fs (%s)",
                self.location,
                down_for,
                error,
            )

    def recovered(self) -> bool:
        """Mark Redis as answering; True when that ends an outage."""
        if self._down_since is None:  # the common case, without taking the lock
            return False
        with self._lock:
            if self._down_since is None:
                return False
            down_for = time.monotonic() - self._down_since
            self._down_since = None
            self._retry_at = 0.0
        logger.warning("shared cache %s answers again after %.0fs", self.location, down_for)
        return True


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str, retry_after: float) -> _Outage:
    with _outages_lock:
        if location not in _outages:
            _outages[location] = _Outage(location, retry_after)
        return _outages[location]


class RedisCacheWithFallback(RedisCache):
    """``RedisCache`` whose calls fall back to a per-process ``LocMemCache`` while Redis is
    unreachable (see the module docstring). ``OPTIONS`` are Redis's, plus
    ``retry_after`` (seconds between attempts during an outage)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("retry_after", RETRY_AFTER_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outage_for(location, retry_after)
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        # LocMemCache shares its storage between instances of the same name: one per process.
        self._fallback = LocMemCache(f"redis-fallback:{location}", fallback_params)

    def ping(self) -> bool:
        """True when Redis itself answers now (the fallback never counts)."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE:
            return False

    def _call(self, name: str, *args, **kwargs):
        if self._outage.should_try():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                self._outage.failed(error)
            else:
                if self._outage.recovered():
                    self._fallback.clear()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
