"""resolve_viewer_zone: which zone a reader sees, and how it is named."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from agenda.timezones import resolve_viewer_zone, utc_offset_label, zone_label
from participants.models import Delegation, Participant
from tests.factories import CountryFactory, UserFactory, WorkshopFactory

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _spanish():
    """Notices are translated: pin the language (an earlier request may have left "en" active)."""
    with translation.override("es"):
        yield


@pytest.fixture
def workshop(db):
    return WorkshopFactory(time_zone="America/El_Salvador")


@pytest.fixture
def mexican_delegate(workshop):
    user = UserFactory(time_zone="")
    country = CountryFactory(iso_code="MX", name_es="México", time_zone="America/Mexico_City")
    delegation = Delegation.objects.create(workshop=workshop, country=country)
    Participant.objects.create(user=user, workshop=workshop, delegation=delegation)
    return user


def test_resolve_requested_valid_zone_wins(workshop, mexican_delegate):
    zone, notice = resolve_viewer_zone(
        requested="America/Toronto", user=mexican_delegate, workshop=workshop
    )

    assert (zone.key, notice) == ("America/Toronto", None)


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "../etc", "/etc/passwd", "america/toronto"])
def test_resolve_invalid_request_falls_back_to_workshop_with_notice(workshop, bad):
    zone, notice = resolve_viewer_zone(requested=bad, user=AnonymousUser(), workshop=workshop)

    assert zone.key == "America/El_Salvador"
    assert notice == (
        f"«{bad}» no es una zona horaria válida. Se muestran los horarios en la zona de "
        "referencia del taller, America/El_Salvador."
    )


def test_resolve_invalid_request_echoes_at_most_64_characters(workshop):
    _zone, notice = resolve_viewer_zone(requested="x" * 1000, user=None, workshop=workshop)

    assert f"«{'x' * 64}»" in notice
    assert "x" * 65 not in notice


def test_resolve_anonymous_gets_workshop_zone(workshop):
    assert resolve_viewer_zone(requested=None, user=AnonymousUser(), workshop=workshop) == (
        zoneinfo.ZoneInfo("America/El_Salvador"),
        None,
    )


def test_resolve_user_zone_before_delegation_zone(workshop, mexican_delegate):
    mexican_delegate.time_zone = "America/Toronto"
    mexican_delegate.save()

    zone, _notice = resolve_viewer_zone(requested=None, user=mexican_delegate, workshop=workshop)

    assert zone.key == "America/Toronto"


def test_resolve_delegation_country_zone_when_user_has_none(workshop, mexican_delegate):
    zone, _notice = resolve_viewer_zone(requested=None, user=mexican_delegate, workshop=workshop)

    assert zone.key == "America/Mexico_City"


def test_resolve_delegation_of_another_workshop_is_ignored(workshop, mexican_delegate):
    other = WorkshopFactory(time_zone="America/Panama")

    zone, _notice = resolve_viewer_zone(requested=None, user=mexican_delegate, workshop=other)

    assert zone.key == "America/Panama"


def test_resolve_signed_in_user_without_zone_or_delegation_gets_workshop_zone(workshop):
    zone, _notice = resolve_viewer_zone(
        requested=None, user=UserFactory(time_zone=""), workshop=workshop
    )

    assert zone.key == "America/El_Salvador"


@pytest.mark.parametrize(
    ("zone", "when", "expected"),
    [
        # Mexico dropped daylight saving time in October 2022: June 2022 was UTC-5, June 2023 UTC-6.
        ("America/Mexico_City", dt.datetime(2022, 6, 14, 16, tzinfo=UTC), "UTC\u221205:00"),
        ("America/Mexico_City", dt.datetime(2023, 6, 14, 16, tzinfo=UTC), "UTC\u221206:00"),
        ("America/El_Salvador", dt.datetime(2022, 6, 14, 16, tzinfo=UTC), "UTC\u221206:00"),
        ("America/Toronto", dt.datetime(2022, 6, 14, 16, tzinfo=UTC), "UTC\u221204:00"),
        ("Asia/Kolkata", dt.datetime(2022, 6, 14, 16, tzinfo=UTC), "UTC+05:30"),
        ("UTC", dt.datetime(2022, 6, 14, 16, tzinfo=UTC), "UTC+00:00"),
    ],
)
def test_utc_offset_label_uses_rules_of_the_date(zone, when, expected):
    assert utc_offset_label(zoneinfo.ZoneInfo(zone), when) == expected


def test_zone_label_names_zone_and_offset():
    label = zone_label(
        zoneinfo.ZoneInfo("America/Mexico_City"), dt.datetime(2022, 6, 14, 16, tzinfo=UTC)
    )

    assert label == "America/Mexico_City (UTC\u221205:00)"
