"""The compendium render task (thin: an id in, the service does the work)."""

import logging

from celery import shared_task
from django.conf import settings

from consultations import compile as compilation

logger = logging.getLogger(__name__)

__all__ = ["compendium_render_task", "compendium_sweep_task"]


@shared_task(
    name="consultations.compendium_render",
    # The soft limit interrupts the render (the service marks the row failed); the hard
    # limit, a little later, kills a worker stuck outside Python.
    soft_time_limit=settings.COMPENDIUM_TIME_LIMIT_SECONDS,
    time_limit=settings.COMPENDIUM_TIME_LIMIT_SECONDS + 30,
    max_retries=0,
)
def compendium_render_task(*, compendium_id: int) -> str | None:
    """Render one compendium; a second delivery, or a row already done or failed, does
    nothing. Returns the row's status, or None when there was nothing to do."""
    compendium = compilation.compendium_render(compendium_id=compendium_id)
    if compendium is None:
        logger.info("compendium %s: nothing to render", compendium_id)
        return None
    return compendium.status


@shared_task(name="consultations.compendium_sweep")
def compendium_sweep_task() -> int:
    """Publish again the compendia still waiting (queued a while ago, or left rendering past
    the time limit by a worker that died); returns how many. Harmless when a live task has
    the row: the render claims it under a lock and a second delivery does nothing."""
    return compilation.compendium_sweep()
