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
