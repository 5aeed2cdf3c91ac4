"""agreements.rules, per role (the views' permission tests use these through real requests)."""

import pytest

from agreements import rules
from agreements.models import Minutes
from participants.models import Participant
from tests.conftest import ROLES

# role → (moderate session 1, moderate session 2, view agreements, staff powers)
EXPECTED = {
    "anonymous": (False, False, False, False),
    "pending": (False, False, False, False),
    "delegate": (False, False, True, False),
    "focal_point_other": (False, False, True, False),
    "observer": (False, False, True, False),
    "moderator": (True, False, True, False),
    "staff": (True, True, True, True),
}


def test_expected_covers_every_role():
    assert set(EXPECTED) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_rules_by_role(demo, people, session1, session2, role):
    user = people[role]
    staff_powers = rules.is_staff(user)

    assert (
        rules.can_moderate(user, session1),
        rules.can_moderate(user, session2),
        rules.can_view_agreements(user, demo),
        staff_powers,
    ) == EXPECTED[role]
    assert rules.can_reopen_session(user) is staff_powers
    assert rules.can_follow_up(user) is staff_powers
    assert rules.can_manage_minutes(user) is staff_powers


def _minutes(demo, **fields):
    defaults = {"version": Minutes.objects.count() + 1, "sha256": "a" * 64}
    defaults.update(fields)
    return Minutes.objects.create(workshop=demo, **defaults)


@pytest.mark.parametrize("role", ROLES)
def test_download_by_role_and_minutes_state(demo, people, role):
    user = people[role]
    issued = _minutes(demo, render_status="ready", status="issued")
    draft = _minutes(demo, render_status="ready")
    failed = _minutes(demo, render_status="failed", sha256="")

    # The demo moderator is also an approved participant of the workshop.
    reads_issued = role in {"delegate", "focal_point_other", "observer", "moderator", "staff"}
    assert rules.can_download_minutes(user, issued) is reads_issued
    assert rules.can_download_minutes(user, draft) is (role == "staff")
    assert rules.can_download_minutes(user, failed) is False


def test_inactive_accounts_lose_every_right(demo, people, session1):
    for role in ("moderator", "staff", "delegate"):
        user = people[role]
        user.is_active = False
        user.save()
        assert not rules.can_moderate(user, session1)
        assert not rules.can_view_agreements(user, demo)
        assert rules.approved_participant(user, demo) is None


def test_rejected_participant_sees_nothing(demo, people):
    user = people["delegate"]
    Participant.objects.filter(user=user).update(
        registration_status=Participant.RegistrationStatus.REJECTED
    )
    assert not rules.can_view_agreements(user, demo)


def test_moderator_of_another_workshop_sees_nothing_here(demo, people):
    from tests.factories import SessionFactory

    user = people["moderator"]
    user.moderated_sessions.clear()
    SessionFactory().moderators.add(user)
    Participant.objects.filter(user=user).delete()
    assert not rules.can_view_agreements(user, demo)
    demo.sessions.get(number=2).moderators.add(user)
    assert rules.can_view_agreements(user, demo)


def test_approved_participant_loads_country(demo, people):
    participant = rules.approved_participant(people["focal_point_other"], demo)
    assert participant.delegation.country.iso_code == "SV"
    assert rules.approved_participant(people["pending"], demo) is None
