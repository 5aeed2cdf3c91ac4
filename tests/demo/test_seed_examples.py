"""The seeded trigger questions say they are examples in their own text, keep their deadline
on a second load, and the demo moderator moderates session 1 only (issue 7, point 1)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from consultations.models import TriggerQuestion
from crm_workshop.demo.seed import EXAMPLE_PREFIX_EN, EXAMPLE_PREFIX_ES
from participants.models import User

pytestmark = pytest.mark.django_db

CODES = [f"TQ-S{session}-{n}" for session in (1, 2) for n in (1, 2, 3, 4)]


def _seed():
    call_command("seed_demo", force=True, verbosity=0)


def _texts() -> dict[str, tuple[str, str, dt.datetime]]:
    return {
        q.code: (q.text_es, q.text_en, q.deadline) for q in TriggerQuestion.objects.order_by("code")
    }


def test_seeded_example_texts_start_with_the_prefix_in_both_languages():
    _seed()

    questions = TriggerQuestion.objects.order_by("code")
    assert [q.code for q in questions] == sorted(CODES)
    assert EXAMPLE_PREFIX_ES == "[Pregunta de ejemplo]"
    assert EXAMPLE_PREFIX_EN == "[Example question]"
    for question in questions:
        assert question.is_example
        assert question.text_es.startswith("[Pregunta de ejemplo] ¿"), question.text_es
        assert question.text_en.startswith("[Example question] "), question.text_en
        assert question.text_es.count("[Pregunta de ejemplo]") == 1
        assert question.text_en.count("[Example question]") == 1


def test_seeded_deadline_is_18_00_in_san_salvador_three_weeks_ahead():
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False):
        _seed()

    deadlines = {q.deadline for q in TriggerQuestion.objects.all()}
    # 2 March + 21 days = 23 March, 18:00 in San Salvador (UTC-6) = 24:00 UTC.
    assert deadlines == {dt.datetime(2026, 3, 24, 0, 0, tzinfo=dt.UTC)}


def test_second_run_days_later_neither_doubles_the_prefix_nor_moves_the_deadline():
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False):
        _seed()
    first = _texts()

    with time_machine.travel(dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC), tick=False):
        _seed()

    assert _texts() == first


def test_second_run_keeps_a_deadline_staff_changed():
    _seed()
    chosen = dt.datetime(2031, 1, 15, 0, 0, tzinfo=dt.UTC)
    TriggerQuestion.objects.filter(code="TQ-S1-1").update(deadline=chosen)

    _seed()

    assert TriggerQuestion.objects.get(code="TQ-S1-1").deadline == chosen


def test_demo_moderator_moderates_session_1_only():
    _seed()
    _seed()  # a second run adds no session

    moderator = User.objects.get(email="moderador@crm-workshop.test")
    assert list(moderator.moderated_sessions.values_list("number", flat=True)) == [1]
