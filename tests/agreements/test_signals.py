"""agreements.signals: every change to a session's agreements raises that session's revision
once; a deletion never creates a record; the header flag is set at sign-in."""

import pytest

from agreements import rules, selectors, signals
from agreements.models import Agreement, SessionRecord
from participants.models import Country, Participant
from tests.factories import SessionFactory, WorkshopFactory


def revision(session) -> int:
    return SessionRecord.objects.get(session=session).revision


@pytest.fixture
def one_each(session1, session2, record_agreement):
    return record_agreement(session1, "A1"), record_agreement(session2, "B1")


@pytest.mark.parametrize("change", ["add", "remove", "clear"])
def test_each_change_of_responsible_countries_raises_the_revision_once(one_each, change):
    agreement, _other = one_each
    mexico = Country.objects.get(pk="MX")
    if change != "add":
        agreement.responsible_countries.add(mexico)
    before = revision(agreement.session)

    if change == "add":
        agreement.responsible_countries.add(mexico)
    elif change == "remove":
        agreement.responsible_countries.remove(mexico)
    else:
        agreement.responsible_countries.clear()

    assert revision(agreement.session) == before + 1


def test_changes_made_from_the_country_side_raise_each_touched_session(one_each):
    """``country.agreements.add(…)`` itself fails inside simple-history (its m2m history
    handler expects the agreement as the instance), so nothing in the project changes the
    parties from that side; our receiver still handles it, called as Django would."""
    first, second = one_each
    mexico = Country.objects.get(pk="MX")
    through = Agreement.responsible_countries.through
    before = (revision(first.session), revision(second.session))

    for action in ("pre_add", "post_add"):
        signals.agreement_parties_changed(
            sender=through,
            instance=mexico,
            action=action,
            reverse=True,
            model=Agreement,
            pk_set={first.pk, second.pk},
        )

    assert (revision(first.session), revision(second.session)) == (before[0] + 1, before[1] + 1)


def test_organisations_count_too(one_each, demo):
    agreement, _other = one_each
    organisation = demo.partners.first().organisation
    before = revision(agreement.session)

    agreement.responsible_organisations.add(organisation)

    assert revision(agreement.session) == before + 1


def test_deleting_an_agreement_never_creates_a_record(one_each):
    agreement, _other = one_each
    SessionRecord.objects.filter(session=agreement.session).delete()

    Agreement.objects.filter(pk=agreement.pk).delete()

    assert not SessionRecord.objects.filter(session=agreement.session).exists()


def test_sign_in_receiver_without_a_request_does_nothing(people):
    assert signals.remember_on_sign_in(sender=None, request=None, user=people["observer"]) is None


def test_approved_elsewhere_is_not_approved_here(demo, people):
    user = people["pending"]
    other = WorkshopFactory()
    Participant.objects.create(
        user=user,
        workshop=other,
        role=Participant.Role.OBSERVER,
        registration_status=Participant.RegistrationStatus.APPROVED,
    )

    assert rules.approved_participant(user, demo) is None
    assert rules.approved_participant(user, other).workshop_id == other.pk
    assert not rules.can_view_agreements(user, demo)


def test_approved_participant_loads_the_country_in_one_query(
    demo, people, django_assert_num_queries
):
    with django_assert_num_queries(1):
        participant = rules.approved_participant(people["delegate"], demo)
        assert participant.delegation.country.iso_code == "MX"


def test_session_with_record_looks_only_in_the_given_workshop(demo):
    SessionFactory(number=3)  # another workshop's session 3; the demo has sessions 1 and 2

    assert selectors.session_with_record(workshop=demo, number=3) is None
    assert selectors.session_with_record(workshop=demo, number=1).workshop_id == demo.pk


def test_the_country_side_bumps_the_agreements_sessions_not_sessions_named_like_them(
    session1, session2, record_agreement
):
    for n in range(3):  # agreement ids run past the session ids
        record_agreement(session2, f"relleno {n}")
    agreement = record_agreement(session1, "A1")
    assert agreement.pk not in (session1.pk, session2.pk)
    before = revision(session1)

    signals.agreement_parties_changed(
        sender=Agreement.responsible_countries.through,
        instance=Country.objects.get(pk="MX"),
        action="post_add",
        reverse=True,
        model=Agreement,
        pk_set={agreement.pk},
    )

    assert revision(session1) == before + 1
