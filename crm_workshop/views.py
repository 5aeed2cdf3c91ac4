"""Project-level views."""

import logging
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm_workshop.cache import RedisCacheWithFallback

logger = logging.getLogger(__name__)

# Every probe runs at once in its own thread; whatever has not answered by then is down.
HEALTHZ_DEADLINE_SECONDS = 2.0


@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request):
    """200 when every part answers, else 503 with ``checks`` naming each part true/false.

    Parts: the database; the shared cache when there is one (Redis itself, never the
    per-process fallback of ``crm_workshop.cache``); the broker when one is configured.
    Answers within ``HEALTHZ_DEADLINE_SECONDS`` whatever is down or hung, and opens no
    transaction (``ATOMIC_REQUESTS`` would otherwise need the database before the view).
    """
    probes = {"database": _database_ok}
    cache = caches["default"]
    if isinstance(cache, RedisCacheWithFallback):
        probes["cache"] = cache.ping
    if settings.CELERY_BROKER_URL:
        probes["broker"] = _broker_ok
    checks = _run_probes(probes)
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _run_probes(probes: dict) -> dict[str, bool]:
    executor = ThreadPoolExecutor(max_workers=len(probes), thread_name_prefix="healthz")
    futures = {name: executor.submit(probe) for name, probe in probes.items()}
    wait(futures.values(), timeout=HEALTHZ_DEADLINE_SECONDS)
    # A hung probe is left to its own socket timeout; the answer does not wait for it.
    executor.shutdown(wait=False, cancel_futures=True)
    checks = {}
    for name, future in futures.items():
        if not future.done():
            logger.warning("healthz: %s did not answer in %ss", name, HEALTHZ_DEADLINE_SECONDS)
            checks[name] = False
        elif future.exception() is not None:
            logger.warning("healthz: %s unreachable: %s", name, future.exception())
            checks[name] = False
        else:
            checks[name] = future.result() is True
            if not checks[name]:
                logger.warning("healthz: %s unreachable", name)
    return checks


def _database_ok() -> bool:
    # Runs in a probe thread: its own connection, closed again at once.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        connection.close()


def _broker_ok() -> bool:
    from crm_workshop.celery import app

    with app.connection_for_write() as conn:
        # One attempt, bounded by the transport's socket timeouts (see settings).
        conn.ensure_connection(max_retries=0)
    return True
