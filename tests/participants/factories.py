"""Factories for delegations and invitations (the shared ones live in tests/factories.py)."""

import factory

from participants import models as participants
from tests.factories import CountryFactory, WorkshopFactory


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Delegation

    workshop = factory.SubFactory(WorkshopFactory)
    country = factory.SubFactory(CountryFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Invitation

    delegation = factory.SubFactory(DelegationFactory)
    workshop = factory.LazyAttribute(lambda o: o.delegation.workshop)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Persona Invitada {n}")
    role = participants.Participant.Role.DELEGATE
    language = "es"
