"""Reads for the Secretaría's follow-up page (``/staff/consultations/``).

``consultation_followup`` loads what the page shows in a fixed number of queries (5),
whatever the number of countries, questions and answers: delegations with their delegate
counts, questions, assignments with each country's effective deadline, answers' statuses,
and the history rows of the extensions in force. Everything else is arithmetic here, so the
template only prints.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from consultations.notifications import moment_label
from participants.models import Delegation, Participant

# Bar chart geometry (SVG user units; the SVG scales to the width of its box).
CHART_WIDTH = 580
CHART_LABEL_WIDTH = 160
CHART_BAR_WIDTH = 320
CHART_ROW_HEIGHT = 30
CHART_BAR_HEIGHT = 18
CHART_TOP = 44


def _percent(part: int, whole: int) -> int:
    """Whole percent, halves rounded up (1 of 8 is 13 %, not Python's round-half-even 12)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


@dataclass
class Counts:
    assigned: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def not_started(self) -> int:
        return self.assigned - self.submitted - self.drafts

    @property
    def rate(self) -> int:
        return _percent(self.submitted, self.assigned)

    @property
    def draft_rate(self) -> int:
        return _percent(self.drafts, self.assigned)


@dataclass
class CountryRow(Counts):
    delegation: Delegation | None = None
    delegates: int = 0
    approved: int = 0
    open_pending: int = 0  # unsubmitted questions whose deadline is still ahead
    deadlines: list[str] = field(default_factory=list)
    extensions: list[dict] = field(default_factory=list)

    @property
    def country(self):
        return self.delegation.country

    @property
    def complete(self) -> bool:
        return self.submitted == self.assigned

    @property
    def can_remind(self) -> bool:
        return self.open_pending > 0 and self.approved > 0

    @property
    def remind_blocker(self) -> str:
        """Why the country cannot be reminded ("" when it can)."""
        if self.approved == 0:
            return _("Sin delegados aprobados: no hay a quién recordar.")
        if self.open_pending == 0:
            return _("Los plazos de sus preguntas pendientes vencieron.")
        return ""


@dataclass
class QuestionRow(Counts):
    question: TriggerQuestion | None = None
    deadline: str = ""
    extended: int = 0


def consultation_followup(
    *, workshop, zone: zoneinfo.ZoneInfo, now: dt.datetime | None = None
) -> dict:
    """Response rates by country and by question, the countries that have not answered
    everything, each country's deadlines and extensions, and a bar chart of the rates.

    Always 5 queries. Times are labelled in ``zone`` with the zone named. A country appears
    once any question was distributed to it.
    """
    now = now or timezone.now()
    delegations = list(
        Delegation.objects.filter(workshop=workshop)
        .select_related("country")
        .annotate(
            delegates=Count("members", filter=Q(members__role=Participant.Role.DELEGATE)),
            approved=Count(
                "members",
                filter=Q(
                    members__role=Participant.Role.DELEGATE,
                    members__registration_status=Participant.RegistrationStatus.APPROVED,
                ),
            ),
        )
    )
    questions = list(
        TriggerQuestion.objects.filter(workshop=workshop)
        .select_related("session")
        .order_by("session__number", "order", "code")
    )
    assignments = list(
        QuestionAssignment.objects.with_deadline()
        .filter(question__workshop=workshop)
        .values("pk", "question_id", "country_id", "effective_deadline", "deadline_extended_to")
    )
    statuses = {
        (row["question_id"], row["delegation__country_id"]): row["status"]
        for row in Answer.objects.filter(question__workshop=workshop).values(
            "question_id", "delegation__country_id", "status"
        )
    }
    extension_records = _extension_records(workshop=workshop)

    by_country: dict[str, CountryRow] = {
        d.country_id: CountryRow(delegation=d, delegates=d.delegates, approved=d.approved)
        for d in delegations
    }
    by_question: dict[int, QuestionRow] = {
        q.pk: QuestionRow(question=q, deadline=moment_label(q.deadline, zone)) for q in questions
    }
    question_codes = {q.pk: q.code for q in questions}
    country_deadlines: dict[str, set] = defaultdict(set)
    for assignment in assignments:
        country = by_country.get(assignment["country_id"])
        question = by_question[assignment["question_id"]]
        status = statuses.get((assignment["question_id"], assignment["country_id"]))
        for counts in (country, question):
            if counts is None:
                continue
            counts.assigned += 1
            counts.submitted += status == Answer.Status.SUBMITTED
            counts.drafts += status == Answer.Status.DRAFT
        if country is None:
            continue
        deadline = assignment["effective_deadline"]
        if status != Answer.Status.SUBMITTED and (deadline is None or deadline > now):
            country.open_pending += 1
        country_deadlines[assignment["country_id"]].add(deadline)
        if assignment["deadline_extended_to"] is not None:
            question.extended += 1
            record = extension_records.get((assignment["pk"], assignment["deadline_extended_to"]))
            country.extensions.append(
                {
                    "code": question_codes[assignment["question_id"]],
                    "until": moment_label(assignment["deadline_extended_to"], zone),
                    "by": str(record.history_user) if record and record.history_user else "",
                    "reason": record.history_change_reason if record else "",
                }
            )
    for country_id, deadlines in country_deadlines.items():
        dated = sorted(d for d in deadlines if d is not None)
        labels = [moment_label(d, zone) for d in dated]
        if None in deadlines:
            labels.append(_("sin fecha límite"))
        by_country[country_id].deadlines = labels

    countries = sorted(
        (row for row in by_country.values() if row.assigned),
        key=lambda row: row.country.name,
    )
    for row in countries:
        row.extensions.sort(key=lambda extension: extension["code"])
    totals = Counts(
        assigned=sum(r.assigned for r in countries),
        submitted=sum(r.submitted for r in countries),
        drafts=sum(r.drafts for r in countries),
    )
    pending = [row for row in countries if not row.complete]
    return {
        "countries": countries,
        "questions": [row for row in by_question.values() if row.assigned],
        "undistributed": [row.question for row in by_question.values() if not row.assigned],
        "totals": totals,
        "pending": pending,
        "remindable": [row for row in pending if row.can_remind],
        "chart": _chart(countries),
        "zone_label": zone.key,
    }


def _extension_records(*, workshop) -> dict:
    """``{(assignment pk, extended_to): newest history row that set it}``, one query."""
    records = {}
    rows = (
        QuestionAssignment.history.filter(
            question__workshop=workshop, deadline_extended_to__isnull=False
        )
        .select_related("history_user")
        .order_by("id", "-history_id")
    )
    for record in rows:
        records.setdefault((record.id, record.deadline_extended_to), record)
    return records


def _chart(countries: list[CountryRow]) -> dict:
    """Bar geometry of the response rates by country (submitted, then drafts)."""
    bars = []
    for index, row in enumerate(countries):
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        submitted_width = round(CHART_BAR_WIDTH * row.submitted / row.assigned, 1)
        drafts_width = round(CHART_BAR_WIDTH * row.drafts / row.assigned, 1)
        bars.append(
            {
                "label": row.country.name,
                "y": y,
                "text_y": y + CHART_BAR_HEIGHT - 4,
                "submitted_width": submitted_width,
                "drafts_x": CHART_LABEL_WIDTH + submitted_width,
                "drafts_width": drafts_width,
                "value": _("%(submitted)s/%(assigned)s (%(rate)s %%)")
                % {"submitted": row.submitted, "assigned": row.assigned, "rate": row.rate},
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_TOP + len(countries) * CHART_ROW_HEIGHT + 8,
        "label_x": CHART_LABEL_WIDTH - 8,
        "bar_x": CHART_LABEL_WIDTH,
        "bar_width": CHART_BAR_WIDTH,
        "bar_height": CHART_BAR_HEIGHT,
        "value_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 8,
        "legend_drafts_x": CHART_LABEL_WIDTH + 120,
    }
