"""participants.registration called directly: what a self-registration writes and the exact
reason it gives when it refuses (the page tests see the form's own checks first)."""

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from participants.models import Invitation, Participant
from participants.registration import (
    Affiliation,
    InvitationUnavailableError,
    RegistrationError,
    account_for_email,
    invitation_accept,
    invitation_check,
    registration_create,
)
from tests.admin_factories import DelegationFactory, InvitationFactory, ParticipantFactory
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


# --- Whose address is it -------------------------------------------------------------------------


def test_the_account_is_found_by_its_login_address_ignoring_case():
    owner = UserFactory(email="ana.perez@gob.mx")
    EmailAddress.objects.create(user=UserFactory(), email="ANA.PEREZ@gob.mx", verified=True)

    assert account_for_email("Ana.Perez@GOB.mx") == owner


def test_the_account_is_found_by_another_of_its_addresses_in_two_queries(
    django_assert_num_queries,
):
    owner = UserFactory(email="ana@personal.example")
    EmailAddress.objects.create(user=owner, email="ana.perez@gob.mx", verified=True)

    with django_assert_num_queries(2):
        found = account_for_email("ANA.PEREZ@gob.mx")
        assert found.username == owner.username


def test_an_address_nobody_has_belongs_to_no_account():
    UserFactory(email="ana@gob.mx")

    assert account_for_email("luis@gob.mx") is None


# --- Accepting with another verified address ------------------------------------------------------


def _sent_invitation(email):
    return InvitationFactory(email=email, status="sent", sent_at=timezone.now())


def test_an_invitation_is_accepted_with_a_verified_other_address_in_any_case():
    invitation = _sent_invitation("ana.perez@gob.mx")
    user = UserFactory(email="ana@personal.example")
    EmailAddress.objects.create(user=user, email="Ana.Perez@Gob.MX", verified=True)

    participant = invitation_accept(token=invitation.token, user=user)

    assert (participant.user, participant.registration_status) == (user, "approved")


def test_an_unverified_other_address_does_not_prove_the_invitation():
    invitation = _sent_invitation("ana.perez@gob.mx")
    user = UserFactory(email="ana@personal.example")
    EmailAddress.objects.create(user=user, email="ana.perez@gob.mx", verified=False)

    with pytest.raises(InvitationUnavailableError) as caught:
        invitation_accept(token=invitation.token, user=user)

    assert caught.value.reason == "other_account"
    assert Participant.objects.count() == 0


# --- Why an invitation cannot be used ------------------------------------------------------------


def _reason(token):
    with pytest.raises(InvitationUnavailableError) as caught:
        invitation_check(token=token)
    return caught.value.reason, str(caught.value)


@pytest.mark.parametrize("token", [None, "", "no-such-token"])
def test_no_token_or_an_unknown_one_is_unknown(token):
    assert _reason(token) == ("unknown", "unknown")


def test_an_invitation_with_an_acceptance_time_counts_as_accepted_whatever_its_status():
    invitation = _sent_invitation("ana@gob.mx")
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

    assert _reason(invitation.token) == ("accepted", "accepted")


def test_an_invitation_expires_at_the_very_instant_its_age_runs_out(settings):
    invitation = _sent_invitation("ana@gob.mx")
    expires = invitation.sent_at + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    with time_machine.travel(expires - dt.timedelta(seconds=1), tick=False):
        assert invitation_check(token=invitation.token) == invitation
    with time_machine.travel(expires, tick=False):
        assert _reason(invitation.token) == ("expired", "expired")


def test_checking_an_invitation_reads_what_the_page_shows_in_one_query(django_assert_num_queries):
    invitation = InvitationFactory(
        status="sent", sent_at=timezone.now(), organisation=OrganisationFactory()
    )

    with django_assert_num_queries(1):
        found = invitation_check(token=invitation.token)
        shown = (found.workshop.pk, found.delegation.country.pk, found.organisation.pk)

    assert shown == (invitation.workshop_id, "SV", invitation.organisation_id)


def test_accepting_with_an_approved_place_in_another_workshop_adds_one_in_this_one():
    elsewhere = ParticipantFactory(registration_status="approved")
    invitation = _sent_invitation(elsewhere.user.email)

    participant = invitation_accept(token=invitation.token, user=elsewhere.user)

    assert participant.pk != elsewhere.pk
    assert (participant.workshop, participant.registration_status) == (
        invitation.workshop,
        "approved",
    )


def test_an_observer_invitation_gives_the_organisation_never_a_delegation():
    organisation = OrganisationFactory()
    invitation = InvitationFactory(
        role="observer", organisation=organisation, status="sent", sent_at=timezone.now()
    )  # the factory also sets a delegation
    user = UserFactory(email=invitation.email)

    participant = invitation_accept(token=invitation.token, user=user)

    participant.refresh_from_db()
    assert (participant.role, participant.delegation, participant.organisation) == (
        "observer",
        None,
        organisation,
    )


def test_a_delegate_invitation_gives_the_delegation_never_an_organisation():
    invitation = InvitationFactory(
        organisation=OrganisationFactory(), status="sent", sent_at=timezone.now()
    )
    user = UserFactory(email=invitation.email)

    participant = invitation_accept(token=invitation.token, user=user)

    participant.refresh_from_db()
    assert (participant.role, participant.delegation, participant.organisation) == (
        "delegate",
        invitation.delegation,
        None,
    )
