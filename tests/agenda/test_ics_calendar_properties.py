"""The .ics calendar's own properties, links and VTIMEZONE range, parsed back with icalendar."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import translation
from icalendar import Calendar

from agenda.ics import build_calendar
from agenda.models import Segment
from tests.factories import AgendaItemFactory, SessionFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")


@pytest.fixture(autouse=True)
def _spanish():
    with translation.override("es"):
        yield


@pytest.fixture
def workshop(settings):
    settings.SITE_URL = "https://crm.example.org/"  # a trailing slash, as people type it
    workshop = WorkshopFactory(
        slug="crm-2022", title_es="Intercambio técnico", time_zone="America/Toronto"
    )
    SessionFactory(
        workshop=workshop,
        number=1,
        start=dt.datetime(2022, 6, 14, 10, tzinfo=TORONTO),
        end=dt.datetime(2022, 6, 14, 12, tzinfo=TORONTO),
    )
    return workshop


def parse(workshop, zone_name="America/Toronto") -> Calendar:
    return Calendar.from_ical(build_calendar(workshop=workshop, zone_name=zone_name))


def transitions(calendar: Calendar) -> list[dt.date]:
    """Every date the VTIMEZONE names: each rule's DTSTART and RDATEs (later years' changes)."""
    (vtimezone,) = calendar.walk("VTIMEZONE")
    found = re.findall(r"^(?:DTSTART|RDATE):(\d{8})", vtimezone.to_ical().decode(), re.M)
    return sorted(dt.datetime.strptime(day, "%Y%m%d").date() for day in found)


def test_calendar_names_product_workshop_and_uid(workshop):
    calendar = parse(workshop)

    assert str(calendar["PRODID"]) == "-//CRM//crm_workshop agenda//ES"
    assert str(calendar["NAME"]) == "Intercambio técnico"
    assert str(calendar["X-WR-CALNAME"]) == "Intercambio técnico"
    assert str(calendar["UID"]) == "crm-2022@crm.example.org"


def test_calendar_without_site_host_uses_the_invalid_domain(workshop, settings):
    settings.SITE_URL = ""

    calendar = parse(workshop)

    assert str(calendar["UID"]) == "crm-2022@crm-workshop.invalid"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        "crm-2022-session-1@crm-workshop.invalid"
    ]


def test_calendar_event_links_to_the_session_page_without_double_slash(workshop):
    (event,) = parse(workshop).walk("VEVENT")

    assert str(event["URL"]) == "https://crm.example.org/agenda/session/1/"


def test_calendar_vtimezone_comes_before_the_events(workshop):
    SessionFactory(
        workshop=workshop,
        number=2,
        start=dt.datetime(2022, 6, 15, 10, tzinfo=TORONTO),
        end=dt.datetime(2022, 6, 15, 12, tzinfo=TORONTO),
    )

    names = [component.name for component in parse(workshop).subcomponents]

    assert names == ["VTIMEZONE", "VEVENT", "VEVENT"]


def test_calendar_without_sessions_has_no_vtimezone(settings):
    settings.SITE_URL = "https://crm.example.org"
    workshop = WorkshopFactory(slug="vacio", time_zone="America/Toronto")

    calendar = parse(workshop)

    assert calendar.subcomponents == []


def test_calendar_vtimezone_years_are_those_of_the_local_dates(workshop):
    # Ends 23:00 on 31 December in Toronto, already 1 January 2023 in UTC: still 2022 only.
    workshop.sessions.update(
        start=dt.datetime(2022, 12, 31, 20, tzinfo=TORONTO),
        end=dt.datetime(2022, 12, 31, 23, tzinfo=TORONTO),
    )

    assert transitions(parse(workshop)) == [
        dt.date(2022, 1, 1),
        dt.date(2022, 3, 13),
        dt.date(2022, 11, 6),
    ]


def test_calendar_vtimezone_starts_in_the_local_year_east_of_utc(workshop):
    # 09:00 on 1 January 2023 in Sydney is still 31 December 2022 in UTC: 2023 only.
    workshop.sessions.update(
        start=dt.datetime(2023, 1, 1, 9, tzinfo=SYDNEY),
        end=dt.datetime(2023, 1, 1, 11, tzinfo=SYDNEY),
    )

    assert transitions(parse(workshop, "Australia/Sydney")) == [
        dt.date(2023, 1, 1),
        dt.date(2023, 4, 2),
        dt.date(2023, 10, 1),
    ]


def test_calendar_segment_without_length_has_no_minutes(workshop):
    session = workshop.sessions.get()
    item = AgendaItemFactory(
        session=session,
        order=1,
        start=session.start,
        end=session.start + dt.timedelta(minutes=20),
        title_es="Apertura",
    )
    Segment.objects.create(agenda_item=item, order=1, title_es="Palabras de bienvenida")

    (event,) = parse(workshop).walk("VEVENT")

    assert str(event["DESCRIPTION"]).splitlines()[2:] == [
        "10:00\u201310:20 Apertura",
        "  · Palabras de bienvenida",
    ]
