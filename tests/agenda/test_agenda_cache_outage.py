"""The agenda cache version when the cache is down or has evicted it: logged, never raised."""

import logging
import time

import pytest
from django.core.cache import cache

from agenda.selectors import agenda_cache_key, agenda_cache_version
from tests.factories import CountryFactory
from tests.smtp_sink import free_port

pytestmark = pytest.mark.django_db


def clock() -> int:
    return time.time_ns() // 1000


@pytest.fixture
def cache_down(settings):
    """The default cache is a Redis server on a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def agenda_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "agenda.selectors"]


def test_agenda_cache_version_with_cache_down_comes_from_the_clock(cache_down, caplog):
    before = clock()

    with caplog.at_level(logging.WARNING, logger="agenda.selectors"):
        version = agenda_cache_version()

    assert type(version) is int
    assert before <= version <= clock()
    messages = agenda_warnings(caplog)
    assert [m.split(": ConnectionError(")[0] for m in messages] == [
        "agenda cache: get failed",
        "agenda cache: add failed",
        "agenda cache: get failed",
    ]


def test_agenda_change_with_cache_down_is_logged_not_raised(cache_down, caplog):
    with caplog.at_level(logging.WARNING, logger="agenda.selectors"):
        CountryFactory(iso_code="HN", name_es="Honduras", time_zone="America/Tegucigalpa")

    (message,) = agenda_warnings(caplog)
    assert message.startswith("agenda cache: could not bump the version: ConnectionError(")


def test_agenda_change_after_eviction_starts_a_new_version_from_the_clock():
    key = agenda_cache_key("version")
    cache.delete(key)
    before = clock()

    CountryFactory(iso_code="HN", name_es="Honduras", time_zone="America/Tegucigalpa")

    version = cache.get(key)
    assert type(version) is int
    assert before <= version <= clock()
    assert agenda_cache_version() == version
