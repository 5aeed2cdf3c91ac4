"""The PDF minutes: requested by staff, rendered by a Celery task, issued once, e-mailed.

The ``Minutes`` row is the outbox and the progress report, as for the compendium
(``consultations.compile``):

* ``minutes_request`` writes a new *draft* version (the next number of the workshop, under a
  lock on the workshop row) in ``queued`` and publishes the render task after the commit. A
  broker that is down leaves the row queued; ``minutes_sweep`` publishes it later.
* ``minutes_render`` (the task ``agreements.minutes_render``) claims the row under a lock (a
  second delivery does nothing), renders ``templates/pdf/minutes.html`` in the version's
  language with WeasyPrint (``crm_workshop.pdf``: safe fetcher, time limit), stores the PDF,
  its SHA-256 and page count, and the HTML it was made from (the *snapshot*). Any failure or
  the time limit marks the row ``failed`` with a readable reason; nothing is retried for ever
  (at most ``settings.MINUTES_MAX_ATTEMPTS`` starts, then ``failed``).
* ``minutes_issue`` turns a ready draft into the issued version. A draft carries a
  "BORRADOR"/"DRAFT" watermark on every page; the issued file has none, so issuing renders the
  draft's snapshot once more with the draft marks switched off: the issued PDF shows exactly
  what staff reviewed (the data may have changed since), and its own SHA-256 is stored. From
  then on the row is immutable (``minutes_guard_save``/``minutes_guard_delete`` refuse any
  change to an issued row, whoever saves it), and one ``MINUTES_ISSUED`` notification per
  approved participant goes through the participants' outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agenda.models import Session, Workshop
from agenda.selectors import workshop_agenda
from agenda.timezones import utc_offset_label
from agreements.models import Agreement, Minutes
from crm_workshop.broker import BrokerUnavailable, task_publish
from crm_workshop.pdf import PdfRenderTimeout, page_number_css
from participants.models import Attendance, Country, Notification, Organisation, Participant

logger = logging.getLogger(__name__)

# Longest reason stored for a failed render (the start of the error; the log has the rest).
ERROR_MAX_CHARS = 500
# A queued row younger than this is probably still on its way to a worker.
SWEEP_MIN_AGE = dt.timedelta(minutes=5)
# The class of <html> in a draft and in the issued rendering (see templates/pdf/minutes.html).
DRAFT_MARK = 'class="minutes-draft"'
ISSUED_MARK = 'class="minutes-issued"'
ISSUED_KEY = "minutes-{pk}"

# Progress steps (percent) written as the render goes.
STEP_CLAIMED = 5
STEP_AGENDA = 15
STEP_ATTENDANCE = 25
STEP_QUESTIONS = 40
STEP_AGREEMENTS = 50
STEP_HTML = 55
STEP_WRITTEN = 90
STEP_STORED = 100


class MinutesError(Exception):
    """A refused operation on the minutes; ``message`` says why, in the reader's language."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class MinutesImmutableError(MinutesError):
    """Something tried to change or delete an issued version."""


# --- Requesting and publishing ----------------------------------------------------------------


def minutes_request(
    *, workshop: Workshop, by, language: str, publish: bool = True
) -> tuple[Minutes, bool]:
    """Create the next draft version of ``workshop``'s minutes (queued) and publish its render
    once the transaction commits. Returns the row and whether the task was handed over
    (``False``: the broker is down; the row stays queued and ``minutes_sweep`` publishes it
    later; inside an outer transaction the answer is not known yet and is ``False``). Never
    raises for the broker. Version numbers are unique per workshop and have no gaps: the
    workshop row is locked while the next number is taken. ``publish=False`` leaves the
    render to the caller (``manage.py render_minutes`` applies the task itself)."""
    if language not in Minutes.Language.values:
        raise ValueError(language)
    with transaction.atomic():
        Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
        top = Minutes.objects.filter(workshop=workshop).aggregate(m=Max("version"))["m"] or 0
        minutes = Minutes.objects.create(
            workshop=workshop, version=top + 1, language=language, requested_by=by
        )
    outcome = {"published": False}

    def hand_over():
        outcome["published"] = minutes_publish(minutes_id=minutes.pk)

    if publish:
        transaction.on_commit(hand_over)
    return minutes, outcome["published"]


def minutes_publish(*, minutes_id: int) -> bool:
    """Hand the render of a version to the broker; False (logged) when it is down. Without a
    broker (tasks inline) the render runs here and its outcome is on the row."""
    from agreements.tasks import minutes_render_task

    try:
        task_publish(minutes_render_task, minutes_id=minutes_id)
    except BrokerUnavailable as error:
        logger.warning("minutes %s stay queued: broker unavailable (%s)", minutes_id, error)
        return False
    return True


def minutes_sweep() -> int:
    """The outbox sweep: publish again every version queued for longer than ``SWEEP_MIN_AGE``
    and every version left ``rendering`` past the time limit (a worker died); a stale one that
    already had ``MINUTES_MAX_ATTEMPTS`` starts is marked failed with the reason instead.
    Returns how many were handed to the broker; stops at the first broker failure."""
    now = timezone.now()
    limit = dt.timedelta(seconds=settings.MINUTES_TIME_LIMIT_SECONDS)
    stale = Q(render_status=Minutes.RenderStatus.RENDERING, started_at__lt=now - limit)
    for minutes in Minutes.objects.filter(stale, attempts__gte=settings.MINUTES_MAX_ATTEMPTS):
        _fail_exhausted(minutes.pk)
    waiting = Minutes.objects.filter(
        Q(render_status=Minutes.RenderStatus.QUEUED, requested_at__lt=now - SWEEP_MIN_AGE) | stale
    ).values_list("pk", flat=True)
    published = 0
    for minutes_id in list(waiting.order_by("pk")[:50]):
        if not minutes_publish(minutes_id=minutes_id):
            break
        published += 1
    return published


def _exhausted_reason(attempts: int) -> str:
    return _(
        "La generación no terminó a tiempo (límite de %(seconds)s s) tras %(attempts)s "
        "intentos; no se reintentará. Pida una nueva versión."
    ) % {"seconds": settings.MINUTES_TIME_LIMIT_SECONDS, "attempts": attempts}


def _fail_exhausted(minutes_id: int) -> None:
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().filter(pk=minutes_id).first()
        if minutes is None or minutes.render_status != Minutes.RenderStatus.RENDERING:
            return
        Minutes.objects.filter(pk=minutes_id).update(
            render_status=Minutes.RenderStatus.FAILED,
            error=_exhausted_reason(minutes.attempts),
        )


# --- Progress -----------------------------------------------------------------------------------


def minutes_progress(minutes: Minutes) -> dict:
    """What the version page polls: render status, percent, and the file's details when
    ready (the reason when failed)."""
    ready = minutes.render_status == Minutes.RenderStatus.READY
    failed = minutes.render_status == Minutes.RenderStatus.FAILED
    return {
        "render_status": minutes.render_status,
        "status_label": str(minutes.get_render_status_display()),
        "progress": minutes.progress,
        "ready": ready,
        "finished": ready or failed,
        "sha256": minutes.sha256 if ready else "",
        "page_count": minutes.page_count if ready else None,
        "error": minutes.error if failed else "",
    }


def _set_progress(minutes_id: int, attempt: int, percent: int) -> None:
    Minutes.objects.filter(
        pk=minutes_id, render_status=Minutes.RenderStatus.RENDERING, attempts=attempt
    ).update(progress=max(0, min(100, percent)))


# --- What the document shows --------------------------------------------------------------------


def moment_range_label(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """``"14 de junio de 2022, 10:00–12:00 (America/El_Salvador, UTC−06:00)"`` in the active
    language: the date, the times and the zone named with its offset on that day."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        f"{date_format(local_start, 'DATE_FORMAT')}, {local_start:%H:%M}–{local_end:%H:%M} "
        f"({zone.key}, {utc_offset_label(zone, start)})"
    )


def moment_label(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """``"29 de noviembre de 2026, 14:05 (America/El_Salvador, UTC−06:00)"``."""
    local = value.astimezone(zone)
    offset = utc_offset_label(zone, value)
    return f"{date_format(local, 'DATE_FORMAT')}, {local:%H:%M} ({zone.key}, {offset})"


@dataclass
class AttendanceRow:
    """One line of the attendance table: a country (delegation) or an organisation."""

    name: str
    registered: int = 0
    attended: list[int | None] = field(default_factory=list)


def attendance_table(*, workshop: Workshop, sessions: list[Session]) -> dict:
    """Approved participants and attendance per session, by delegation country (every
    delegation of the workshop, by name) and, for people outside delegations (observers,
    moderators of organisations), by organisation. ``attended`` is None for every session
    when no attendance was recorded for it. Always four queries."""
    delegations = list(
        workshop.delegations.select_related("country").order_by("country__name_es")
    )  # 1
    approved = Participant.objects.filter(
        workshop=workshop, registration_status=Participant.RegistrationStatus.APPROVED
    )
    counts = list(
        approved.values_list("delegation__country_id", "organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )  # 2
    attended = list(
        Attendance.objects.filter(
            attended=True,
            session__workshop=workshop,
            participant__registration_status=Participant.RegistrationStatus.APPROVED,
        )
        .values_list(
            "participant__delegation__country_id", "participant__organisation_id", "session_id"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )  # 3
    recorded_sessions = set(
        Attendance.objects.filter(session__workshop=workshop)
        .values_list("session_id", flat=True)
        .distinct()
    )  # 4
    session_ids = [session.pk for session in sessions]
    organisation_ids = {org for country, org, _n in counts if country is None and org}
    organisations = {
        org.pk: org for org in Organisation.objects.filter(pk__in=organisation_ids)
    }  # (5 only when there are organisations: observers)

    def empty(name: str) -> AttendanceRow:
        return AttendanceRow(
            name=name,
            attended=[0 if pk in recorded_sessions else None for pk in session_ids],
        )

    countries = {d.country_id: empty(str(d.country.name)) for d in delegations}
    others: dict[int | None, AttendanceRow] = {}

    def row_for(country_id, organisation_id) -> AttendanceRow:
        if country_id is not None:
            if country_id not in countries:
                countries[country_id] = empty(str(Country.objects.get(pk=country_id).name))
            return countries[country_id]
        if organisation_id not in others:
            organisation = organisations.get(organisation_id)
            others[organisation_id] = empty(
                organisation.short_name if organisation else _("Sin organización")
            )
        return others[organisation_id]

    for country_id, organisation_id, n in counts:
        row_for(country_id, organisation_id).registered += n
    for country_id, organisation_id, session_id, n in attended:
        row = row_for(country_id, organisation_id)
        position = session_ids.index(session_id)
        row.attended[position] = (row.attended[position] or 0) + n
    country_rows = sorted(countries.values(), key=lambda row: row.name.casefold())
    other_rows = sorted(others.values(), key=lambda row: row.name.casefold())
    every = country_rows + other_rows
    totals = AttendanceRow(
        name=_("Total"),
        registered=sum(row.registered for row in every),
        attended=[
            None if pk not in recorded_sessions else sum(row.attended[i] or 0 for row in every)
            for i, pk in enumerate(session_ids)
        ],
    )
    return {
        "countries": country_rows,
        "organisations": other_rows,
        "totals": totals,
        "recorded": bool(recorded_sessions),
    }


def _agreement_groups(workshop: Workshop) -> list[dict]:
    agreements = (
        Agreement.objects.filter(workshop=workshop)
        .select_related("session", "axis", "agenda_item")
        .prefetch_related(
            Prefetch("responsible_countries", queryset=Country.objects.order_by("name_es")),
            Prefetch(
                "responsible_organisations", queryset=Organisation.objects.order_by("name_es")
            ),
        )
        .order_by("session__number", "number")
    )
    groups: list[dict] = []
    for agreement in agreements:
        if not groups or groups[-1]["session"].pk != agreement.session_id:
            groups.append({"session": agreement.session, "agreements": []})
        agreement.responsible = [str(c.name) for c in agreement.responsible_countries.all()] + [
            o.short_name for o in agreement.responsible_organisations.all()
        ]
        groups[-1]["agreements"].append(agreement)
    return groups


def minutes_context(*, minutes: Minutes, on_step=None) -> dict:
    """Everything ``templates/pdf/minutes.html`` shows, in the active language, times in the
    workshop's reference zone with the zone named. ``on_step(percent)`` is called after each
    part is gathered (progress). A fixed number of queries, whatever the size."""
    from consultations.compile import question_blocks
    from consultations.models import TriggerQuestion

    def step(percent: int) -> None:
        if on_step is not None:
            on_step(percent)

    workshop = Workshop.objects.select_related("organiser").get(pk=minutes.workshop_id)
    zone = zoneinfo.ZoneInfo(workshop.time_zone)
    partners = list(workshop.partners.select_related("organisation").order_by("order"))
    objectives = list(workshop.objectives.order_by("order"))
    sessions = workshop_agenda(workshop=workshop)
    for session in sessions:
        session.when = moment_range_label(session.start, session.end, zone)
        session.local_start = session.start.astimezone(zone)
    step(STEP_AGENDA)
    attendance = attendance_table(workshop=workshop, sessions=sessions)
    step(STEP_ATTENDANCE)
    questions = (
        TriggerQuestion.objects.filter(workshop=workshop)
        .select_related("session", "axis")
        .order_by("session__number", "order", "code")
    )
    blocks = question_blocks(questions=questions, zone=zone)
    question_sessions: list[dict] = []
    for block in blocks:
        session = block.question.session
        key = session.pk if session else None
        if not question_sessions or question_sessions[-1]["key"] != key:
            question_sessions.append({"key": key, "session": session, "blocks": []})
        question_sessions[-1]["blocks"].append(block)
    step(STEP_QUESTIONS)
    agreement_groups = _agreement_groups(workshop)
    agreement_count = sum(len(group["agreements"]) for group in agreement_groups)
    withdrawn = sum(
        1
        for group in agreement_groups
        for agreement in group["agreements"]
        if agreement.status == Agreement.Status.WITHDRAWN
    )
    step(STEP_AGREEMENTS)
    now = timezone.now()
    return {
        "minutes": minutes,
        "workshop": workshop,
        "organiser": workshop.organiser,
        "partners": partners,
        "objectives": objectives,
        "sessions": sessions,
        "attendance": attendance,
        "question_sessions": question_sessions,
        "question_count": len(blocks),
        "answer_count": sum(len(block.answered) for block in blocks),
        "agreement_groups": agreement_groups,
        "agreement_count": agreement_count,
        "withdrawn_count": withdrawn,
        "zone_name": workshop.time_zone,
        "rendered_at": moment_label(now, zone),
        "page_css": page_number_css(_("Página %(page)s de %(pages)s")),
    }


# --- Rendering ----------------------------------------------------------------------------------


def _claim(minutes_id: int) -> Minutes | None:
    """Lock the row and move it to ``rendering`` if it is this delivery's to render: a queued
    row, or one left ``rendering`` past the time limit by a worker that died (at most
    ``MINUTES_MAX_ATTEMPTS`` starts; after that it is marked failed with the reason)."""
    limit = dt.timedelta(seconds=settings.MINUTES_TIME_LIMIT_SECONDS)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().filter(pk=minutes_id).first()
        if minutes is None:
            return None
        now = timezone.now()
        if minutes.render_status == Minutes.RenderStatus.RENDERING:
            if minutes.started_at and minutes.started_at > now - limit:
                return None  # another worker is on it
            if minutes.attempts >= settings.MINUTES_MAX_ATTEMPTS:
                Minutes.objects.filter(pk=minutes_id).update(
                    render_status=Minutes.RenderStatus.FAILED,
                    error=_exhausted_reason(minutes.attempts),
                )
                return None
        elif minutes.render_status != Minutes.RenderStatus.QUEUED:
            return None
        minutes.render_status = Minutes.RenderStatus.RENDERING
        minutes.started_at = now
        minutes.attempts += 1
        minutes.progress = STEP_CLAIMED
        minutes.error = ""
        minutes.save(update_fields=["render_status", "started_at", "attempts", "progress", "error"])
    return minutes


def failure_reason(error: BaseException) -> str:
    """A reason staff can read: the time limit named, else the error's type and message."""
    if isinstance(error, PdfRenderTimeout) or type(error).__name__ == "SoftTimeLimitExceeded":
        return _(
            "La generación superó el límite de %(seconds)s s y se detuvo (%(error)s). "
            "No se reintentará."
        ) % {"seconds": settings.MINUTES_TIME_LIMIT_SECONDS, "error": type(error).__name__}
    return _("La generación falló: %(error)s. No se reintentará.") % {
        "error": f"{type(error).__name__}: {error}"
    }


def _fail(minutes_id: int, attempt: int, reason: str) -> None:
    Minutes.objects.filter(
        pk=minutes_id, render_status=Minutes.RenderStatus.RENDERING, attempts=attempt
    ).update(render_status=Minutes.RenderStatus.FAILED, error=reason[:ERROR_MAX_CHARS])


def minutes_html(*, minutes: Minutes, on_step=None) -> str:
    """The document's HTML in the version's language (a draft: watermark on)."""
    with translation.override(minutes.language):
        context = minutes_context(minutes=minutes, on_step=on_step)
        return render_to_string("pdf/minutes.html", context)


def snapshot_name(pdf_name: str) -> str:
    """Where the HTML a PDF was rendered from is kept (next to it, never served)."""
    return f"{pdf_name}.html"


def minutes_render(*, minutes_id: int) -> Minutes | None:
    """Render one draft version if it is still to be rendered (see ``_claim``); a second
    delivery renders nothing. Stores the PDF under ``minutes/`` with its SHA-256 and page
    count, and its HTML snapshot (render status ``ready``, progress 100), or marks the row
    ``failed`` with a readable reason; never raises for a render error (no retry loop).
    Returns the row, or None when there was nothing to do."""
    from crm_workshop.pdf import render_pdf_document

    minutes = _claim(minutes_id)
    if minutes is None:
        return None
    attempt = minutes.attempts
    try:
        html = minutes_html(
            minutes=minutes, on_step=lambda percent: _set_progress(minutes_id, attempt, percent)
        )
        _set_progress(minutes_id, attempt, STEP_HTML)
        rendered = render_pdf_document(html=html, time_limit=settings.MINUTES_TIME_LIMIT_SECONDS)
        _set_progress(minutes_id, attempt, STEP_WRITTEN)
        digest = hashlib.sha256(rendered.content).hexdigest()
        with transaction.atomic():
            current = (
                Minutes.objects.select_for_update()
                .filter(
                    pk=minutes_id, render_status=Minutes.RenderStatus.RENDERING, attempts=attempt
                )
                .first()
            )
            if current is None:
                return None  # claimed again meanwhile; the other render stores its own file
            name = f"acta-v{current.version}-{current.language}-{digest[:12]}.pdf"
            current.pdf.save(name, ContentFile(rendered.content), save=False)
            default_storage.save(snapshot_name(current.pdf.name), ContentFile(html.encode("utf-8")))
            current.sha256 = digest
            current.page_count = rendered.page_count
            current.render_status = Minutes.RenderStatus.READY
            current.progress = STEP_STORED
            current.generated_at = timezone.now()
            current.generated_by = current.requested_by
            current.save(
                update_fields=[
                    "pdf",
                    "sha256",
                    "page_count",
                    "render_status",
                    "progress",
                    "generated_at",
                    "generated_by",
                ]
            )
        return current
    except Exception as error:
        logger.exception("minutes %s failed", minutes_id)
        _fail(minutes_id, attempt, failure_reason(error))
        return Minutes.objects.filter(pk=minutes_id).first()


# --- Issuing ------------------------------------------------------------------------------------


def issue_recipients(*, workshop_id: int):
    """The approved participants of the workshop (every role): who receives issued minutes."""
    return Participant.objects.filter(
        workshop_id=workshop_id, registration_status=Participant.RegistrationStatus.APPROVED
    )


def minutes_issue(*, minutes: Minutes, by) -> tuple[Minutes, list[Notification]]:
    """Issue a ready draft: render its snapshot without the draft marks, store that PDF with
    its SHA-256 (the draft's file is removed after the commit), set ``issued``, and write one
    ``MINUTES_ISSUED`` notification per approved participant (queued after the commit).
    Returns the row and the new notifications.

    Issuing an issued version changes and sends nothing (``[]``). Raises ``MinutesError``
    for a version that is not ready, or older than an issued one; nothing is written then.
    From here on the row is immutable (``minutes_guard_save``)."""
    from crm_workshop.pdf import render_pdf_document

    with transaction.atomic():
        current = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if current.status == Minutes.Status.ISSUED:
            return current, []
        if current.render_status != Minutes.RenderStatus.READY or not current.pdf:
            raise MinutesError(_("Solo se puede emitir una versión lista (generada sin errores)."))
        later = Minutes.objects.filter(
            workshop_id=current.workshop_id,
            status=Minutes.Status.ISSUED,
            version__gt=current.version,
        ).exists()
        if later:
            raise MinutesError(
                _("Ya hay una versión posterior emitida: esta versión no se puede emitir.")
            )
        draft_name = current.pdf.name
        try:
            with default_storage.open(snapshot_name(draft_name), "rb") as snapshot:
                html = snapshot.read().decode("utf-8")
        except OSError as error:
            raise MinutesError(
                _("Falta el HTML de esta versión; genere una nueva versión y emítala.")
            ) from error
        if html.find(DRAFT_MARK) < 0 or html.find(DRAFT_MARK) > 400:
            raise MinutesError(_("El HTML de esta versión no es el de un borrador."))
        html = html.replace(DRAFT_MARK, ISSUED_MARK, 1)
        rendered = render_pdf_document(html=html, time_limit=settings.MINUTES_TIME_LIMIT_SECONDS)
        digest = hashlib.sha256(rendered.content).hexdigest()
        name = f"acta-v{current.version}-{current.language}-emitida-{digest[:12]}.pdf"
        current.pdf.save(name, ContentFile(rendered.content), save=False)
        current.sha256 = digest
        current.page_count = rendered.page_count
        current.status = Minutes.Status.ISSUED
        current.issued_at = timezone.now()
        current.issued_by = by
        Minutes.objects.filter(pk=current.pk).update(
            pdf=current.pdf.name,
            sha256=digest,
            page_count=rendered.page_count,
            status=Minutes.Status.ISSUED,
            issued_at=current.issued_at,
            issued_by=by,
        )
        created = _notify_issued(current)
        transaction.on_commit(lambda: _remove_files(draft_name, snapshot_name(draft_name)))
    return current, created


def _remove_files(*names: str) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone: nothing to keep
            logger.warning("could not remove %s", name)


def _notify_issued(minutes: Minutes) -> list[Notification]:
    """One notification per approved participant for this version (``minutes-<pk>``)."""
    from participants.notifications import notification_queue

    created = []
    key = ISSUED_KEY.format(pk=minutes.pk)
    for participant in issue_recipients(workshop_id=minutes.workshop_id).order_by("pk"):
        notification, was_created = Notification.objects.get_or_create(
            participant=participant, kind=Notification.Kind.MINUTES_ISSUED, dedupe_key=key
        )
        if was_created:
            notification_queue(notification=notification)
            created.append(notification)
    return created


# --- An issued version never changes ------------------------------------------------------------

FROZEN_FIELDS = (
    "workshop_id",
    "version",
    "status",
    "render_status",
    "language",
    "sha256",
    "page_count",
    "pdf",
)


def minutes_guard_save(sender, instance: Minutes, **kwargs) -> None:
    """``pre_save`` of ``Minutes``: refuse to change an issued version (its file, hash,
    status…), from the admin, the shell or any code that calls ``save()``."""
    if instance.pk is None:
        return
    stored = Minutes.objects.filter(pk=instance.pk).first()
    if stored is None or stored.status != Minutes.Status.ISSUED:
        return
    for name in FROZEN_FIELDS:
        before, after = getattr(stored, name), getattr(instance, name)
        if name == "pdf":
            before, after = before.name, after.name
        if before != after:
            raise MinutesImmutableError(
                _("Una versión emitida del acta no se puede modificar (%(field)s).")
                % {"field": name}
            )


def minutes_guard_delete(sender, instance: Minutes, **kwargs) -> None:
    """``pre_delete`` of ``Minutes``: an issued version is never deleted on its own (the
    admin, the shell, a queryset of minutes); deleting its whole workshop still cascades."""
    origin = kwargs.get("origin")
    aimed_at_minutes = isinstance(origin, Minutes) or getattr(origin, "model", None) is Minutes
    if aimed_at_minutes and instance.status == Minutes.Status.ISSUED:
        raise MinutesImmutableError(_("Una versión emitida del acta no se puede borrar."))


def minutes_latest_issued(*, workshop_id: int) -> Minutes | None:
    """The latest issued version of the workshop's minutes (one query), or None."""
    return (
        Minutes.objects.filter(
            workshop_id=workshop_id,
            status=Minutes.Status.ISSUED,
            render_status=Minutes.RenderStatus.READY,
        )
        .order_by("-version")
        .first()
    )


__all__ = [
    "MinutesError",
    "MinutesImmutableError",
    "attendance_table",
    "minutes_issue",
    "minutes_progress",
    "minutes_render",
    "minutes_request",
    "minutes_sweep",
]
