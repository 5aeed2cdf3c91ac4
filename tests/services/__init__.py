"""Tests against real PostgreSQL, Redis and a Celery worker (CI's second pass).

They skip on a laptop's SQLite run. ``REQUIRE_SERVICES=1`` (set by ``.ci/run``) turns that
skip into a failure, so CI cannot pass by silently skipping them.
"""

import os

import pytest


def require_services() -> None:
    """Skip (or fail, under REQUIRE_SERVICES=1) unless PostgreSQL and a broker are configured."""
    missing = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL=postgres://…")
    if not os.environ.get("CELERY_BROKER_URL"):
        missing.append("CELERY_BROKER_URL=redis://…")
    if not missing:
        return
    reason = "needs " + " and ".join(missing)
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


HOLD_SECONDS = 1.0


def race(first_call, second_call, *, refused: tuple[type[BaseException], ...]) -> dict:
    """Run ``first_call`` in a transaction held open for ``HOLD_SECONDS`` and, meanwhile,
    ``second_call`` on another connection. Returns ``{"first": value, "second": (value or the
    refusal's class, seconds the second call took)}``; a refusal is one of ``refused``. Any
    other error in either thread fails the test."""
    import threading
    import time

    from django.db import connection, transaction

    first_holds = threading.Event()
    outcomes: dict[str, object] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = first_call()
                first_holds.set()
                time.sleep(HOLD_SECONDS)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            first_holds.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds.wait(timeout=10)
            started = time.monotonic()
            try:
                outcomes["second"] = (second_call(), time.monotonic() - started)
            except refused as refusal:
                outcomes["second"] = (type(refusal), time.monotonic() - started)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return outcomes
