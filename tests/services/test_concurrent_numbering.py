"""Two moderators recording at once, and a closing racing a recording (PostgreSQL).

Agreement numbers are one sequence per workshop in session order, so a recording in session 1
renumbers session 2's agreements. ``agreement_create`` locks the workshop row first: the second
writer waits for the first to commit, then numbers from what is stored. Without the lock both
would read the same top number and one would fail on the unique (workshop, number) constraint,
a 500 for the moderator. A recording that waits behind a closing is refused once the lock is
released: closing freezes the session. SQLite cannot show either, so the test needs PostgreSQL.
"""

import pytest
from django.core.management import call_command

from agenda.models import Workshop
from agreements import services
from agreements.models import Agreement
from participants.models import User
from tests.services import HOLD_SECONDS, race, require_services

pytestmark = pytest.mark.services


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

    outcomes = race(
        lambda: services.agreement_create(session=session2, by=staff, text_es="B2"),
        lambda: services.agreement_create(session=session1, by=moderator, text_es="A1"),
        refused=(services.AgreementError,),
    )

    created, waited = outcomes["second"]
    assert isinstance(created, Agreement)
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the first one's workshop lock
    assert list(
        Agreement.objects.order_by("number").values_list("number", "session__number", "text_es")
    ) == [(1, 1, "A1"), (2, 2, "B1"), (3, 2, "B2")]


def test_a_recording_waiting_behind_a_closing_is_refused(sessions):
    session1, _session2, moderator, staff = sessions

    outcomes = race(
        lambda: services.session_close(session=session1, by=moderator),
        lambda: services.agreement_create(session=session1, by=staff, text_es="Tarde"),
        refused=(services.AgreementError,),
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

    outcomes = race(
        lambda: services.agreement_move(agreement=b2, by=staff, direction="up"),
        lambda: services.agreement_create(session=session1, by=moderator, text_es="A2"),
        refused=(services.AgreementError,),
    )

    created, waited = outcomes["second"]
    assert created.number == 2
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the move's workshop lock
    assert list(
        Agreement.objects.order_by("number").values_list("number", "session__number", "text_es")
    ) == [(1, 1, "A1"), (2, 1, "A2"), (3, 2, "B2"), (4, 2, "B1")]
