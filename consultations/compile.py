"""The compilation of submitted answers: what staff and moderators read, export and print.

Reads (selectors) load what a page needs in a fixed number of queries, whatever the number
of countries or questions. Only *submitted* answers are compiled: a draft is the
delegation's working text, not its country's answer, so it appears in no compilation view,
export or compendium, for staff neither (staff read drafts in the admin when they must);
staff are told that a country has a draft under way, without its text.

The compendium (PDF) is a ``Compendium`` row first, then a Celery task renders it
(``consultations.compendium_render``): the row is the outbox and the progress report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import zoneinfo
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from agenda.timezones import utc_offset_label
from consultations import rules
from consultations.models import Answer, Compendium, QuestionAssignment, TriggerQuestion
from crm_workshop.broker import BrokerUnavailable, task_publish
from crm_workshop.exports import formula_safe
from crm_workshop.pdf import page_number_css

logger = logging.getLogger(__name__)

# Longest reason stored for a failed render (the start of the error; the log has the rest).
ERROR_MAX_CHARS = 500
# How many times a render may start before a row stuck in "rendering" is declared failed.
COMPENDIUM_MAX_ATTEMPTS = 2


# --- Reading -------------------------------------------------------------------------------


def compile_questions(*, workshop, user):
    """The questions ``user`` may compile, with ``assigned_total``, ``submitted_total`` and
    ``draft_total`` annotated; session and axis loaded. Staff: every question of
    ``workshop``; a moderator: those of the sessions they moderate; anyone else: none.
    Always one query."""
    questions = (
        TriggerQuestion.objects.filter(workshop=workshop)
        .select_related("session", "axis")
        .annotate(
            assigned_total=Count("assignments", distinct=True),
            submitted_total=Count(
                "answers", filter=Q(answers__status=Answer.Status.SUBMITTED), distinct=True
            ),
            draft_total=Count(
                "answers", filter=Q(answers__status=Answer.Status.DRAFT), distinct=True
            ),
        )
        .order_by("session__number", "order", "code")
    )
    if rules.is_staff(user):
        return questions
    if user is None or not user.is_authenticated or not user.is_active:
        return questions.none()
    return questions.filter(session__moderators=user)


@dataclass
class CountryRow:
    """One country's line under a question: its submitted answer, or why there is none."""

    country: object
    answer: Answer | None = None
    has_draft: bool = False
    submitted_at_local: dt.datetime | None = None
    submitted_offset: str = ""
    submitted_by_name: str = ""


@dataclass
class QuestionBlock:
    question: TriggerQuestion
    rows: list[CountryRow] = field(default_factory=list)

    @property
    def answered(self) -> list[CountryRow]:
        return [row for row in self.rows if row.answer is not None]

    @property
    def unanswered(self) -> list[CountryRow]:
        return [row for row in self.rows if row.answer is None]


def question_blocks(*, questions, zone: zoneinfo.ZoneInfo) -> list[QuestionBlock]:
    """For each of ``questions`` (in their order), every assigned country with its submitted
    answer (submitted by loaded, time in ``zone``), countries in the active language's
    alphabetical order. Always two queries, for any number of questions and countries."""
    questions = list(questions)
    by_question = {question.pk: QuestionBlock(question=question) for question in questions}
    if not by_question:
        return []
    answers = (
        Answer.objects.filter(question_id__in=by_question)
        .select_related("submitted_by", "delegation")
        .only(
            "pk",
            "question_id",
            "status",
            "text",
            "version",
            "submitted_at",
            "delegation__country_id",
            "submitted_by__first_name",
            "submitted_by__last_name",
            "submitted_by__email",
            "submitted_by__username",
        )
    )
    found: dict[tuple[int, str], Answer] = {}
    drafts: set[tuple[int, str]] = set()
    for answer in answers:
        key = (answer.question_id, answer.delegation.country_id)
        if answer.status == Answer.Status.SUBMITTED:
            found[key] = answer
        else:
            drafts.add(key)
    assignments = QuestionAssignment.objects.filter(question_id__in=by_question).select_related(
        "country"
    )
    for assignment in assignments:
        key = (assignment.question_id, assignment.country_id)
        answer = found.get(key)
        row = CountryRow(country=assignment.country, answer=answer, has_draft=key in drafts)
        if answer is not None:
            row.submitted_at_local = answer.submitted_at.astimezone(zone)
            row.submitted_offset = utc_offset_label(zone, answer.submitted_at)
            row.submitted_by_name = person_name(answer.submitted_by)
        by_question[assignment.question_id].rows.append(row)
    for block in by_question.values():
        block.rows.sort(key=lambda row: str(row.country.name).casefold())
    return [by_question[question.pk] for question in questions]


def person_name(user) -> str:
    """How a submitter is named: full name, else e-mail; ``—`` for a deleted account."""
    if user is None:
        return "—"
    return user.get_full_name() or user.email or user.get_username()


# --- Exports ------------------------------------------------------------------------------


def submitted_answers_dataset(*, workshop) -> tablib.Dataset:
    """Every submitted answer of ``workshop`` as rows (headers in the active language), every
    cell through ``formula_safe``: no spreadsheet evaluates any of it. Always one query."""
    zone = zoneinfo.ZoneInfo(workshop.time_zone)
    answers = (
        Answer.objects.filter(question__workshop=workshop, status=Answer.Status.SUBMITTED)
        .select_related(
            "question__session", "question__axis", "delegation__country", "submitted_by"
        )
        .order_by(
            "question__session__number",
            "question__order",
            "question__code",
            "delegation__country__name_es",
        )
    )
    headers = [
        _("código de pregunta"),
        _("sesión"),
        _("eje"),
        _("pregunta (español)"),
        _("pregunta (inglés)"),
        _("país (ISO)"),
        _("país"),
        _("respuesta"),
        pgettext("respuesta", "enviada por"),
        _("enviada el (UTC)"),
        _("enviada el (%(zone)s, zona del taller)") % {"zone": workshop.time_zone},
        _("versión"),
    ]
    dataset = tablib.Dataset(headers=[formula_safe(header) for header in headers])
    for answer in answers:
        question = answer.question
        submitted_utc = answer.submitted_at.astimezone(dt.UTC)
        row = [
            question.code,
            question.session.display_label if question.session else "",
            str(question.axis) if question.axis else "",
            question.text_es,
            question.text_en,
            answer.delegation.country_id,
            str(answer.delegation.country.name),
            answer.text,
            person_name(answer.submitted_by),
            submitted_utc.isoformat().replace("+00:00", "Z"),
            answer.submitted_at.astimezone(zone).isoformat(),
            answer.version,
        ]
        dataset.append([formula_safe(value) for value in row])
    return dataset


def export_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    """``csv``: UTF-8 with a byte-order mark (Excel then reads the accents right);
    ``xlsx``: an Excel workbook whose cells are all values, never formulas."""
    if fmt == "csv":
        return ("\ufeff" + dataset.export("csv")).encode("utf-8")
    if fmt == "xlsx":
        return dataset.export("xlsx")
    raise ValueError(fmt)


# --- The PDF compendium -------------------------------------------------------------------


def compendium_request(*, workshop, language: str, by) -> tuple[Compendium, bool]:
    """Create a queued compendium and ask a worker to render it once the transaction
    commits. Returns the row and whether the task was handed over (``False``: the broker is
    down; the row stays queued, the page says so and ``compendium_sweep`` publishes it
    later). Never raises for the broker. The answer is only known when no transaction is
    open (the view runs outside ``ATOMIC_REQUESTS``); inside one it is ``False``."""
    compendium = Compendium.objects.create(workshop=workshop, language=language, requested_by=by)
    outcome = {"published": False}

    def publish():
        outcome["published"] = compendium_publish(compendium_id=compendium.pk)

    transaction.on_commit(publish)
    return compendium, outcome["published"]


def compendium_publish(*, compendium_id: int) -> bool:
    """Hand the render of a compendium to the broker; False (logged) when it is down."""
    from consultations.tasks_compendium import compendium_render_task

    try:
        task_publish(compendium_render_task, compendium_id=compendium_id)
    except BrokerUnavailable as error:
        logger.warning("compendium %s stays queued: broker unavailable (%s)", compendium_id, error)
        return False
    return True


# A queued row younger than this is probably still on its way to a worker.
COMPENDIUM_SWEEP_MIN_AGE = dt.timedelta(minutes=5)


def compendium_sweep() -> int:
    """Publish again every compendium queued for longer than ``COMPENDIUM_SWEEP_MIN_AGE``
    or rendering for longer than the time limit (the outbox sweep); returns how many were
    handed to the broker. Stops at the first broker failure (the next sweep tries again)."""
    now = timezone.now()
    limit = dt.timedelta(seconds=settings.COMPENDIUM_TIME_LIMIT_SECONDS)
    waiting = Compendium.objects.filter(
        Q(status=Compendium.Status.QUEUED, requested_at__lt=now - COMPENDIUM_SWEEP_MIN_AGE)
        | Q(status=Compendium.Status.RENDERING, started_at__lt=now - limit)
    ).values_list("pk", flat=True)
    published = 0
    for compendium_id in list(waiting[:50]):
        if not compendium_publish(compendium_id=compendium_id):
            break
        published += 1
    return published


def compendium_progress(compendium: Compendium) -> dict:
    """What the progress page polls: status, percent, and the file's details when done."""
    return {
        "status": compendium.status,
        "status_label": str(compendium.get_status_display()),
        "progress": compendium.progress,
        "done": compendium.status == Compendium.Status.DONE,
        "finished": compendium.status in {Compendium.Status.DONE, Compendium.Status.FAILED},
        "sha256": compendium.sha256 if compendium.status == Compendium.Status.DONE else "",
        "page_count": compendium.page_count,
        "error": compendium.error if compendium.status == Compendium.Status.FAILED else "",
    }


def compendium_context(*, compendium: Compendium, on_question=None) -> dict:
    """Everything ``templates/pdf/compendium.html`` shows, in the active language.
    ``on_question(done, total)`` is called after each question is gathered (progress)."""
    workshop = compendium.workshop
    zone = zoneinfo.ZoneInfo(workshop.time_zone)
    questions = (
        TriggerQuestion.objects.filter(workshop=workshop, assignments__isnull=False)
        .distinct()
        .select_related("session", "axis")
        # Grouped by session, then by axis: each axis heading appears once per session.
        .order_by("session__number", "axis__number", "order", "code")
    )
    blocks = question_blocks(questions=questions, zone=zone)
    sessions: list[dict] = []
    for number, block in enumerate(blocks, start=1):
        question = block.question
        session_key = question.session_id
        if not sessions or sessions[-1]["key"] != session_key:
            sessions.append({"key": session_key, "session": question.session, "axes": []})
        axes = sessions[-1]["axes"]
        if not axes or axes[-1]["key"] != question.axis_id:
            axes.append({"key": question.axis_id, "axis": question.axis, "blocks": []})
        axes[-1]["blocks"].append(block)
        if on_question is not None:
            on_question(number, len(blocks))
    now = timezone.now()
    countries = {row.country.pk for block in blocks for row in block.rows}
    return {
        "compendium": compendium,
        "workshop": workshop,
        "organiser": workshop.organiser,
        "sessions": sessions,
        "generated_at": now.astimezone(zone),
        "zone_name": workshop.time_zone,
        "zone_offset": utc_offset_label(zone, now),
        "question_count": len(blocks),
        "country_count": len(countries),
        "answer_count": sum(len(block.answered) for block in blocks),
        "page_css": page_number_css(_("página %(page)s de %(pages)s")),
    }


def _set_progress(compendium_id: int, percent: int) -> None:
    Compendium.objects.filter(pk=compendium_id, status=Compendium.Status.RENDERING).update(
        progress=max(0, min(100, percent))
    )


def _claim(compendium_id: int) -> Compendium | None:
    """Lock the row and move it to ``rendering`` if it is this delivery's to render: a
    queued row, or a row left ``rendering`` longer than the time limit by a worker that died
    (at most ``COMPENDIUM_MAX_ATTEMPTS`` starts; after that it is marked failed)."""
    limit = dt.timedelta(seconds=settings.COMPENDIUM_TIME_LIMIT_SECONDS)
    with transaction.atomic():
        compendium = (
            Compendium.objects.select_for_update(of=("self",))
            .select_related("workshop__organiser")
            .filter(pk=compendium_id)
            .first()
        )
        if compendium is None:
            return None
        now = timezone.now()
        if compendium.status == Compendium.Status.RENDERING:
            if compendium.started_at and compendium.started_at > now - limit:
                return None  # another worker is on it
            if compendium.attempts >= COMPENDIUM_MAX_ATTEMPTS:
                compendium.status = Compendium.Status.FAILED
                compendium.error = _(
                    "La generación no terminó a tiempo (límite de %(seconds)s s) tras "
                    "%(attempts)s intentos."
                ) % {
                    "seconds": settings.COMPENDIUM_TIME_LIMIT_SECONDS,
                    "attempts": compendium.attempts,
                }
                compendium.finished_at = now
                compendium.save(update_fields=["status", "error", "finished_at"])
                return None
        elif compendium.status != Compendium.Status.QUEUED:
            return None
        compendium.status = Compendium.Status.RENDERING
        compendium.started_at = now
        compendium.attempts += 1
        compendium.progress = 0
        compendium.error = ""
        compendium.save(update_fields=["status", "started_at", "attempts", "progress", "error"])
    return compendium


def _fail(compendium_id: int, attempt: int, reason: str) -> None:
    Compendium.objects.filter(
        pk=compendium_id, status=Compendium.Status.RENDERING, attempts=attempt
    ).update(
        status=Compendium.Status.FAILED,
        error=reason[:ERROR_MAX_CHARS],
        finished_at=timezone.now(),
    )


def compendium_render(*, compendium_id: int) -> Compendium | None:
    """Render one compendium if it is still to be rendered (see ``_claim``); a second
    delivery renders nothing. Stores the PDF under ``compendia/`` with its SHA-256 and page
    count (status ``done``), or marks the row ``failed`` with the reason; never raises for
    a render error (no retry loop). Returns the row, or None when there was nothing to do."""
    from crm_workshop.pdf import render_pdf_document

    compendium = _claim(compendium_id)
    if compendium is None:
        return None
    attempt = compendium.attempts
    try:
        with translation.override(compendium.language):
            context = compendium_context(
                compendium=compendium,
                on_question=lambda done, total: _set_progress(
                    compendium_id, 5 + int(55 * done / max(total, 1))
                ),
            )
            html = render_to_string("pdf/compendium.html", context)
        _set_progress(compendium_id, 65)
        rendered = render_pdf_document(html=html, time_limit=settings.COMPENDIUM_TIME_LIMIT_SECONDS)
        _set_progress(compendium_id, 95)
        digest = hashlib.sha256(rendered.content).hexdigest()
        with transaction.atomic():
            current = (
                Compendium.objects.select_for_update(of=("self",))
                .filter(pk=compendium_id, status=Compendium.Status.RENDERING, attempts=attempt)
                .first()
            )
            if current is None:
                return None  # claimed again meanwhile; the other render stores its own file
            name = f"compendio-{compendium_id}-{compendium.language}-{digest[:12]}.pdf"
            current.file.save(name, ContentFile(rendered.content), save=False)
            current.sha256 = digest
            current.page_count = rendered.page_count
            current.status = Compendium.Status.DONE
            current.progress = 100
            current.finished_at = timezone.now()
            current.save(
                update_fields=["file", "sha256", "page_count", "status", "progress", "finished_at"]
            )
        return current
    except Exception as error:
        logger.exception("compendium %s failed", compendium_id)
        _fail(compendium_id, attempt, f"{type(error).__name__}: {error}")
        return Compendium.objects.filter(pk=compendium_id).first()
