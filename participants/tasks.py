"""Thin Celery tasks: ids in, load, call a service. Each one is safe to deliver twice."""

import datetime as dt
import logging
import random

from celery import shared_task
from celery.exceptions import Retry
from django.utils import timezone

from crm_workshop.broker import BrokerUnavailable, task_publish
from participants import notifications, services
from participants.models import Invitation, Notification

logger = logging.getLogger(__name__)

# A queued row younger than this is probably still in a live task's hands (first attempt or
# a backoff retry); the sweep leaves it alone.
OUTBOX_SWEEP_MIN_AGE = dt.timedelta(minutes=5)
OUTBOX_SWEEP_BATCH = 500


# Retries of a temporary SMTP failure: never sooner than 30 s (the server said "later"),
# never later than 15 min, doubling in between with jitter so a burst does not return at once.
INVITATION_RETRY_MIN_SECONDS = 30
INVITATION_RETRY_MAX_SECONDS = 900


def invitation_retry_countdown(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: within [30, 60] first, then doubling,
    always within [30, 900]."""
    ceiling = min(INVITATION_RETRY_MAX_SECONDS, 2 * INVITATION_RETRY_MIN_SECONDS * 2**retries)
    return random.randint(max(INVITATION_RETRY_MIN_SECONDS, ceiling // 2), ceiling)  # noqa: S311


@shared_task(name="participants.invitation_send", bind=True, max_retries=8)
def invitation_send_task(self, *, invitation_id: int) -> str | None:
    """Send one invitation; the service's lock and status check make redelivery harmless.

    A temporary failure is retried (see ``invitation_retry_countdown``) up to 8 times; after
    that the row stays ``queued`` for the outbox sweep. Any other outcome is on the row.
    """
    try:
        invitation = services.invitation_send(invitation_id=invitation_id)
    except services.TemporaryDeliveryError as error:
        raise self.retry(
            exc=error, countdown=invitation_retry_countdown(self.request.retries)
        ) from error
    if invitation is None:
        logger.info("invitation %s is gone; nothing to send", invitation_id)
        return None
    return invitation.status


@shared_task(name="participants.invitation_outbox_sweep")
def invitation_outbox_sweep_task() -> int:
    """Re-enqueue invitations still ``queued`` a while after creation; returns how many.

    Enqueueing a row that a live task is also handling is harmless: whichever runs second
    finds it no longer ``queued`` (``invitation_send`` locks the row and checks).
    """
    cutoff = timezone.now() - OUTBOX_SWEEP_MIN_AGE
    ids = list(
        Invitation.objects.filter(status=Invitation.Status.QUEUED, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:OUTBOX_SWEEP_BATCH]
    )
    enqueued = 0
    for invitation_id in ids:
        try:
            task_publish(invitation_send_task, invitation_id=invitation_id)
        except BrokerUnavailable as error:
            logger.warning("outbox sweep stopped: broker unavailable (%s)", error)
            break
        except (services.TemporaryDeliveryError, Retry) as error:
            # Inline mode only (Celery raises the retry): the row records it, stays queued.
            logger.warning("invitation %s stays queued: %s", invitation_id, error)
        enqueued += 1
    if ids:
        logger.info("outbox sweep re-enqueued %s of %s queued invitations", enqueued, len(ids))
    return enqueued


# --- Notifications to participants (participants.notifications) ------------------------------


@shared_task(name="participants.notification_send", bind=True, max_retries=8)
def notification_send_task(self, *, notification_id: int) -> str | None:
    """Send one notification; the service's lock and status check make redelivery harmless.

    Retries a temporary failure like ``invitation_send_task``; then the sweep takes over.
    """
    try:
        notification = notifications.notification_send(notification_id=notification_id)
    except services.TemporaryDeliveryError as error:
        raise self.retry(
            exc=error, countdown=invitation_retry_countdown(self.request.retries)
        ) from error
    if notification is None:
        logger.info("notification %s is gone; nothing to send", notification_id)
        return None
    return notification.status


@shared_task(name="participants.notification_outbox_sweep")
def notification_outbox_sweep_task() -> int:
    """Re-enqueue notifications still ``queued`` a while after creation; returns how many."""
    cutoff = timezone.now() - OUTBOX_SWEEP_MIN_AGE
    ids = list(
        Notification.objects.filter(status=Notification.Status.QUEUED, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:OUTBOX_SWEEP_BATCH]
    )
    enqueued = 0
    for notification_id in ids:
        try:
            task_publish(notification_send_task, notification_id=notification_id)
        except BrokerUnavailable as error:
            logger.warning("notification sweep stopped: broker unavailable (%s)", error)
            break
        except (services.TemporaryDeliveryError, Retry) as error:
            # Inline mode only (Celery raises the retry): the row records it, stays queued.
            logger.warning("notification %s stays queued: %s", notification_id, error)
        enqueued += 1
    if ids:
        logger.info("notification sweep re-enqueued %s of %s queued rows", enqueued, len(ids))
    return enqueued


@shared_task(name="participants.session_reminders")
def session_reminders_task() -> int:
    """Write and queue the session reminders now due; returns how many were new.

    Run by beat every 5 minutes. Twice in a row, or twice at once, it writes each reminder
    once (see ``participants.notifications.session_reminders_create``).
    """
    created = notifications.session_reminders_create()
    if created:
        logger.info("queued %s session reminders", len(created))
    return len(created)
