"""participants.registration called directly: what a self-registration writes and the exact
reason it gives when it refuses (the page tests see the form's own checks first)."""

import pytest

from participants.models import Participant
from participants.registration import Affiliation, RegistrationError, registration_create
from tests.admin_factories import DelegationFactory, ParticipantFactory
from tests.factories import OrganisationFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def _refusal(**kwargs) -> str:
    with pytest.raises(RegistrationError) as caught:
        registration_create(**kwargs)
    return str(caught.value)


def test_a_delegate_registration_is_pending_with_blank_details_by_default():
    delegation = DelegationFactory()
    user = UserFactory()

    participant = registration_create(
        user=user, workshop=delegation.workshop, affiliation=Affiliation(delegation=delegation)
    )

    participant.refresh_from_db()
    assert (participant.role, participant.delegation, participant.organisation) == (
        "delegate",
        delegation,
        None,
    )
    assert (participant.institution, participant.position, participant.profile) == ("", "", "other")
    assert participant.registration_status == "pending"


def test_an_organisation_registration_is_an_observer_with_its_details():
    workshop = WorkshopFactory()
    organisation = OrganisationFactory()

    participant = registration_create(
        user=UserFactory(),
        workshop=workshop,
        affiliation=Affiliation(organisation=organisation),
        institution="OIM",
        position="Oficial",
        profile="protection",
    )

    participant.refresh_from_db()
    assert (participant.role, participant.delegation, participant.organisation) == (
        "observer",
        None,
        organisation,
    )
    assert (participant.institution, participant.position, participant.profile) == (
        "OIM",
        "Oficial",
        "protection",
    )


@pytest.mark.parametrize("both", [True, False])
def test_neither_or_both_affiliations_are_refused(both):
    delegation = DelegationFactory()
    affiliation = (
        Affiliation(delegation=delegation, organisation=OrganisationFactory())
        if both
        else Affiliation()
    )

    message = _refusal(user=UserFactory(), workshop=delegation.workshop, affiliation=affiliation)

    assert message == "Elija un país o una organización, no ambos."
    assert Participant.objects.count() == 0


def test_a_delegation_of_another_workshop_is_refused():
    delegation = DelegationFactory()

    message = _refusal(
        user=UserFactory(),
        workshop=WorkshopFactory(),
        affiliation=Affiliation(delegation=delegation),
    )

    assert message == "Ese país no tiene delegación en este taller."
    assert Participant.objects.count() == 0


def test_a_second_registration_in_the_same_workshop_is_refused():
    delegation = DelegationFactory()
    existing = ParticipantFactory(delegation=delegation)

    message = _refusal(
        user=existing.user,
        workshop=delegation.workshop,
        affiliation=Affiliation(delegation=delegation),
    )

    assert message == "Ya tiene una inscripción en este taller."
    assert Participant.objects.count() == 1


def test_a_registration_in_another_workshop_does_not_stand_in_the_way():
    elsewhere = ParticipantFactory()
    delegation = DelegationFactory()
    ParticipantFactory(delegation=delegation)  # someone else in this workshop

    participant = registration_create(
        user=elsewhere.user,
        workshop=delegation.workshop,
        affiliation=Affiliation(delegation=delegation),
    )

    assert participant.workshop == delegation.workshop
    assert Participant.objects.filter(user=elsewhere.user).count() == 2
