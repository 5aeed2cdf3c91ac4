"""Two moderators recording at once, and a closing racing a recording (PostgreSQL).

Agreement numbers are one sequence per workshop in session order, so a recording in session 1
renumbers session 2's agreements. ``agreement_create`` locks the workshop row first: the second
writer waits for the first to commit, then numbers from what is stored. Without the lock both
would read the same top number and one would fail on the unique (workshop, number) constraint,
a 500 for the moderator. A recording that waits behind a closing is refused once the lock is
released: closing freezes the session. SQLite cannot show either, so the test needs PostgreSQL.
"""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from agenda.models import Workshop
from agreements import services
from agreements.models import Agreement
from participants.models import User
from tests.services import require_services

HOLD_SECONDS = 1.0

pytestmark = pytest.mark.services


def _race(first_call, second_call):
    """Run ``first_call`` in a transaction held open for HOLD_SECONDS, and ``second_call``
    meanwhile; returns the second's outcome (value or refusal) and how long it waited."""
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
            except services.AgreementError as refused:
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
def sessions(transactional_db):
    require_services()
    call_command("seed_demo", force=True, verbosity=0)
    workshop = Workshop.objects.get(slug="crm-gtgf-trafico-ilicito-migrantes-2022")
    moderator = User.objects.get(email="moderador@crm-workshop.test")
    staff = User.objects.get(email="secretaria@crm-workshop.test")
    return workshop.sessions.get(number=1), workshop.sessions.get(number=2), moderator, staff


def test_two_recordings_at_once_get_distinct_numbers_in_session_order(sessions):
    session1, session2, moderator, staff = sessions
    services.agreement_create(session=session2, by=staff, text_es="B1")

    outcomes = _race(
        lambda: services.agreement_create(session=session2, by=staff, text_es="B2"),
        lambda: services.agreement_create(session=session1, by=moderator, text_es="A1"),
    )

    created, waited = outcomes["second"]
    assert isinstance(created, Agreement)
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the first one's workshop lock
    assert list(
        Agreement.objects.order_by("number").values_list("number", "session__number", "text_es")
    ) == [(1, 1, "A1"), (2, 2, "B1"), (3, 2, "B2")]


def test_a_recording_waiting_behind_a_closing_is_refused(sessions):
    session1, _session2, moderator, staff = sessions

    outcomes = _race(
        lambda: services.session_close(session=session1, by=moderator),
        lambda: services.agreement_create(session=session1, by=staff, text_es="Tarde"),
    )

    assert outcomes["second"][0] is services.SessionClosedError
    assert not Agreement.objects.exists()


def test_a_recording_waiting_behind_a_move_keeps_the_move(sessions):
    """The recording renumbers session 2's agreements: had it read the order before the move
    committed, it would write the old order back and silently undo the move."""
    session1, session2, moderator, staff = sessions
    services.agreement_create(session=session1, by=moderator, text_es="A1")
    services.agreement_create(session=session2, by=staff, text_es="B1")
    b2 = services.agreement_create(session=session2, by=staff, text_es="B2")

    outcomes = _race(
        lambda: services.agreement_move(agreement=b2, by=staff, direction="up"),
        lambda: services.agreement_create(session=session1, by=moderator, text_es="A2"),
    )

    created, waited = outcomes["second"]
    assert created.number == 2
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the move's workshop lock
    assert list(
        Agreement.objects.order_by("number").values_list("number", "session__number", "text_es")
    ) == [(1, 1, "A1"), (2, 1, "A2"), (3, 2, "B2"), (4, 2, "B1")]
