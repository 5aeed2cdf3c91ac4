"""Thin Celery tasks of the consultations: ids in, load, call a service; safe to deliver twice."""

import logging

from celery import shared_task

from consultations import notifications

logger = logging.getLogger(__name__)


@shared_task(name="consultations.answer_reminders")
def answer_reminders_task() -> int:
    """Write and queue the reminders before countries' answer deadlines now due; returns how
    many were new. Run by beat every 5 minutes; twice in a row, or twice at once, it writes
    each reminder once (``consultations.notifications.answer_reminders_create``)."""
    created = notifications.answer_reminders_create()
    if created:
        logger.info("queued %s answer-deadline reminders", len(created))
    return len(created)


# The compendium's tasks live beside the compendium (Celery autodiscovers this module only).
from consultations.tasks_compendium import (  # noqa: E402, F401
    compendium_render_task,
    compendium_sweep_task,
)
