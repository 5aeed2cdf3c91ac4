"""Two beats running the reminder task at the same moment write one reminder per person.

Two threads, each with its own PostgreSQL connection, run ``participants.session_reminders``
at once. Each row's insert is slowed down (a ``post_save`` receiver that sleeps), so both
threads have read "nobody reminded yet" and insert the same rows while the other's transaction
is still open: the loser's insert waits on the unique index, fails, and reads the winner's row.
SQLite serialises writers and has no such race, so this needs PostgreSQL (services pass).
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone

from participants.models import Notification
from participants.tasks import session_reminders_task
from tests.admin_factories import DelegationFactory, ParticipantFactory
from tests.factories import SessionFactory, UserFactory, WorkshopFactory
from tests.services import require_services

PEOPLE = 4
INSERT_DELAY_SECONDS = 0.2

pytestmark = pytest.mark.services


@pytest.fixture
def approved(transactional_db):
    require_services()
    workshop = WorkshopFactory()
    start = timezone.now() + dt.timedelta(hours=2)
    SessionFactory(workshop=workshop, number=1, start=start, end=start + dt.timedelta(hours=2))
    delegation = DelegationFactory(workshop=workshop)
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


def test_two_reminder_beats_at_once_write_and_send_one_per_person(
    approved, smtp_sink, slow_inserts
):
    start = threading.Barrier(2)
    created: dict[str, int] = {}
    errors: list[BaseException] = []

    def beat(name: str) -> None:
        try:
            start.wait(timeout=10)
            created[name] = session_reminders_task()
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
    rows = Notification.objects.filter(kind="session_reminder")
    assert sorted(rows.values_list("participant", flat=True)) == sorted(p.pk for p in approved)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(p.user.email for p in approved)
