"""Two beats running ``consultations.answer_reminders`` at the same moment write one
``answers_due`` reminder per delegate (and one e-mail each).

Two threads, each with its own PostgreSQL connection; each insert is slowed down so that both
threads have read "nobody reminded yet" before either commits: the loser's insert waits on the
unique index, fails, and reads the winner's row. SQLite serialises writers and has no such
race, so this needs PostgreSQL (services pass).
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone

from consultations.tasks import answer_reminders_task
from participants.models import Notification
from tests.admin_factories import (
    DelegationFactory,
    ParticipantFactory,
    QuestionAssignmentFactory,
    TriggerQuestionFactory,
)
from tests.factories import UserFactory, WorkshopFactory
from tests.services import require_services
from tests.smtp_sink import smtp_sink as _smtp_sink  # noqa: F401 - a fixture, see smtp_sink

PEOPLE = 4
INSERT_DELAY_SECONDS = 0.2

pytestmark = pytest.mark.services


@pytest.fixture
def smtp_sink(request):
    """The real SMTP sink of tests/smtp_sink.py (imported under another name: ruff)."""
    return request.getfixturevalue("_smtp_sink")


@pytest.fixture
def approved(transactional_db):
    require_services()
    workshop = WorkshopFactory()
    delegation = DelegationFactory(workshop=workshop)
    deadline = timezone.now().replace(microsecond=0) + dt.timedelta(hours=20)
    for code in ("TQ-1", "TQ-2"):  # one set: the same deadline
        question = TriggerQuestionFactory(workshop=workshop, code=code, deadline=deadline)
        QuestionAssignmentFactory(question=question, country=delegation.country)
    return [
        ParticipantFactory(
            delegation=delegation,
            registration_status="approved",
            user=UserFactory(username=f"persona{index}"),
        )
        for index in range(PEOPLE)
    ]


@pytest.fixture
def slow_inserts():
    def hold(sender, instance, created, **kwargs):
        if created:
            time.sleep(INSERT_DELAY_SECONDS)

    post_save.connect(hold, sender=Notification, weak=False)
    yield
    post_save.disconnect(hold, sender=Notification)


def test_two_beats_at_once_write_and_send_one_per_delegate(approved, smtp_sink, slow_inserts):
    start = threading.Barrier(2)
    created: dict[str, int] = {}
    errors: list[BaseException] = []

    def beat(name: str) -> None:
        try:
            start.wait(timeout=10)
            created[name] = answer_reminders_task()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=beat, args=(name,)) for name in ("uno", "dos")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(created.values()) == [0, PEOPLE]
    rows = Notification.objects.filter(kind="answers_due")
    assert sorted(rows.values_list("participant", flat=True)) == sorted(p.pk for p in approved)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(p.user.email for p in approved)
