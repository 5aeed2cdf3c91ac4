"""resolve_viewer_zone with data that is not clean: a stored zone that tzdata does not know."""

import pytest
from django.utils import translation

from agenda.timezones import resolve_viewer_zone
from participants.models import Country, Delegation, Participant
from tests.factories import UserFactory, WorkshopFactory


@pytest.fixture(autouse=True)
def _spanish():
    with translation.override("es"):
        yield


def test_resolve_delegation_country_with_unknown_zone_gets_workshop_zone(db):
    # Written without full_clean (a bulk import, or a zone name tzdata has since dropped).
    country = Country.objects.create(
        iso_code="ZZ", name_es="Atlántida", name_en="Atlantis", time_zone="Atlantis/Poseidonia"
    )
    workshop = WorkshopFactory(time_zone="America/El_Salvador")
    user = UserFactory(time_zone="")
    delegation = Delegation.objects.create(workshop=workshop, country=country)
    Participant.objects.create(user=user, workshop=workshop, delegation=delegation)

    zone, notice = resolve_viewer_zone(requested=None, user=user, workshop=workshop)

    assert (zone.key, notice) == ("America/El_Salvador", None)


def test_resolve_user_with_unknown_own_zone_uses_delegation_zone(db):
    country = Country.objects.create(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    workshop = WorkshopFactory(time_zone="America/El_Salvador")
    user = UserFactory(time_zone="Atlantis/Poseidonia")
    delegation = Delegation.objects.create(workshop=workshop, country=country)
    Participant.objects.create(user=user, workshop=workshop, delegation=delegation)

    zone, notice = resolve_viewer_zone(requested=None, user=user, workshop=workshop)

    assert (zone.key, notice) == ("America/Mexico_City", None)


def test_resolve_user_outside_the_workshop_ignores_other_delegates(db):
    country = Country.objects.create(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    workshop = WorkshopFactory(time_zone="America/El_Salvador")
    delegation = Delegation.objects.create(workshop=workshop, country=country)
    Participant.objects.create(user=UserFactory(), workshop=workshop, delegation=delegation)
    visitor = UserFactory(time_zone="")

    zone, notice = resolve_viewer_zone(requested=None, user=visitor, workshop=workshop)

    assert (zone.key, notice) == ("America/El_Salvador", None)
