"""Two delegates saving the same answer at once: one is saved, the other sees a conflict.

The first writer saves and holds its transaction open; the second saves from the same version
meanwhile. ``answer_save`` locks the country's assignment row first, so the second waits for the
first to commit, then reads the new version and is refused with a conflict; without the lock it
would read the old version and overwrite the first text silently (or, for the very first save,
hit the unique constraint and answer 500). SQLite cannot show this, so the test needs PostgreSQL.
"""

import datetime as dt
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from consultations.models import Answer, TriggerQuestion
from consultations.services import AnswerClosedError, AnswerConflictError, answer_save
from participants.models import Participant
from tests.services import require_services

HOLD_SECONDS = 1.0

pytestmark = pytest.mark.services


def _race(first_call, second_call):
    first_holds = threading.Event()
    outcomes: dict[str, object] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = first_call()
                first_holds.set()
                time.sleep(HOLD_SECONDS)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            first_holds.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds.wait(timeout=10)
            started = time.monotonic()
            try:
                outcomes["second"] = (second_call(), time.monotonic() - started)
            except (AnswerConflictError, AnswerClosedError) as refused:
                outcomes["second"] = (type(refused), time.monotonic() - started)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return outcomes


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

    outcomes = _race(
        lambda: answer_save(question=question, participant=focal, text="de él", expected_version=0),
        lambda: answer_save(
            question=question, participant=colleague, text="de ella", expected_version=0
        ),
    )

    kind, waited = outcomes["second"]
    assert kind is AnswerConflictError
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the first transaction's lock
    answer = Answer.objects.get(question=question)
    assert (answer.text, answer.version) == ("de él", 1)


def test_two_saves_of_the_same_version_at_once_never_overwrite(sv):
    question, focal, colleague = sv
    answer_save(question=question, participant=focal, text="base", expected_version=0)

    outcomes = _race(
        lambda: answer_save(question=question, participant=focal, text="uno", expected_version=1),
        lambda: answer_save(
            question=question, participant=colleague, text="dos", expected_version=1
        ),
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

    outcomes = _race(
        lambda: answer_save(
            question=question, participant=focal, text="a tiempo", expected_version=0
        ),
        lambda: answer_save(
            question=question, participant=colleague, text="tarde", expected_version=1
        ),
    )

    # The second writer asked before the deadline but its statement ran after it, once the
    # first writer's lock was released: the database's clock at that moment decides.
    assert outcomes["second"][0] is AnswerClosedError
    assert Answer.objects.get(question=question).text == "a tiempo"
