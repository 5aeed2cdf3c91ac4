"""E-mails about trigger questions: distributed, deadline near, reminded by staff.

The three kinds use the participants' outbox (``participants.notifications``): a
``Notification`` row per person and occasion, ``UNIQUE(participant, kind, dedupe_key)``,
sent by a task after the commit, swept again if the broker lost it. This module gives that
outbox what it needs for these kinds without ``participants`` importing ``consultations``
(``register`` is called from ``ConsultationsConfig.ready``):

* the context of each message (``email/notification_<kind>_*``): the questions concerned,
  each with its deadline for the recipient's country in the recipient's zone, zone named;
* why a queued message no longer makes sense (then it is marked ``failed`` with the reason
  instead of being sent).

Occasions (``dedupe_key``), one e-mail per person each:

* ``questions_distributed``: ``distribution-<pk>``, one per ``QuestionDistribution``;
* ``answers_due``: ``answers-due-<effective deadline, UTC ISO 8601>``: the set is the
  country's unsubmitted questions with that deadline. A second run of the task writes
  nothing; an extension gives the country a new deadline, hence a new reminder;
* ``answers_reminder``: ``reminder-<nonce>``, the nonce being the one in the follow-up page's
  form: a double click or a resubmitted form carries the same nonce and writes nothing new;
  a freshly loaded page is a new decision by staff and may remind again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from agenda.timezones import utc_offset_label
from consultations.models import Answer, QuestionAssignment, QuestionDistribution
from participants import notifications as outbox
from participants.models import Notification, Participant
from participants.notifications import notification_queue

logger = logging.getLogger(__name__)

KINDS = (
    Notification.Kind.QUESTIONS_DISTRIBUTED,
    Notification.Kind.ANSWERS_DUE,
    Notification.Kind.ANSWERS_REMINDER,
)
DISTRIBUTION_KEY = "distribution-{pk}"
DUE_KEY_PREFIX = "answers-due-"
REMINDER_KEY_PREFIX = "reminder-"
NONCE_PATTERN = re.compile(r"^[0-9a-f]{32}$")


# --- Formatting ---------------------------------------------------------------------------------


def moment_label(value: dt.datetime | None, zone: zoneinfo.ZoneInfo, *, ascii_minus=False) -> str:
    """``"10 de junio de 2022, 18:00 (America/Mexico_City, UTC−05:00)"`` in the active
    language; ``ascii_minus`` writes ``UTC-05:00`` (plain-text e-mail). ``""`` for None."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    offset = utc_offset_label(zone, value, ascii_minus=ascii_minus)
    return f"{date_format(local, 'DATE_FORMAT')}, {local:%H:%M} ({zone.key}, {offset})"


def due_key(deadline: dt.datetime) -> str:
    """The occasion of an ``answers_due`` reminder: the deadline in UTC, ISO 8601."""
    return f"{DUE_KEY_PREFIX}{deadline.astimezone(dt.UTC).isoformat()}"


# --- Who is e-mailed ----------------------------------------------------------------------------


def approved_delegates(*, workshop_id: int, country_ids):
    """The approved delegate registrations of the delegations of ``country_ids``."""
    return Participant.objects.filter(
        workshop_id=workshop_id,
        role=Participant.Role.DELEGATE,
        registration_status=Participant.RegistrationStatus.APPROVED,
        delegation__country_id__in=country_ids,
    )


def _notify(*, participants, kind: str, dedupe_key: str) -> list[Notification]:
    """One notification per participant for this occasion unless there is one already;
    the new ones are queued after the commit. Returns the new rows."""
    created = []
    with transaction.atomic():
        for participant in participants.order_by("pk"):
            notification, was_created = Notification.objects.get_or_create(
                participant=participant, kind=kind, dedupe_key=dedupe_key
            )
            if was_created:
                notification_queue(notification=notification)
                created.append(notification)
    return created


# --- The sets of questions each e-mail is about ------------------------------------------------


def _submitted(question_ref: str = "question", country_ref: str = "country"):
    return Exists(
        Answer.objects.filter(
            question=OuterRef(question_ref),
            delegation__country=OuterRef(country_ref),
            delegation__workshop=OuterRef(f"{question_ref}__workshop"),
            status=Answer.Status.SUBMITTED,
        )
    )


def _country_assignments(notification: Notification):
    participant = notification.participant
    country_id = participant.delegation.country_id if participant.delegation_id else None
    return (
        QuestionAssignment.objects.with_deadline()
        .filter(country_id=country_id, question__workshop_id=participant.workshop_id)
        .annotate(submitted=_submitted())
        .select_related("question__session", "question__axis")
        .order_by("question__session__number", "question__order", "question__code")
    )


def _distribution_id(notification: Notification) -> int | None:
    match = re.fullmatch(r"distribution-(\d+)", notification.dedupe_key)
    return int(match.group(1)) if match else None


def _due_deadline(notification: Notification) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(notification.dedupe_key.removeprefix(DUE_KEY_PREFIX))
    except ValueError:
        return None


def _assignments_of(notification: Notification) -> list[QuestionAssignment]:
    """The country's assignments this notification is about (see the module docstring)."""
    assignments = _country_assignments(notification)
    kind = notification.kind
    if kind == Notification.Kind.QUESTIONS_DISTRIBUTED:
        return list(assignments.filter(question__distributions=_distribution_id(notification)))
    if kind == Notification.Kind.ANSWERS_DUE:
        deadline = _due_deadline(notification)
        if deadline is None:
            return []
        return list(assignments.filter(effective_deadline=deadline))
    return list(assignments)


# --- Registered with participants.notifications -------------------------------------------------


def obsolete_reason(notification: Notification) -> str | None:
    """Why this queued notification should not be sent any more, or None."""
    participant = notification.participant
    if (
        participant.registration_status != Participant.RegistrationStatus.APPROVED
        or participant.delegation_id is None
    ):
        return gettext("La inscripción ya no está aprobada; el aviso no se envía.")
    assignments = _assignments_of(notification)
    if notification.kind == Notification.Kind.QUESTIONS_DISTRIBUTED:
        if not assignments:
            return gettext("Ninguna pregunta de esta distribución está asignada a su país.")
        return None
    now = timezone.now()
    if notification.kind == Notification.Kind.ANSWERS_DUE:
        deadline = _due_deadline(notification)
        if deadline is not None and deadline <= now:
            return gettext("La fecha límite ya pasó; el recordatorio no se envía.")
        if not assignments:
            return gettext("La fecha límite de su país cambió; este recordatorio no se envía.")
    pending = [a for a in assignments if not a.submitted and _is_ahead(a.effective_deadline, now)]
    if not pending:
        return gettext(
            "Su país ya envió todas las respuestas, o los plazos vencieron; el recordatorio "
            "no se envía."
        )
    return None


def _is_ahead(deadline: dt.datetime | None, now: dt.datetime) -> bool:
    return deadline is None or deadline > now


def message_context(notification: Notification, zone: zoneinfo.ZoneInfo) -> dict:
    """The questions of the e-mail, in the active (recipient's) language and ``zone``."""
    now = timezone.now()
    assignments = _assignments_of(notification)
    if notification.kind != Notification.Kind.QUESTIONS_DISTRIBUTED:
        assignments = [
            a for a in assignments if not a.submitted and _is_ahead(a.effective_deadline, now)
        ]
    questions = [
        {
            "code": assignment.question.code,
            "text": assignment.question.text,
            "is_example": assignment.question.is_example,
            "session": assignment.question.session.display_label
            if assignment.question.session_id
            else "",
            "deadline": moment_label(assignment.effective_deadline, zone, ascii_minus=True),
            "extended": assignment.deadline_extended_to is not None,
        }
        for assignment in assignments
    ]
    deadlines = sorted({a.effective_deadline for a in assignments if a.effective_deadline})
    site = settings.SITE_URL.rstrip("/")
    return {
        "questions": questions,
        "has_examples": any(q["is_example"] for q in questions),
        "first_deadline": moment_label(deadlines[0], zone, ascii_minus=True) if deadlines else "",
        "consultations_url": f"{site}{reverse('consultations:list')}",
        "country": notification.participant.delegation.country.name,
    }


def register() -> None:
    """Tell the participants' outbox how to build and when to drop these kinds."""
    for kind in KINDS:
        outbox.OBSOLETE_CHECKS[kind] = obsolete_reason
        outbox.MESSAGE_CONTEXTS[kind] = message_context


# --- Automatic reminder before a country's deadline ---------------------------------------------


def answer_reminders_create(*, now: dt.datetime | None = None) -> list[Notification]:
    """Write an ``answers_due`` notification for every approved delegate of every country
    with an unsubmitted question whose effective deadline is ahead and within
    ``ANSWER_REMINDER_LEAD_HOURS``, once per delegate and deadline; queue the new ones and
    return them.

    Safe to run twice, or twice at the same moment: the key names the deadline, and the
    database refuses a second row for the same person, kind and key.
    """
    now = now or timezone.now()
    lead = dt.timedelta(hours=settings.ANSWER_REMINDER_LEAD_HOURS)
    due = (
        QuestionAssignment.objects.with_deadline()
        .filter(effective_deadline__gt=now, effective_deadline__lte=now + lead)
        .filter(~_submitted())
        .values_list("question__workshop_id", "country_id", "effective_deadline")
        .distinct()
        .order_by("effective_deadline", "country_id")
    )
    created: list[Notification] = []
    for workshop_id, country_id, deadline in due:
        dedupe_key = due_key(deadline)
        already = Notification.objects.filter(
            participant=OuterRef("pk"), kind=Notification.Kind.ANSWERS_DUE, dedupe_key=dedupe_key
        )
        missing = approved_delegates(workshop_id=workshop_id, country_ids=[country_id]).filter(
            ~Exists(already)
        )
        created += _notify(
            participants=missing, kind=Notification.Kind.ANSWERS_DUE, dedupe_key=dedupe_key
        )
    return created


# --- Reminder asked for by staff ---------------------------------------------------------------


class ReminderError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def answers_remind(
    *, workshop, country_ids, nonce: str, by, now: dt.datetime | None = None
) -> list[Notification]:
    """Write an ``answers_reminder`` for every approved delegate of ``country_ids`` in
    ``workshop`` that still has an open unsubmitted question; returns the new rows (queued
    after the commit).

    ``nonce`` (32 hex digits, from the form) names the occasion: sending the same form twice
    writes nothing the second time. Raises ``ReminderError`` for a malformed nonce.
    """
    if not NONCE_PATTERN.fullmatch(nonce or ""):
        raise ReminderError(gettext("El formulario caducó; vuelva a cargar la página."))
    now = now or timezone.now()
    pending_country_ids = set(
        QuestionAssignment.objects.with_deadline()
        .filter(question__workshop=workshop, country_id__in=country_ids)
        .filter(Q(effective_deadline__isnull=True) | Q(effective_deadline__gt=now))
        .filter(~_submitted())
        .values_list("country_id", flat=True)
    )
    created = _notify(
        participants=approved_delegates(workshop_id=workshop.pk, country_ids=pending_country_ids),
        kind=Notification.Kind.ANSWERS_REMINDER,
        dedupe_key=f"{REMINDER_KEY_PREFIX}{nonce}",
    )
    logger.info(
        "%s asked for an answers reminder to %s: %s new notifications",
        by,
        sorted(pending_country_ids),
        len(created),
    )
    return created


def distribution_notify(*, distribution: QuestionDistribution) -> list[Notification]:
    """One ``questions_distributed`` e-mail per approved delegate of the distribution's
    countries (queued after the commit); returns the new rows."""
    return _notify(
        participants=approved_delegates(
            workshop_id=distribution.workshop_id,
            country_ids=distribution.countries.values_list("pk", flat=True),
        ),
        kind=Notification.Kind.QUESTIONS_DISTRIBUTED,
        dedupe_key=DISTRIBUTION_KEY.format(pk=distribution.pk),
    )
