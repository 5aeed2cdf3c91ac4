"""Two moderators writing the same session's agreements at once (PostgreSQL).

The first writer saves and holds its transaction open; the second writes meanwhile. The
services lock the session's record (and, for numbering, the workshop row) first, so the second
waits for the first to commit and then sees what it wrote: a stale version is refused with a
conflict, a second new agreement gets the next number, and a write queued behind a closing is
refused because the session is closed. SQLite serialises every writer, so it cannot show this.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from agenda.models import Session
from agreements import services
from agreements.models import Agreement, SessionRecord
from participants.models import User
from tests.services import HOLD_SECONDS, race, require_services

pytestmark = pytest.mark.services

REFUSALS = (services.AgreementConflictError, services.SessionClosedError)


@pytest.fixture
def seeded(transactional_db):
    require_services()
    call_command("seed_demo", force=True, verbosity=0)
    return {
        "session": Session.objects.get(number=1),
        "moderator": User.objects.get(email="moderador@crm-workshop.test"),
        "staff": User.objects.get(email="secretaria@crm-workshop.test"),
    }


def test_two_saves_of_the_same_version_at_once_one_wins_one_conflicts(seeded):
    session, moderator, staff = seeded["session"], seeded["moderator"], seeded["staff"]
    agreement = services.agreement_create(session=session, by=moderator, text_es="Base")

    outcomes = race(
        lambda: services.agreement_update(
            agreement=agreement, by=moderator, expected_version=1, text_es="De Luis"
        ),
        lambda: services.agreement_update(
            agreement=agreement, by=staff, expected_version=1, text_es="De Ana"
        ),
        refused=REFUSALS,
    )

    kind, waited = outcomes["second"]
    assert kind is services.AgreementConflictError
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the first transaction's lock
    agreement.refresh_from_db()
    assert (agreement.text_es, agreement.version, agreement.updated_by) == (
        "De Luis",
        2,
        moderator,
    )
    assert list(agreement.history.values_list("text_es", flat=True)) == ["De Luis", "Base"]


def test_two_new_agreements_at_once_get_consecutive_numbers(seeded):
    session, moderator, staff = seeded["session"], seeded["moderator"], seeded["staff"]

    outcomes = race(
        lambda: services.agreement_create(session=session, by=moderator, text_es="Uno"),
        lambda: services.agreement_create(session=session, by=staff, text_es="Dos"),
        refused=REFUSALS,
    )

    assert outcomes["second"][1] >= HOLD_SECONDS * 0.8
    assert list(Agreement.objects.order_by("number").values_list("number", "text_es")) == [
        (1, "Uno"),
        (2, "Dos"),
    ]


def test_an_edit_queued_behind_the_closing_is_refused(seeded):
    session, moderator, staff = seeded["session"], seeded["moderator"], seeded["staff"]
    agreement = services.agreement_create(session=session, by=moderator, text_es="Base")

    outcomes = race(
        lambda: services.session_close(session=session, by=moderator),
        lambda: services.agreement_update(
            agreement=agreement, by=staff, expected_version=1, text_es="Tarde"
        ),
        refused=REFUSALS,
    )

    kind, waited = outcomes["second"]
    assert kind is services.SessionClosedError
    assert waited >= HOLD_SECONDS * 0.8
    agreement.refresh_from_db()
    assert (agreement.text_es, agreement.version) == ("Base", 1)


def test_a_followup_waiting_behind_another_sees_it_before_setting_the_status(seeded):
    session, moderator, staff = seeded["session"], seeded["moderator"], seeded["staff"]
    agreement = services.agreement_create(session=session, by=moderator, text_es="Base")

    outcomes = race(
        lambda: services.followup_record(
            agreement=agreement, by=staff, status="in_progress", date=dt.date(2026, 3, 10)
        ),
        lambda: services.followup_record(
            agreement=agreement, by=moderator, status="done", date=dt.date(2026, 3, 1)
        ),
        refused=REFUSALS,
    )

    entry, waited = outcomes["second"]
    assert entry.status == "done"
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the first entry's agreement lock
    # The latest entry by date is the first one (10 March), though it was written first.
    assert Agreement.objects.get(pk=agreement.pk).follow_up_status == "in_progress"


def test_revision_bump_racing_the_records_first_insert_adds_one_to_it(seeded):
    session = Session.objects.get(number=2)
    SessionRecord.objects.filter(session=session).delete()

    outcomes = race(
        lambda: SessionRecord.objects.create(session=session, revision=5),
        lambda: services.revision_bump(session.pk),
        refused=REFUSALS,
    )

    assert outcomes["second"][1] >= HOLD_SECONDS * 0.8  # its INSERT waited on the first's
    assert SessionRecord.objects.get(session=session).revision == 6


def test_a_followup_locks_only_its_agreement_not_the_workshop(seeded):
    session, moderator, staff = seeded["session"], seeded["moderator"], seeded["staff"]
    agreement = services.agreement_create(session=session, by=moderator, text_es="Base")
    session2 = Session.objects.get(number=2)

    outcomes = race(
        lambda: services.followup_record(agreement=agreement, by=staff, status="in_progress"),
        lambda: services.agreement_create(session=session2, by=moderator, text_es="Otro"),
        refused=REFUSALS,
    )

    created, waited = outcomes["second"]
    assert created.number == 2
    # Recording in another session does not queue behind a follow-up (which would hold the
    # workshop row if its lock followed the ordering's join to the workshop).
    assert waited < HOLD_SECONDS * 0.5
