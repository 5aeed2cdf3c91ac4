"""Two workers sending the same invitation at once send one e-mail (PostgreSQL row lock).

Two threads, each with its own PostgreSQL connection (Django's connections are per thread),
call ``invitation_send`` for the same row at the same moment, against a real SMTP server.
SQLite cannot show this (it has no ``SELECT ... FOR UPDATE``), so the test needs PostgreSQL.
"""

import threading
import time

import pytest
from django.db import connection

from participants import services
from tests.factories import SessionFactory, WorkshopFactory, local
from tests.participants.factories import InvitationFactory
from tests.services import require_services

HOLD_SECONDS = 1.0

pytestmark = pytest.mark.services


@pytest.fixture
def invitation(transactional_db):
    require_services()
    workshop = WorkshopFactory(title_es="Intercambio técnico", time_zone="America/El_Salvador")
    SessionFactory(
        workshop=workshop, number=1, start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12)
    )
    return InvitationFactory(
        delegation=None, workshop=workshop, role="observer", email="una.vez@example.org"
    )


def test_invitation_send_twice_at_once_sends_one_email(invitation, smtp_sink):
    # The first message to arrive is held (then accepted), so whichever thread sends first
    # still holds the row when the other one asks for it.
    smtp_sink.fail_next(1, None, hold_seconds=HOLD_SECONDS)
    start = threading.Barrier(2)
    outcomes: dict[str, tuple[str, float]] = {}
    errors: list[BaseException] = []

    def send(name: str) -> None:
        try:
            start.wait(timeout=10)
            started = time.monotonic()
            result = services.invitation_send(invitation_id=invitation.pk)
            outcomes[name] = (result.status, time.monotonic() - started)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=send, args=(name,)) for name in ("uno", "dos")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert [m["To"] for m in smtp_sink.messages] == ["una.vez@example.org"]
    assert sorted(status for status, _seconds in outcomes.values()) == ["sent", "sent"]
    # The second caller waited for the first one's lock instead of reading a stale row.
    assert min(seconds for _status, seconds in outcomes.values()) >= HOLD_SECONDS * 0.9
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts, invitation.last_error) == ("sent", 1, "")
