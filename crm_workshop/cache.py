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
  and once when Redis answers again (see ``crm_workshop.outage``); the fallback is then
  emptied, so nothing it held outlives the outage.

``ping()`` asks the real Redis, never the fallback: it is what ``/healthz`` reports.

It also keeps one Redis client per connection pool. Django's ``RedisCacheClient.get_client``
builds a new ``redis.Redis`` for every cache operation, and with redis-py 6 that constructor
fills a table of some 160 response callbacks: the largest single cost of serving a cached
public page (43 µs of CPU per call, the GET itself 16 µs; see ``bench/README.md``). The client
is thread-safe and holds no connection of its own (the pool does, and resets after a fork).
"""

from __future__ import annotations

import re

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

from crm_workshop.outage import outage_for

RETRY_AFTER_SECONDS = 10.0
# Refused, timed out, reset, loading, out of memory, read-only replica...: whatever Redis
# answers instead of doing its job is an outage for the caller.
UNREACHABLE = RedisError


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, building one ``redis.Redis`` per pool instead of per call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCacheWithFallback(RedisCache):
    """``RedisCache`` whose calls fall back to a per-process ``LocMemCache`` while Redis is
    unreachable (see the module docstring). ``OPTIONS`` are Redis's, plus
    ``retry_after`` (seconds between attempts during an outage)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("retry_after", RETRY_AFTER_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        location = server if isinstance(server, str) else ",".join(server)
        # The log names the server, never its password.
        where = re.sub(r"//[^@/]*@", "//***@", location)
        self._outage = outage_for("shared cache", where, retry_after=retry_after)
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        # LocMemCache shares its storage between instances of the same name: one per process.
        self._fallback = LocMemCache(f"redis-fallback:{location}", fallback_params)

    def ping(self) -> bool:
        """True when Redis itself answers now; raises Redis's error when it does not (the
        fallback never answers for it)."""
        return bool(self._cache.get_client(write=True).ping())

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
