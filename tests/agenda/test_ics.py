"""The iCalendar feed: parsed back with icalendar, instants and zones checked."""

import datetime as dt

import pytest
import vobject
from django.utils import translation
from icalendar import Calendar

from agenda.ics import build_calendar
from agenda.models import AgendaItem, Segment
from tests.factories import AgendaItemFactory, SessionFactory, WorkshopFactory, local

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _spanish():
    """build_calendar writes in the active language: pin it (requests may leave "en" active)."""
    with translation.override("es"):
        yield


@pytest.fixture
def workshop(db):
    workshop = WorkshopFactory(slug="crm-2022", time_zone="America/El_Salvador")
    first = SessionFactory(
        workshop=workshop,
        number=1,
        label_es="Sesión 1",
        label_en="Session 1",
        title_es="Investigación policial",
        title_en="Police investigation",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 12),
    )
    SessionFactory(
        workshop=workshop,
        number=2,
        label_es="Sesión 2",
        title_es="Cooperación judicial",
        start=local(2022, 6, 15, 10),
        end=local(2022, 6, 15, 12),
    )
    item = AgendaItemFactory(
        session=first,
        order=1,
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 10, 20),
        kind=AgendaItem.Kind.OPENING,
        title_es="Palabras de inauguración",
        title_en="Opening remarks",
    )
    Segment.objects.create(
        agenda_item=item, order=1, title_es="Estudio regional", duration_minutes=30
    )
    return workshop


def events(body: bytes):
    return Calendar.from_ical(body).walk("VEVENT")


def test_ics_response_is_a_calendar_attachment(client, workshop):
    response = client.get("/agenda.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="crm-2022.ics"'
    assert len(events(response.content)) == 2


def test_ics_sessions_are_the_right_utc_instants_in_the_workshop_zone(client, workshop):
    parsed = events(client.get("/agenda.ics").content)

    assert [(e.start.astimezone(UTC), e.end.astimezone(UTC)) for e in parsed] == [
        (dt.datetime(2022, 6, 14, 16, tzinfo=UTC), dt.datetime(2022, 6, 14, 18, tzinfo=UTC)),
        (dt.datetime(2022, 6, 15, 16, tzinfo=UTC), dt.datetime(2022, 6, 15, 18, tzinfo=UTC)),
    ]
    assert [e["DTSTART"].params["TZID"] for e in parsed] == ["America/El_Salvador"] * 2
    assert [e["DTEND"].params["TZID"] for e in parsed] == ["America/El_Salvador"] * 2


def test_ics_has_vtimezone_for_every_tzid_and_no_bare_gmt(client, workshop):
    body = client.get("/agenda.ics").content
    calendar = Calendar.from_ical(body)

    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/El_Salvador"]
    assert calendar.get_missing_tzids() == set()
    assert b"TZID=GMT" not in body
    assert b"DTSTART;TZID=America/El_Salvador:20220614T100000" in body


def test_ics_tz_changes_local_times_not_instants(client, workshop):
    body = client.get("/agenda.ics", {"tz": "America/Mexico_City"}).content
    first = events(body)[0]

    assert first["DTSTART"].params["TZID"] == "America/Mexico_City"
    assert first.start.replace(tzinfo=None) == dt.datetime(2022, 6, 14, 11)
    assert first.start.astimezone(UTC) == dt.datetime(2022, 6, 14, 16, tzinfo=UTC)
    assert b"DTSTART;TZID=America/Mexico_City:20220614T110000" in body
    assert [tz["TZID"] for tz in Calendar.from_ical(body).walk("VTIMEZONE")] == [
        "America/Mexico_City"
    ]


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "../etc"])
def test_ics_bad_tz_falls_back_to_workshop_zone(client, workshop, bad):
    response = client.get("/agenda.ics", {"tz": bad})

    assert response.status_code == 200
    assert events(response.content)[0]["DTSTART"].params["TZID"] == "America/El_Salvador"


def test_ics_uids_are_stable_and_distinct(workshop):
    first = [str(e["UID"]) for e in events(build_calendar(workshop=workshop, zone_name="UTC"))]
    second = [
        str(e["UID"])
        for e in events(build_calendar(workshop=workshop, zone_name="America/Toronto"))
    ]

    assert first == second
    assert first == ["crm-2022-session-1@127.0.0.1", "crm-2022-session-2@127.0.0.1"]


def test_ics_summary_and_description(workshop):
    first = events(build_calendar(workshop=workshop, zone_name="America/El_Salvador"))[0]

    assert str(first["SUMMARY"]) == "Sesión 1: Investigación policial"
    assert str(first["DESCRIPTION"]) == (
        "Horarios en America/El_Salvador (UTC\u221206:00).\n"
        "\n"
        "10:00\u201310:20 Palabras de inauguración\n"
        "  · Estudio regional (30 min)"
    )


def test_ics_utc_uses_z_suffix(workshop):
    body = build_calendar(workshop=workshop, zone_name="UTC")

    assert b"DTSTART:20220614T160000Z" in body
    assert b"BEGIN:VTIMEZONE" not in body


def test_ics_english_path_has_english_summary(client, workshop):
    first = events(client.get("/en/agenda.ics").content)[0]

    assert str(first["SUMMARY"]) == "Session 1: Police investigation"


def test_ics_description_names_the_readers_zone_not_the_workshops(workshop):
    first = events(build_calendar(workshop=workshop, zone_name="America/Mexico_City"))[0]

    description = str(first["DESCRIPTION"])
    assert description.splitlines()[0] == "Horarios en America/Mexico_City (UTC\u221205:00)."
    assert "America/El_Salvador" not in description
    assert "11:00\u201311:20 Palabras de inauguración" in description.splitlines()


def test_ics_vtimezone_gives_the_june_offset_of_the_session_years(workshop):
    """A client that reads the VTIMEZONE rules rather than the TZID name must find UTC-05:00
    for Mexico City on 14 June 2022 (a block valid only from 1 January would not do)."""
    body = build_calendar(workshop=workshop, zone_name="America/Mexico_City")

    calendar = vobject.readOne(body.decode())
    (vtimezone,) = calendar.contents["vtimezone"]
    described = vtimezone.gettzinfo()
    june_14 = dt.datetime(2022, 6, 14, 9, 0)
    january_1 = dt.datetime(2022, 1, 1, 9, 0)
    assert described.utcoffset(june_14) == dt.timedelta(hours=-5)
    assert described.utcoffset(january_1) == dt.timedelta(hours=-6)
    assert calendar.vevent.dtstart.value.astimezone(UTC) == dt.datetime(
        2022, 6, 14, 16, 0, tzinfo=UTC
    )
