"""The minutes tasks (thin: an id in, ``agreements.minutes`` does the work)."""

import logging

from celery import shared_task
from django.conf import settings

from agreements import minutes as minutes_service

logger = logging.getLogger(__name__)

__all__ = ["minutes_render_task", "minutes_sweep_task"]


@shared_task(
    name="agreements.minutes_render",
    # The soft limit interrupts the render (the service marks the row failed with the
    # reason); the hard limit, a little later, kills a worker stuck outside Python.
    soft_time_limit=settings.MINUTES_TIME_LIMIT_SECONDS,
    time_limit=settings.MINUTES_TIME_LIMIT_SECONDS + 30,
    max_retries=0,
)
def minutes_render_task(*, minutes_id: int) -> str | None:
    """Render one version of the minutes; a second delivery, or a version already ready or
    failed, does nothing. Returns the render status, or None when there was nothing to do."""
    minutes = minutes_service.minutes_render(minutes_id=minutes_id)
    if minutes is None:
        logger.info("minutes %s: nothing to render", minutes_id)
        return None
    return minutes.render_status


@shared_task(name="agreements.minutes_sweep")
def minutes_sweep_task() -> int:
    """Publish again the versions still waiting (queued a while ago, or left rendering past
    the time limit by a worker that died), failing those out of attempts; returns how many
    were published. Harmless next to a live task: the render claims the row under a lock."""
    return minutes_service.minutes_sweep()
