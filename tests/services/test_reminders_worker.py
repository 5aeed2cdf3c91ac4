"""Session reminders through a real Celery worker, Redis and an SMTP server: one e-mail per
person and session when the beat's task is delivered twice, and when the worker is killed
(SIGKILL) in the middle of the batch.

Runs in CI's second pass (PostgreSQL + Redis); see tests/services/__init__.py.
"""

import datetime as dt
import os
import re
import signal

import pytest
from django.utils import timezone

from crm_workshop.celery import app as celery_app
from participants.models import Notification
from tests.admin_factories import DelegationFactory, ParticipantFactory
from tests.factories import SessionFactory, UserFactory, WorkshopFactory
from tests.services import test_celery_worker as worker_test
from tests.services.test_celery_worker import _wait_for

# The real-worker fixtures of the invitation test (a worker on the test database, mailing to
# the sink; publishing on).
celery_publishes = worker_test.celery_publishes
celery_workers = worker_test.celery_workers

pytestmark = pytest.mark.services


@pytest.fixture
def people(transactional_db):
    """Three approved participants and one pending, for a session in two hours."""
    workshop = WorkshopFactory()
    start = timezone.now() + dt.timedelta(hours=2)
    SessionFactory(workshop=workshop, number=1, start=start, end=start + dt.timedelta(hours=2))
    delegation = DelegationFactory(workshop=workshop)
    approved = [
        ParticipantFactory(
            delegation=delegation,
            registration_status="approved",
            user=UserFactory(username=f"recordada{index}"),
        )
        for index in range(3)
    ]
    ParticipantFactory(
        delegation=delegation, registration_status="pending", user=UserFactory(username="espera")
    )
    return sorted(p.user.email for p in approved)


def _count(log, task: str, event: str) -> int:
    """How many times the worker logged ``Task <task>[<id>] <event>``."""
    return len(re.findall(rf"{re.escape(task)}\[[0-9a-f-]+\] {event}", log.read_text()))


def _all_sent(count: int):
    return lambda: Notification.objects.filter(status="sent").count() == count


def test_worker_reminder_task_delivered_twice_sends_one_per_person(
    celery_workers, smtp_sink, people
):
    worker, log = celery_workers.start("worker")

    celery_app.send_task("participants.session_reminders")
    celery_app.send_task("participants.session_reminders")  # a second beat / redelivery

    _wait_for(_all_sent(3), what="three reminders sent", log=log)
    _wait_for(
        lambda: _count(log, "participants.session_reminders", "succeeded") == 2,
        what="both deliveries to finish",
        log=log,
    )
    # And one send task delivered again after it succeeded (a lost ack).
    row = Notification.objects.order_by("pk").first()
    celery_app.send_task("participants.notification_send", kwargs={"notification_id": row.pk})
    _wait_for(
        lambda: _count(log, "participants.notification_send", "succeeded") == 4,
        what="the redelivered send",
        log=log,
    )

    assert sorted(m["To"] for m in smtp_sink.messages) == people
    assert Notification.objects.count() == 3
    assert worker.poll() is None


def test_worker_killed_mid_batch_every_person_reminded_once(celery_workers, smtp_sink, people):
    doomed, doomed_log = celery_workers.start("doomed")
    # The first reminder's server keeps the sender waiting, then refuses: the worker dies
    # before any "250 OK".
    smtp_sink.fail_next(1, "451 4.3.0 Try again later", hold_seconds=5)
    celery_app.send_task("participants.session_reminders")
    _wait_for(smtp_sink.data_received.is_set, what="the first send to start", log=doomed_log)

    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)

    # The rows the beat committed are the outbox; the send in flight was rolled back.
    _wait_for(
        lambda: Notification.objects.filter(status="queued", attempts=0).count() == 3,
        what="three queued rows, unlocked",
        log=doomed_log,
    )
    assert smtp_sink.messages == []
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))

    _survivor, log = celery_workers.start("survivor")
    celery_app.send_task("participants.session_reminders")  # the next beat: nothing new
    celery_app.send_task("participants.notification_outbox_sweep")
    _wait_for(_all_sent(3), what="the swept reminders to be sent", log=log)
    celery_app.send_task("participants.notification_outbox_sweep")  # nothing left to send
    _wait_for(lambda: log.read_text().count("succeeded") >= 3, what="the tasks to finish", log=log)

    assert sorted(m["To"] for m in smtp_sink.messages) == people
    assert Notification.objects.count() == 3
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
