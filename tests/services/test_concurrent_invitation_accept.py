"""Two requests accepting the same invitation at once: exactly one wins (PostgreSQL row lock).

The first thread accepts and holds its transaction open; the second asks while it does. With
``SELECT ... FOR UPDATE`` the second waits for the first to commit, then reads ``accepted`` and
is refused; without it, it would read the stale ``sent`` row and accept a second time. SQLite
cannot show this, so the test needs PostgreSQL.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from participants.models import Invitation, Participant, User
from participants.registration import InvitationUnavailableError, invitation_accept
from tests.factories import WorkshopFactory
from tests.participants.factories import InvitationFactory
from tests.services import require_services

HOLD_SECONDS = 1.0

pytestmark = pytest.mark.services


def test_invitation_accept_twice_at_once_one_wins(transactional_db):
    require_services()
    workshop = WorkshopFactory(title_es="Intercambio técnico", time_zone="America/El_Salvador")
    invitation = InvitationFactory(
        delegation=None,
        workshop=workshop,
        role="observer",
        email="una.vez@example.org",
        status=Invitation.Status.SENT,
        sent_at=timezone.now(),
    )
    first = User.objects.create_user(username="primera", email="una.vez@example.org")
    second = User.objects.create_user(username="segunda", email="UNA.VEZ@example.org")
    first_holds_the_row = threading.Event()
    outcomes: dict[str, object] = {}
    errors: list[BaseException] = []

    def accept_and_hold() -> None:
        try:
            with transaction.atomic():
                invitation_accept(token=invitation.token, user=first)
                first_holds_the_row.set()
                time.sleep(HOLD_SECONDS)
            outcomes["first"] = "accepted"
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            first_holds_the_row.set()
        finally:
            connection.close()

    def accept_meanwhile() -> None:
        try:
            first_holds_the_row.wait(timeout=10)
            started = time.monotonic()
            try:
                invitation_accept(token=invitation.token, user=second)
                outcomes["second"] = ("accepted", time.monotonic() - started)
            except InvitationUnavailableError as refused:
                outcomes["second"] = (refused.reason, time.monotonic() - started)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept_and_hold), threading.Thread(target=accept_meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert outcomes["first"] == "accepted"
    reason, waited = outcomes["second"]
    assert reason == "accepted"
    assert waited >= HOLD_SECONDS * 0.9  # it waited for the lock instead of reading a stale row
    assert list(Participant.objects.values_list("user__username", flat=True)) == ["primera"]
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", first)
