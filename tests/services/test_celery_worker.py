"""A real Celery worker process delivers an invitation through Redis to a real SMTP server.

Runs in CI's second pass (PostgreSQL + Redis); see tests/services/__init__.py.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.utils import timezone

from crm_workshop.celery import app as celery_app
from participants import services
from participants.models import Invitation
from tests.factories import SessionFactory, WorkshopFactory, local
from tests.participants.factories import InvitationFactory
from tests.services import require_services

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CELERY = Path(sys.executable).with_name("celery")
WAIT_SECONDS = 30

pytestmark = pytest.mark.services


def _test_database_url() -> str:
    """The URL of the database pytest-django created (``test_…``), for the worker."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _wait_for(condition, *, what: str, log: Path, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {timeout}s for {what}; worker log:\n{log.read_text()[-4000:]}")


@pytest.fixture
def celery_publishes():
    """The test process publishes to the broker (the suite may otherwise run tasks inline)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = previous


class Workers:
    """Starts ``celery -A crm_workshop worker`` processes on the test database, mailing to
    the sink; stops whatever is still running at the end of the test."""

    def __init__(self, smtp_sink, tmp_path: Path) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crm_workshop.settings.test",
            "DJANGO_READ_DOT_ENV_FILE": "False",
            "DATABASE_URL": _test_database_url(),
            "CONN_MAX_AGE": "0",
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_URL": f"smtp://{smtp_sink.host}:{smtp_sink.port}",
            "EMAIL_TIMEOUT": "20",
        }
        self.tmp_path = tmp_path
        self.running: list[subprocess.Popen] = []

    def start(self, name: str) -> tuple[subprocess.Popen, Path]:
        log = self.tmp_path / f"{name}.log"
        command = [
            str(CELERY), "-A", "crm_workshop", "worker", "--pool=solo", "--concurrency=1",
            "-l", "info", "--purge", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-n", f"{name}-{uuid.uuid4().hex[:8]}@%h",
        ]  # fmt: skip
        with log.open("w") as output:
            worker = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.running.append(worker)
        # --purge runs before "ready": publishing earlier could be purged with stale messages.
        _wait_for(lambda: " ready." in log.read_text(), what=f"{name} to start", log=log)
        return worker, log

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait(timeout=5)


def forget_broker_state(app) -> None:
    """Empty the queue and kombu's record of unacknowledged messages on the Redis broker.

    A worker killed mid-task (as these tests do) leaves its message in kombu's ``unacked``
    hash; a worker started more than ``visibility_timeout`` (an hour) later restores it to
    the queue, after ``--purge`` has run. A CI run an hour after another one then saw the
    earlier run's invitation ("invitation 274 is gone") and reminders arrive before its own
    commit. Purging alone does not remove them."""
    import redis

    app.control.purge()
    client = redis.Redis.from_url(app.conf.broker_url, socket_timeout=2)
    try:
        client.delete("unacked", "unacked_index", "unacked_mutex")
    finally:
        client.close()


@pytest.fixture
def celery_workers(transactional_db, smtp_sink, celery_publishes, tmp_path):
    require_services()
    # Tasks left on the broker by earlier tests or runs (rows long rolled back) must not
    # reach this worker: it would log them as received and skew what the test counts.
    forget_broker_state(celery_publishes)
    workers = Workers(smtp_sink, tmp_path)
    try:
        yield workers
    finally:
        workers.stop_all()
        forget_broker_state(celery_publishes)


@pytest.fixture
def invitation(transactional_db):
    workshop = WorkshopFactory(title_es="Intercambio técnico", time_zone="America/El_Salvador")
    SessionFactory(
        workshop=workshop, number=1, start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12)
    )
    return InvitationFactory(
        delegation=None, workshop=workshop, role="observer", email="servicio@example.org"
    )


def test_celery_worker_delivers_queued_invitation_once(celery_workers, smtp_sink, invitation):
    worker, log = celery_workers.start("worker")

    with transaction.atomic():
        services.invitation_queue(invitation=invitation)
        assert "] received" not in log.read_text()  # nothing is published before the commit

    _wait_for(lambda: smtp_sink.messages, what="the message at the SMTP sink", log=log)
    _wait_for(
        lambda: Invitation.objects.filter(pk=invitation.pk, status="sent").exists(),
        what="the row to be marked sent",
        log=log,
    )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts, invitation.last_error) == ("sent", 1, "")
    assert [m["To"] for m in smtp_sink.messages] == ["servicio@example.org"]
    assert invitation.token in smtp_sink.messages[0].get_body(("plain",)).get_content()

    # A second delivery of the same task (e.g. redelivered after a lost ack) sends nothing.
    celery_app.send_task("participants.invitation_send", kwargs={"invitation_id": invitation.pk})
    _wait_for(lambda: log.read_text().count("succeeded") >= 2, what="the second delivery", log=log)
    assert len(smtp_sink.messages) == 1
    assert worker.poll() is None


def test_celery_worker_killed_in_flight_loses_nothing(celery_workers, smtp_sink, invitation):
    first, first_log = celery_workers.start("doomed")
    # The sink keeps the sender waiting, then refuses: the worker dies before any "250 OK".
    smtp_sink.fail_next(1, "451 4.3.0 Try again later", hold_seconds=5)
    with transaction.atomic():
        services.invitation_queue(invitation=invitation)
    _wait_for(smtp_sink.data_received.is_set, what="the send to start", log=first_log)

    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    # The dead worker's transaction is rolled back: the row is still the outbox entry.
    _wait_for(
        lambda: Invitation.objects.filter(pk=invitation.pk, status="queued", attempts=0).exists(),
        what="the row to be queued and unlocked again",
        log=first_log,
    )
    assert smtp_sink.messages == []
    # The beat-driven sweep picks it up once it is old enough; a new worker delivers it.
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    _second, second_log = celery_workers.start("survivor")
    celery_app.send_task("participants.invitation_outbox_sweep")
    _wait_for(
        lambda: Invitation.objects.filter(pk=invitation.pk, status="sent").exists(),
        what="the swept invitation to be sent",
        log=second_log,
    )
    assert [m["To"] for m in smtp_sink.messages] == ["servicio@example.org"]
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("sent", 1)
