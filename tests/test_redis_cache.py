"""crm_workshop.cache.RedisCacheWithFallback reuses one Redis client per pool."""

import os
import uuid

import pytest
import redis

from crm_workshop.cache import RedisCacheWithFallback as RedisCache

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def test_redis_cache_reuses_its_client():
    backend = RedisCache(REDIS_URL, {})

    first = backend._cache.get_client()

    assert backend._cache.get_client("any-key") is first
    assert backend._cache.get_client(write=True) is first  # one server: one pool


def test_redis_cache_round_trip_through_reused_client():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    backend = RedisCache(REDIS_URL, {"TIMEOUT": 5})
    key = f"test-cache-backend-{uuid.uuid4().hex}"

    backend.set(key, {"page": b"<p>x</p>"})
    value = backend.get(key)
    backend.delete(key)

    assert value == {"page": b"<p>x</p>"}
    assert backend.get(key) is None
