"""E-mails to participants: registration decisions and session reminders.

Each e-mail is a ``Notification`` row, the outbox, exactly as invitations are
(``participants.services.invitation_send``): the row is written in the caller's transaction,
a task sends it after the commit, and a periodic sweep re-enqueues rows the broker lost.
"Once per person and occasion" is the database's rule (``UNIQUE(participant, kind,
dedupe_key)``), so a second beat, a redelivered task or a restarted worker cannot write a
second row, and ``notification_send`` sends a row only while it is ``queued``.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import zoneinfo
from collections.abc import Callable, Iterable

from celery.exceptions import Retry
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from agenda.models import Session
from crm_workshop.broker import BrokerUnavailable, task_publish
from crm_workshop.timezones import is_valid_zone
from participants.models import Notification, Participant
from participants.services import (
    TemporaryDeliveryError,
    _describe,
    _describe_bug,
    _is_temporary,
    _session_in_zone,
)

logger = logging.getLogger(__name__)

# As for invitations: after this many attempts a temporary failure is treated as permanent.
NOTIFICATION_MAX_ATTEMPTS = 20

DECISION_KINDS = {
    Participant.RegistrationStatus.APPROVED: Notification.Kind.REGISTRATION_APPROVED,
    Participant.RegistrationStatus.REJECTED: Notification.Kind.REGISTRATION_REJECTED,
}

# Kinds that other apps own, filled in by their AppConfig.ready() so that this module never
# imports them (consultations registers its three kinds in consultations/apps.py):
# ``OBSOLETE_CHECKS[kind](notification)`` → a reason not to send it, or None;
# ``MESSAGE_CONTEXTS[kind](notification, zone)`` → the extra context of its templates,
# called in the recipient's language.
OBSOLETE_CHECKS: dict[str, Callable[[Notification], str | None]] = {}
MESSAGE_CONTEXTS: dict[str, Callable[[Notification, zoneinfo.ZoneInfo], dict]] = {}


# --- Sending one notification -------------------------------------------------------------------


def notification_send(*, notification_id: int) -> Notification | None:
    """Deliver a ``queued`` notification once and record the outcome on the row.

    The same guarantees as ``participants.services.invitation_send`` (read its docstring):
    only a ``queued`` row is sent, under ``SELECT ... FOR UPDATE``, so a second delivery or
    the sweep racing a live task sends nothing twice; success → ``sent``; SMTP 4xx or
    transport trouble → stays ``queued`` with ``attempts + 1`` and ``last_error``, then
    ``TemporaryDeliveryError`` after the commit; SMTP 5xx, or a message that cannot be
    built → ``failed``. Delivery is at-least-once with a one-UPDATE-wide crash window.

    A notification that no longer makes sense is not sent but ``failed`` with the reason in
    ``last_error`` (staff see it in the admin):

    * a session reminder once the session has ended (a reminder that could not leave before
      the session, e.g. SMTP down for a day, is useless afterwards; between the start and the
      end it still carries the link to join), or whose participant is no longer approved;
    * a registration decision that staff have since reversed (the newer decision has its
      own notification).
    """
    temporary_error: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related(
                "participant__user",
                "participant__workshop",
                "participant__delegation__country",
                "session",
            )
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status != Notification.Status.QUEUED:
            return notification
        notification.attempts += 1
        if (reason := _obsolete_reason(notification)) is not None:
            notification.status = Notification.Status.FAILED
            notification.last_error = reason
            logger.info("notification %s not sent: %s", notification.pk, reason)
            notification.save(update_fields=["status", "attempts", "last_error"])
            return notification
        try:
            message = notification_message(notification)
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            notification.last_error = _describe(error)
            if _is_temporary(error) and notification.attempts < NOTIFICATION_MAX_ATTEMPTS:
                temporary_error = error
            else:
                notification.status = Notification.Status.FAILED
            logger.warning(
                "notification %s: delivery to %s failed (attempt %s): %s",
                notification.pk,
                notification.participant.user.email,
                notification.attempts,
                notification.last_error,
            )
        except DatabaseError:
            raise
        except Exception as error:  # whatever it is, retrying gives the same result
            notification.status = Notification.Status.FAILED
            notification.last_error = gettext(
                "No se pudo preparar el mensaje (%(error)s). Reintentar no lo resolverá: "
                "corrija los datos y vuelva a poner la notificación en cola."
            ) % {"error": _describe_bug(error)}
            logger.exception(
                "notification %s: the message could not be built or handed over (attempt %s)",
                notification.pk,
                notification.attempts,
            )
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    if temporary_error is not None:
        raise TemporaryDeliveryError(notification.last_error) from temporary_error
    return notification


def notification_queue(*, notification: Notification) -> None:
    """Ask a worker to send ``notification`` once the current transaction commits.

    Never raises because the broker is down (``crm_workshop.broker.task_publish``): the row
    stays ``queued`` and ``participants.notification_outbox_sweep`` enqueues it again.
    """
    notification_id = notification.pk
    transaction.on_commit(lambda: _publish_notification_send(notification_id=notification_id))


def _publish_notification_send(*, notification_id: int) -> None:
    from participants.tasks import notification_send_task

    try:
        task_publish(notification_send_task, notification_id=notification_id)
    except BrokerUnavailable as error:
        logger.warning(
            "notification %s stays queued: broker unavailable (%s); the outbox sweep will retry",
            notification_id,
            error,
        )
    except (TemporaryDeliveryError, Retry) as error:
        # Tasks inline only (no broker): the row already records the failure.
        logger.warning("notification %s stays queued: %s", notification_id, error)


def _obsolete_reason(notification: Notification) -> str | None:
    if (check := OBSOLETE_CHECKS.get(notification.kind)) is not None:
        return check(notification)
    participant = notification.participant
    status = participant.registration_status
    if notification.kind == Notification.Kind.SESSION_REMINDER:
        if notification.session is None or notification.session.end <= timezone.now():
            return gettext(
                "La sesión terminó antes de que el recordatorio pudiera enviarse; ya no se envía."
            )
        if status != Participant.RegistrationStatus.APPROVED:
            return gettext("La inscripción ya no está aprobada; el recordatorio no se envía.")
        return None
    if DECISION_KINDS.get(status) != notification.kind:
        return gettext(
            "La decisión sobre la inscripción cambió después; este aviso ya no se envía."
        )
    return None


# --- The messages -------------------------------------------------------------------------------


def participant_zone_name(participant: Participant) -> str:
    """The zone a participant reads times in: their own, else their delegation's country's,
    else the workshop's reference zone."""
    if is_valid_zone(participant.user.time_zone):
        return participant.user.time_zone
    if participant.delegation_id and is_valid_zone(participant.delegation.country.time_zone):
        return participant.delegation.country.time_zone
    return participant.workshop.time_zone


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of ``notification`` (text and HTML), in the participant's language, every
    time in their zone (``participant_zone_name``) with the zone and its UTC offset named.

    Templates: ``email/notification_<kind>_{subject.txt,body.txt,body.html}``.
    """
    participant = notification.participant
    user = participant.user
    workshop = participant.workshop
    zone_name = participant_zone_name(participant)
    zone = zoneinfo.ZoneInfo(zone_name)
    site = settings.SITE_URL.rstrip("/")
    with translation.override(user.language):
        context = {
            "notification": notification,
            "participant": participant,
            "name": user.get_full_name(),
            "workshop": workshop,
            "zone_name": zone_name,
            "home_url": f"{site}{reverse('participants:home')}",
            "contact_email": settings.SECRETARIAT_EMAIL,
            "language": user.language,
        }
        if (extra := MESSAGE_CONTEXTS.get(notification.kind)) is not None:
            context.update(extra(notification, zone))
        elif notification.kind == Notification.Kind.SESSION_REMINDER:
            session = notification.session
            context["session"] = _session_in_zone(session, zone)
            context["conference_url"] = session.conference_url or workshop.webinar_url
        else:
            context["sessions"] = [
                _session_in_zone(session, zone) for session in workshop.sessions.order_by("number")
            ]
        prefix = f"email/notification_{notification.kind}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text_body = render_to_string(f"{prefix}_body.txt", context)
        html_body = render_to_string(f"{prefix}_body.html", context)
    # From: DEFAULT_FROM_EMAIL; Message-ID and Date: crm_workshop.mail, as for every e-mail.
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        to=[user.email],
        reply_to=[settings.SECRETARIAT_EMAIL],
        headers={"Content-Language": user.language},
    )
    message.attach_alternative(html_body, "text/html")
    return message


# --- Registration decisions ---------------------------------------------------------------------


def registration_review(*, participants, status: str, reviewer) -> list[Participant]:
    """Set ``status`` on those of ``participants`` (a queryset) that do not have it yet, and
    write one notification for each of them, all in one transaction; returns them.

    The rows are locked first, so two members of staff approving the same people at the same
    moment change (and notify) each person once. ``pending`` writes no notification. The
    e-mails are queued for after the commit.
    """
    with transaction.atomic():
        # By primary key: the admin's queryset may carry joins or DISTINCT that a lock refuses.
        selected = list(participants.values_list("pk", flat=True))
        changed = list(
            Participant.objects.filter(pk__in=selected)
            .exclude(registration_status=status)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if not changed:
            return []
        reviewed_at = timezone.now()
        Participant.objects.filter(pk__in=[p.pk for p in changed]).update(
            registration_status=status, reviewed_at=reviewed_at, reviewed_by=reviewer
        )
        for participant in changed:
            participant.registration_status = status
            participant.reviewed_at = reviewed_at
            participant.reviewed_by = reviewer
        registration_decision_notify(participants=changed)
    return changed


def registration_decision_notify(*, participants: Iterable[Participant]) -> list[Notification]:
    """One notification per participant for the decision they now carry (approved or
    rejected; none for pending), keyed by ``reviewed_at`` so the same decision is never
    announced twice; queued after the commit. Returns the rows written."""
    created = []
    for participant in participants:
        kind = DECISION_KINDS.get(participant.registration_status)
        if kind is None or participant.reviewed_at is None:
            continue
        notification, was_created = Notification.objects.get_or_create(
            participant=participant,
            kind=kind,
            dedupe_key=f"decision-{participant.reviewed_at.isoformat()}",
        )
        if was_created:
            notification_queue(notification=notification)
            created.append(notification)
    return created


# --- Session reminders --------------------------------------------------------------------------


def sessions_due_for_reminder(*, now: dt.datetime | None = None) -> list[Session]:
    """Sessions that have not started and start within ``SESSION_REMINDER_LEAD_HOURS``."""
    now = now or timezone.now()
    lead = dt.timedelta(hours=settings.SESSION_REMINDER_LEAD_HOURS)
    return list(
        Session.objects.filter(start__gt=now, start__lte=now + lead)
        .select_related("workshop")
        .order_by("start", "pk")
    )


def session_reminders_create(*, now: dt.datetime | None = None) -> list[Notification]:
    """Write a reminder for every approved participant of every session due
    (``sessions_due_for_reminder``) who has none yet, and queue the new ones; returns them.

    Safe to run twice, or twice at the same moment: the key ``session-<pk>`` is unique per
    participant, and ``get_or_create`` turns the loser's insert into a read (on PostgreSQL the
    second insert waits for the first transaction and then finds its row).
    """
    created: list[Notification] = []
    for session in sessions_due_for_reminder(now=now):
        dedupe_key = f"session-{session.pk}"
        approved = Participant.objects.filter(
            workshop_id=session.workshop_id,
            registration_status=Participant.RegistrationStatus.APPROVED,
        )
        reminded = Notification.objects.filter(
            participant=OuterRef("pk"),
            kind=Notification.Kind.SESSION_REMINDER,
            dedupe_key=dedupe_key,
        )
        missing = approved.filter(~Exists(reminded)).order_by("pk")
        with transaction.atomic():
            for participant in missing:
                notification, was_created = Notification.objects.get_or_create(
                    participant=participant,
                    kind=Notification.Kind.SESSION_REMINDER,
                    dedupe_key=dedupe_key,
                    defaults={"session": session},
                )
                if was_created:
                    notification_queue(notification=notification)
                    created.append(notification)
    return created
