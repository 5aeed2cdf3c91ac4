"""The follow-up page's numbers computed once by hand (``consultations.followup``): every
count, rate, deadline, extension and bar of a small workshop, in a fixed number of queries.

The workshop (clock: 8 June 2022, 12:00 in San Salvador, UTC−6):

* TQ-1 (deadline 10 June 18:00) to Belize, Colombia (no delegation here), Guatemala, Mexico;
  TQ-2 (no deadline) to Guatemala and Mexico; TQ-3 to nobody; TQ-4 (deadline 1 June, passed)
  to Guatemala.
* Mexico submitted TQ-1 and drafts TQ-2; Guatemala drafts TQ-1 and TQ-2, its TQ-1 extended to
  12 June 18:00 (extended twice, the newest reason wins).
* Delegates: Mexico one approved and one pending (an approved observer does not count),
  Guatemala one approved, Belize none.
"""

import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from consultations.followup import _percent, consultation_followup
from consultations.models import Answer, QuestionAssignment
from consultations.services import deadline_extend
from participants.models import Participant
from tests.admin_factories import (
    AnswerFactory,
    DelegationFactory,
    ParticipantFactory,
    QuestionAssignmentFactory,
    TriggerQuestionFactory,
)
from tests.factories import CountryFactory, SessionFactory, UserFactory, WorkshopFactory, local

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo("America/El_Salvador")
NOW = local(2022, 6, 8, 12)
NO_DEADLINE = "sin fecha límite"


def _label(day: int) -> str:
    return f"{day} de junio de 2022, 18:00 (America/El_Salvador, UTC\u221206:00)"


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(time_zone="America/El_Salvador")
    countries = {
        iso: CountryFactory(iso_code=iso, name_es=name, name_en=name)
        for iso, name in (
            ("BZ", "Belice"),
            ("CO", "Colombia"),
            ("GT", "Guatemala"),
            ("MX", "México"),
        )
    }
    delegations = {
        iso: DelegationFactory(workshop=workshop, country=countries[iso])
        for iso in ("BZ", "GT", "MX")
    }
    for iso, status, role in (
        ("MX", "approved", Participant.Role.DELEGATE),
        ("MX", "pending", Participant.Role.DELEGATE),
        ("MX", "approved", Participant.Role.OBSERVER),
        ("GT", "approved", Participant.Role.DELEGATE),
    ):
        ParticipantFactory(delegation=delegations[iso], registration_status=status, role=role)

    def question(code, order, deadline, *isos):
        made = TriggerQuestionFactory(workshop=workshop, code=code, order=order, deadline=deadline)
        for iso in isos:
            QuestionAssignmentFactory(question=made, country=countries[iso])
        return made

    q1 = question("TQ-1", 1, local(2022, 6, 10, 18), "BZ", "CO", "GT", "MX")
    q2 = question("TQ-2", 2, None, "GT", "MX")
    question("TQ-3", 3, local(2022, 6, 10, 18))
    question("TQ-4", 4, local(2022, 6, 1, 18), "GT")
    for q, iso, status in (
        (q1, "MX", Answer.Status.SUBMITTED),
        (q2, "MX", Answer.Status.DRAFT),
        (q1, "GT", Answer.Status.DRAFT),
        (q2, "GT", Answer.Status.DRAFT),
    ):
        submitted_at = NOW if status == Answer.Status.SUBMITTED else None
        AnswerFactory(
            question=q, delegation=delegations[iso], status=status, submitted_at=submitted_at
        )
    extended = QuestionAssignment.objects.get(question=q1, country_id="GT")
    first = UserFactory(username="sec1", first_name="Primera", last_name="Persona")
    second = UserFactory(username="sec2", first_name="Sara", last_name="Secretaria")
    deadline_extend(assignment=extended, until=local(2022, 6, 12, 18), by=first, reason="Antes")
    deadline_extend(assignment=extended, until=local(2022, 6, 14, 18), by=first, reason="Luego")
    deadline_extend(
        assignment=extended, until=local(2022, 6, 12, 18), by=second, reason=" Pidió más tiempo "
    )
    return workshop


@pytest.fixture
def followup(workshop):
    with translation.override("es"), CaptureQueriesContext(connection) as captured:
        result = consultation_followup(workshop=workshop, zone=ZONE, now=NOW)
    result["queries"] = len(captured)
    return result


def _country(row):
    return {
        "country": row.country.pk,
        "counts": (row.assigned, row.submitted, row.drafts, row.not_started),
        "rates": (row.rate, row.draft_rate),
        "people": (row.delegates, row.approved),
        "open_pending": row.open_pending,
        "deadlines": row.deadlines,
        "extensions": row.extensions,
    }


def test_countries_in_name_order_with_their_counts_deadlines_and_extensions(followup):
    assert [_country(row) for row in followup["countries"]] == [
        {
            "country": "BZ",
            "counts": (1, 0, 0, 1),
            "rates": (0, 0),
            "people": (0, 0),
            "open_pending": 1,
            "deadlines": [_label(10)],
            "extensions": [],
        },
        {
            "country": "GT",
            "counts": (3, 0, 2, 1),
            "rates": (0, 67),
            "people": (1, 1),
            "open_pending": 2,  # TQ-1 (extended) and TQ-2 (no deadline); TQ-4 closed
            "deadlines": [_label(1), _label(12), NO_DEADLINE],
            "extensions": [
                {
                    "code": "TQ-1",
                    "until": _label(12),
                    "by": "Sara Secretaria",
                    "reason": "Pidió más tiempo",
                }
            ],
        },
        {
            "country": "MX",
            "counts": (2, 1, 1, 0),
            "rates": (50, 50),
            "people": (2, 1),
            "open_pending": 1,
            "deadlines": [_label(10), NO_DEADLINE],
            "extensions": [],
        },
    ]


def test_questions_count_every_assigned_country_even_one_without_delegation(followup):
    assert [
        (
            row.question.code,
            row.deadline,
            (row.assigned, row.submitted, row.drafts, row.extended),
            (row.rate, row.draft_rate),
        )
        for row in followup["questions"]
    ] == [
        ("TQ-1", _label(10), (4, 1, 1, 1), (25, 25)),
        ("TQ-2", "", (2, 0, 2, 0), (0, 100)),
        ("TQ-4", _label(1), (1, 0, 0, 0), (0, 0)),
    ]
    assert [question.code for question in followup["undistributed"]] == ["TQ-3"]


def test_totals_pending_and_remindable(followup):
    totals = followup["totals"]

    assert (totals.assigned, totals.submitted, totals.drafts) == (6, 1, 3)
    assert (totals.rate, totals.draft_rate, totals.not_started) == (17, 50, 2)
    assert [row.country.pk for row in followup["pending"]] == ["BZ", "GT", "MX"]
    assert [row.country.pk for row in followup["remindable"]] == ["GT", "MX"]
    assert followup["zone_label"] == "America/El_Salvador"


def test_chart_geometry(followup):
    assert followup["chart"] == {
        "bars": [
            {
                "label": "Belice",
                "y": 44,
                "text_y": 58,
                "submitted_width": 0.0,
                "drafts_x": 160.0,
                "drafts_width": 0.0,
                "value": "0/1 (0 %)",
            },
            {
                "label": "Guatemala",
                "y": 74,
                "text_y": 88,
                "submitted_width": 0.0,
                "drafts_x": 160.0,
                "drafts_width": 213.3,
                "value": "0/3 (0 %)",
            },
            {
                "label": "México",
                "y": 104,
                "text_y": 118,
                "submitted_width": 160.0,
                "drafts_x": 320.0,
                "drafts_width": 160.0,
                "value": "1/2 (50 %)",
            },
        ],
        "width": 580,
        "height": 142,
        "label_x": 152,
        "bar_x": 160,
        "bar_width": 320,
        "bar_height": 18,
        "value_x": 488,
        "legend_drafts_x": 280,
    }


def test_chart_widths_are_rounded_to_one_decimal():
    workshop = WorkshopFactory()
    delegation = DelegationFactory(workshop=workshop, country=CountryFactory(iso_code="MX"))
    for code, status in (("TQ-1", "submitted"), ("TQ-2", "draft"), ("TQ-3", None)):
        question = TriggerQuestionFactory(workshop=workshop, code=code)
        QuestionAssignmentFactory(question=question, country=delegation.country)
        if status:
            submitted_at = NOW if status == "submitted" else None
            AnswerFactory(
                question=question, delegation=delegation, status=status, submitted_at=submitted_at
            )

    with translation.override("es"):
        [bar] = consultation_followup(workshop=workshop, zone=ZONE, now=NOW)["chart"]["bars"]

    assert (bar["submitted_width"], bar["drafts_x"], bar["drafts_width"], bar["value"]) == (
        106.7,
        266.7,
        106.7,
        "1/3 (33 %)",
    )


def test_five_queries(followup):
    assert followup["queries"] == 5


def test_nothing_distributed_gives_zero_rates_and_an_empty_chart():
    with translation.override("es"):
        result = consultation_followup(workshop=WorkshopFactory(), zone=ZONE, now=NOW)

    totals = result["totals"]
    assert (totals.assigned, totals.rate, totals.draft_rate) == (0, 0, 0)
    assert (result["countries"], result["pending"], result["remindable"]) == ([], [], [])
    assert (result["chart"]["bars"], result["chart"]["height"]) == ([], 52)


def test_extensions_by_code_and_one_made_by_nobody_names_nobody():
    workshop = WorkshopFactory()
    mexico = DelegationFactory(workshop=workshop, country=CountryFactory(iso_code="MX")).country
    later = TriggerQuestionFactory(workshop=workshop, code="TQ-B", deadline=NOW)
    earlier = TriggerQuestionFactory(workshop=workshop, code="TQ-A", deadline=NOW)
    staff = UserFactory(username="sec", first_name="Sara", last_name="Secretaria")
    for question, by, reason, day in ((later, None, "", 20), (earlier, staff, "Viaje", 21)):
        assignment = QuestionAssignmentFactory(question=question, country=mexico)
        deadline_extend(assignment=assignment, until=local(2022, 6, day, 18), by=by, reason=reason)

    with translation.override("es"):
        [row] = consultation_followup(workshop=workshop, zone=ZONE, now=NOW)["countries"]

    assert row.extensions == [
        {"code": "TQ-A", "until": _label(21), "by": "Sara Secretaria", "reason": "Viaje"},
        {"code": "TQ-B", "until": _label(20), "by": "", "reason": ""},
    ]
    assert (row.open_pending, row.deadlines) == (2, [_label(20), _label(21)])


def test_closing_now_is_closed_and_a_question_extended_twice_counts_two():
    workshop = WorkshopFactory()
    mexico, guatemala = (
        DelegationFactory(
            workshop=workshop, country=CountryFactory(iso_code=iso, name_es=name, name_en=name)
        ).country
        for iso, name in (("MX", "México"), ("GT", "Guatemala"))
    )
    extended = TriggerQuestionFactory(workshop=workshop, code="TQ-1", deadline=NOW)
    closing = TriggerQuestionFactory(workshop=workshop, code="TQ-2", deadline=NOW)
    for country in (mexico, guatemala):
        assignment = QuestionAssignmentFactory(question=extended, country=country)
        deadline_extend(assignment=assignment, until=local(2022, 6, 20, 18), by=None)
    QuestionAssignmentFactory(question=closing, country=mexico)

    with translation.override("es"):
        result = consultation_followup(workshop=workshop, zone=ZONE, now=NOW)

    assert [(row.country.pk, row.open_pending) for row in result["countries"]] == [
        ("GT", 1),
        ("MX", 1),
    ]
    assert [(row.question.code, row.extended) for row in result["questions"]] == [
        ("TQ-1", 2),
        ("TQ-2", 0),
    ]


def test_an_extension_without_history_names_no_author_and_no_reason():
    workshop = WorkshopFactory()
    mexico = DelegationFactory(workshop=workshop, country=CountryFactory(iso_code="MX")).country
    question = TriggerQuestionFactory(workshop=workshop, code="TQ-1", deadline=NOW)
    assignment = QuestionAssignmentFactory(question=question, country=mexico)
    QuestionAssignment.objects.filter(pk=assignment.pk).update(
        deadline_extended_to=local(2022, 6, 20, 18)
    )

    with translation.override("es"):
        [row] = consultation_followup(workshop=workshop, zone=ZONE, now=NOW)["countries"]

    assert row.extensions == [{"code": "TQ-1", "until": _label(20), "by": "", "reason": ""}]


def test_questions_come_by_session_then_order_then_code():
    workshop = WorkshopFactory()
    first = SessionFactory(workshop=workshop, number=1)
    second = SessionFactory(workshop=workshop, number=2)
    for code, session, order in (
        ("TQ-A", second, 1),
        ("TQ-C", first, 2),
        ("TQ-E", first, 1),
        ("TQ-D", first, 1),
    ):
        TriggerQuestionFactory(workshop=workshop, code=code, session=session, order=order)

    with translation.override("es"):
        result = consultation_followup(workshop=workshop, zone=ZONE, now=NOW)

    assert [q.code for q in result["undistributed"]] == ["TQ-D", "TQ-E", "TQ-C", "TQ-A"]


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(0, 0, 0), (5, 0, 0), (1, 8, 13), (3, 8, 38), (1, 3, 33), (2, 3, 67), (1, 200, 1)],
)
def test_percent_rounds_halves_up_and_is_zero_of_nothing(part, whole, percent):
    assert _percent(part, whole) == percent
