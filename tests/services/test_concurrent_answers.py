"""Two delegates saving the same answer at once: one is saved, the other sees a conflict.

The first writer saves and holds its transaction open; the second saves from the same version
meanwhile. ``answer_save`` locks the country's assignment row first, so the second waits for the
first to commit, then reads the new version and is refused with a conflict; without the lock it
would read the old version and overwrite the first text silently (or, for the very first save,
hit the unique constraint and answer 500). SQLite cannot show this, so the test needs PostgreSQL.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from consultations.models import Answer, TriggerQuestion
from consultations.services import AnswerClosedError, AnswerConflictError, answer_save
from participants.models import Participant
from tests.services import HOLD_SECONDS, race, require_services

pytestmark = pytest.mark.services


@pytest.fixture
def sv(transactional_db):
    require_services()
    call_command("seed_demo", force=True, verbosity=0)
    question = TriggerQuestion.objects.get(code="TQ-S1-1")
    focal = Participant.objects.select_related("delegation").get(
        user__email="delegado.sv@crm-workshop.test"
    )
    colleague = Participant.objects.select_related("delegation").get(
        user__email="delegada.sv@crm-workshop.test"
    )
    return question, focal, colleague


def test_two_first_saves_at_once_one_wins_the_other_conflicts(sv):
    question, focal, colleague = sv

    outcomes = race(
        lambda: answer_save(question=question, participant=focal, text="de él", expected_version=0),
        lambda: answer_save(
            question=question, participant=colleague, text="de ella", expected_version=0
        ),
        refused=(AnswerConflictError, AnswerClosedError),
    )

    kind, waited = outcomes["second"]
    assert kind is AnswerConflictError
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the first transaction's lock
    answer = Answer.objects.get(question=question)
    assert (answer.text, answer.version) == ("de él", 1)


def test_two_saves_of_the_same_version_at_once_never_overwrite(sv):
    question, focal, colleague = sv
    answer_save(question=question, participant=focal, text="base", expected_version=0)

    outcomes = race(
        lambda: answer_save(question=question, participant=focal, text="uno", expected_version=1),
        lambda: answer_save(
            question=question, participant=colleague, text="dos", expected_version=1
        ),
        refused=(AnswerConflictError, AnswerClosedError),
    )

    assert outcomes["second"][0] is AnswerConflictError
    answer = Answer.objects.get(question=question)
    assert (answer.text, answer.version) == ("uno", 2)
    assert list(Answer.history.filter(id=answer.pk).values_list("text", flat=True)) == [
        "uno",
        "base",
    ]


def test_a_save_waiting_for_the_lock_past_the_deadline_is_refused(sv):
    question, focal, colleague = sv
    question.deadline = timezone.now() + dt.timedelta(seconds=HOLD_SECONDS / 2)
    question.save()

    outcomes = race(
        lambda: answer_save(
            question=question, participant=focal, text="a tiempo", expected_version=0
        ),
        lambda: answer_save(
            question=question, participant=colleague, text="tarde", expected_version=1
        ),
        refused=(AnswerConflictError, AnswerClosedError),
    )

    # The second writer asked before the deadline but its statement ran after it, once the
    # first writer's lock was released: the database's clock at that moment decides.
    assert outcomes["second"][0] is AnswerClosedError
    assert Answer.objects.get(question=question).text == "a tiempo"
