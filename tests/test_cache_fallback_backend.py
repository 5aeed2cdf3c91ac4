"""crm_workshop.cache.RedisCacheWithFallback used directly: every cache call answered by the
per-process fallback while Redis refuses, by Redis itself when it answers (a real Redis on
127.0.0.1, db 6), and what is logged."""

import logging
import os
import time
import uuid

import pytest
import redis

from crm_workshop.cache import RedisCacheWithFallback
from tests.fault_servers import closed_port, running_tcp_proxy

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6"
TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def _down(**params) -> RedisCacheWithFallback:
    """A backend at a port nothing listens on (a new port: a new outage state)."""
    params.setdefault("OPTIONS", dict(TIMEOUTS))
    return RedisCacheWithFallback(f"redis://127.0.0.1:{closed_port()}/0", params)


@pytest.fixture
def real_redis():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-fallback-{uuid.uuid4().hex}"
    backend = RedisCacheWithFallback(REDIS_URL, {"KEY_PREFIX": prefix, "OPTIONS": dict(TIMEOUTS)})
    yield backend
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def warnings(caplog):
    caplog.set_level(logging.WARNING, logger="crm_workshop.outage")

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "crm_workshop.outage"]

    return messages


def _every_call(backend, by_keyword: bool) -> list:
    """Each cache operation once, with the value it answers; arguments by keyword (as
    allauth passes some) or by position."""

    def call(name: str, **arguments):
        method = getattr(backend, name)
        return method(**arguments) if by_keyword else method(*arguments.values())

    return [
        call("add", key="a", value=1),
        call("add", key="a", value=2),
        call("get", key="a"),
        call("get", key="missing", default="default"),
        call("set", key="b", value=10),
        call("touch", key="b", timeout=60),
        call("touch", key="missing"),
        call("has_key", key="b"),
        call("has_key", key="missing"),
        call("incr", key="b", delta=5),
        call("get_many", keys=["a", "b", "missing"]),
        call("set_many", data={"c": "x", "d": "y"}),
        call("delete_many", keys=["c"]),
        call("get_many", keys=["c", "d"]),
        call("delete", key="d"),
        call("delete", key="d"),
    ]


EXPECTED = [
    True, False, 1, "default", None, True, False, True, False, 15,
    {"a": 1, "b": 15}, [], None, {"d": "y"}, True, False,
]  # fmt: skip


@pytest.mark.parametrize("by_keyword", [False, True], ids=["positional", "keyword"])
def test_cache_backend_redis_refusing_answers_every_call_from_fallback(by_keyword):
    backend = _down()

    assert _every_call(backend, by_keyword) == EXPECTED


def test_cache_backend_redis_refusing_clear_empties_fallback():
    backend = _down()
    backend.set("a", 1)

    backend.clear()

    assert backend.get("a") is None


@pytest.mark.parametrize("by_keyword", [False, True], ids=["positional", "keyword"])
def test_cache_backend_redis_answering_answers_every_call_itself(real_redis, by_keyword):
    assert _every_call(real_redis, by_keyword) == EXPECTED


def test_cache_backend_redis_answering_keeps_values_in_redis(real_redis):
    real_redis.set("shared", "valor")
    direct = redis.Redis.from_url(REDIS_URL)

    stored = direct.exists(real_redis.make_and_validate_key("shared"))

    assert stored == 1


def test_cache_backend_fallback_keeps_the_cache_timeout():
    backend = _down(TIMEOUT=0, OPTIONS=dict(TIMEOUTS))  # 0: every value expires at once

    backend.set("a", 1)

    assert backend.get("a") is None


def test_cache_backend_fallback_is_per_server():
    first, second = _down(), _down()

    first.set("a", 1)

    assert second.get("a") is None
    assert first.get("a") == 1


def test_cache_backend_fallback_shared_by_backends_of_one_server():
    port = closed_port()
    location = f"redis://127.0.0.1:{port}/0"
    first = RedisCacheWithFallback(location, {"OPTIONS": dict(TIMEOUTS)})
    second = RedisCacheWithFallback(location, {"OPTIONS": dict(TIMEOUTS)})

    first.set("a", 1)

    assert second.get("a") == 1


def test_cache_backend_refusing_logs_once_with_default_back_off(warnings):
    port = closed_port()
    backend = RedisCacheWithFallback(f"redis://127.0.0.1:{port}/0", {"OPTIONS": TIMEOUTS})

    backend.set("a", 1)
    backend.get("a")

    assert warnings() == [
        f"shared cache redis://127.0.0.1:{port}/0 unreachable (Error 111 connecting to "
        f"127.0.0.1:{port}. Connection refused.); trying it again every 10.0s"
    ]


def test_cache_backend_log_hides_password_and_names_every_server(warnings):
    one, two = closed_port(), closed_port()
    servers = [f"redis://user:s3creto@127.0.0.1:{one}/0", f"redis://127.0.0.1:{two}/0"]
    backend = RedisCacheWithFallback(servers, {"OPTIONS": {**TIMEOUTS, "retry_after": 2.5}})

    backend.set("a", 1)

    where = f"redis://***@127.0.0.1:{one}/0,redis://127.0.0.1:{two}/0"
    assert warnings()[0].startswith(f"shared cache {where} unreachable (")
    assert warnings()[0].endswith("); trying it again every 2.5s")


def test_cache_backend_reads_from_the_replica_and_fall_back_when_it_refuses(real_redis):
    replica = f"redis://127.0.0.1:{closed_port()}/0"
    prefix = f"test-fallback-{uuid.uuid4().hex}"
    backend = RedisCacheWithFallback(
        [REDIS_URL, replica], {"KEY_PREFIX": prefix, "OPTIONS": TIMEOUTS}
    )

    backend.set("k", "primary")  # writes go to the first server
    value = backend.get("k")  # reads to a replica: refused, the fallback answers
    redis.Redis.from_url(REDIS_URL).delete(backend.make_and_validate_key("k"))

    assert value is None


def test_cache_backend_ping_redis_refusing_raises():
    backend = _down()

    with pytest.raises(redis.exceptions.ConnectionError):
        backend.ping()


def test_cache_backend_ping_asks_the_primary_server(real_redis):
    replica = f"redis://127.0.0.1:{closed_port()}/0"
    backend = RedisCacheWithFallback([REDIS_URL, replica], {"OPTIONS": TIMEOUTS})

    assert backend.ping() is True


def test_cache_backend_within_back_off_does_not_try_redis_again(warnings):
    port = closed_port()
    location = f"redis://127.0.0.1:{port}/0"
    backend = RedisCacheWithFallback(location, {"OPTIONS": {**TIMEOUTS, "retry_after": 60}})
    backend.set("a", "local")

    with running_tcp_proxy(port, _redis_address()) as proxy:
        value = backend.get("a")  # still within the back-off: Redis is not asked
        connections = len(proxy._sockets)

    assert value == "local"
    assert connections == 0


def _redis_address() -> tuple[str, int]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    kwargs = client.connection_pool.connection_kwargs
    return kwargs["host"], kwargs["port"]


def test_cache_backend_redis_back_is_used_and_fallback_emptied(warnings):
    address = _redis_address()
    port = closed_port()
    location = f"redis://127.0.0.1:{port}/6"
    prefix = f"test-fallback-{uuid.uuid4().hex}"
    params = {"KEY_PREFIX": prefix, "OPTIONS": {**TIMEOUTS, "retry_after": 0.05}}
    backend = RedisCacheWithFallback(location, params)
    backend.set("during-outage", "local")

    with running_tcp_proxy(port, address):
        time.sleep(0.06)  # the back-off passes: the next call is the probe
        probe = backend.get("during-outage")
        backend.set("after", "shared")
    # Redis refuses again: the fallback answers, and no longer holds the first value.
    time.sleep(0.06)
    backend.get("after")
    again = backend.get("during-outage")
    direct = redis.Redis.from_url(REDIS_URL)
    direct.delete(backend.make_and_validate_key("after"))

    assert probe is None  # Redis answered, not the fallback
    assert again is None
    messages = [m.split(" (")[0].split(" after ")[0] for m in warnings()]
    assert messages == [
        f"shared cache {location} unreachable",
        f"shared cache {location} answers again",
        f"shared cache {location} unreachable",
    ]
