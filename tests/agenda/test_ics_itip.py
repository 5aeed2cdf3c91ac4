"""The sessions' .ics as an iTIP PUBLISH that calendar clients import as events.

Read back with two parsers that did not write it: vobject (Python) and ical.js (the parser
of Thunderbird, run under node from tests/js). Neither is the icalendar library that wrote
the bytes.
"""

import datetime as dt
import json
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
import vobject
from django.urls import reverse
from django.utils import translation

from agenda.ics import METHOD, build_calendar, session_sequence
from agenda.models import Workshop
from participants import services
from participants.models import Invitation
from tests.factories import CountryFactory, SessionFactory, WorkshopFactory, local
from tests.participants.factories import DelegationFactory, InvitationFactory
from tests.smtp_sink import smtp_sink  # noqa: F401 - registers the fixture

pytestmark = pytest.mark.django_db

JS_DIR = Path(__file__).resolve().parent.parent / "js"
MEXICO_CITY = zoneinfo.ZoneInfo("America/Mexico_City")
CONFERENCE = "https://zoom.example.org/j/123456789?pwd=secret"
WEBINAR = "https://webinar.example.org/crm-2022"


@pytest.fixture(scope="session")
def ical_js():
    """``ical_js(bytes) -> dict``: the calendar as ical.js reads it (tests/js/parse_ics.mjs).

    Installs the pinned ical.js (``npm ci``, package-lock.json) the first time it is needed.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm not installed: the ical.js cross-check needs Node.js 18 or later")
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").exists():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=JS_DIR,
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if installed.returncode != 0:
            pytest.fail(f"npm ci in {JS_DIR} failed:\n{installed.stderr[-2000:]}")

    def parse(calendar: bytes) -> dict:
        result = subprocess.run(
            [node, str(JS_DIR / "parse_ics.mjs")],
            input=calendar,
            capture_output=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode()
        return json.loads(result.stdout)

    return parse


@pytest.fixture(autouse=True)
def _spanish():
    with translation.override("es"):
        yield


@pytest.fixture
def workshop(settings):
    """Two sessions, 10:00-12:00 San Salvador time (UTC-6) on 14 and 15 June 2022."""
    settings.SITE_URL = "https://crm.example.org"
    settings.DEFAULT_FROM_EMAIL = "Secretaría Ejecutiva CRM <secretaria@crm.example.org>"
    workshop = WorkshopFactory(
        slug="crm-2022",
        time_zone="America/El_Salvador",
        agenda_status=Workshop.AgendaStatus.PRELIMINARY,
        webinar_url=WEBINAR,
    )
    SessionFactory(
        workshop=workshop,
        number=1,
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 12),
        conference_url=CONFERENCE,
    )
    SessionFactory(
        workshop=workshop, number=2, start=local(2022, 6, 15, 10), end=local(2022, 6, 15, 12)
    )
    return workshop


def test_ics_vobject_reads_publish_with_organizer_sequence_status_and_stamp(workshop):
    raw = build_calendar(workshop=workshop, zone_name="America/Mexico_City")

    calendar = vobject.readOne(raw.decode())

    assert calendar.method.value == "PUBLISH" == METHOD
    events = calendar.vevent_list
    assert [event.uid.value for event in events] == [
        "crm-2022-session-1@crm.example.org",
        "crm-2022-session-2@crm.example.org",
    ]
    first = events[0]
    assert first.organizer.value == "mailto:secretaria@crm.example.org"
    assert first.organizer.params["CN"] == ["Secretaría Ejecutiva CRM"]
    assert first.status.value == "TENTATIVE"
    assert int(first.sequence.value) == session_sequence(workshop.sessions.get(number=1))
    assert first.dtstamp.value.tzinfo is not None
    # 10:00 in San Salvador is 11:00 in Mexico City (UTC-5 in June 2022), written in that zone.
    assert b"DTSTART;TZID=America/Mexico_City:20220614T110000\r\n" in raw
    assert calendar.vtimezone.tzid.value == "America/Mexico_City"
    assert first.dtstart.value == dt.datetime(2022, 6, 14, 11, tzinfo=first.dtstart.value.tzinfo)
    assert first.dtstart.value.utcoffset() == dt.timedelta(hours=-5)
    assert first.dtend.value.astimezone(dt.UTC) == dt.datetime(2022, 6, 14, 18, tzinfo=dt.UTC)


def test_ics_ical_js_reads_method_events_organizer_and_zone(workshop, ical_js):
    parsed = ical_js(build_calendar(workshop=workshop, zone_name="America/Mexico_City"))

    assert parsed["method"] == "PUBLISH"
    assert parsed["version"] == "2.0"
    assert parsed["timezones"] == ["America/Mexico_City"]
    assert len(parsed["events"]) == 2
    first = parsed["events"][0]
    assert first["uid"] == "crm-2022-session-1@crm.example.org"
    assert first["start_tzid"] == "America/Mexico_City"
    assert first["start_local"] == "2022-06-14T11:00:00"
    assert first["start_utc"] == dt.datetime(2022, 6, 14, 16, tzinfo=dt.UTC).timestamp()
    assert first["end_utc"] == dt.datetime(2022, 6, 14, 18, tzinfo=dt.UTC).timestamp()
    assert first["organizer"] == "mailto:secretaria@crm.example.org"
    assert first["organizer_cn"] == "Secretaría Ejecutiva CRM"
    assert first["status"] == "TENTATIVE"
    assert first["sequence"] == session_sequence(workshop.sessions.get(number=1))
    assert first["dtstamp"] is not None


def test_ics_final_agenda_is_confirmed(workshop, ical_js):
    Workshop.objects.filter(pk=workshop.pk).update(agenda_status=Workshop.AgendaStatus.FINAL)
    workshop.refresh_from_db()

    parsed = ical_js(build_calendar(workshop=workshop, zone_name="UTC"))

    assert [event["status"] for event in parsed["events"]] == ["CONFIRMED", "CONFIRMED"]
    assert parsed["timezones"] == []
    assert parsed["events"][0]["start_local"] == "2022-06-14T16:00:00Z"


def test_ics_uid_and_sequence_stable_while_times_stay(workshop, ical_js):
    first = ical_js(build_calendar(workshop=workshop, zone_name="America/El_Salvador"))
    again = ical_js(build_calendar(workshop=workshop, zone_name="America/Mexico_City"))

    assert [(e["uid"], e["sequence"]) for e in first["events"]] == [
        (e["uid"], e["sequence"]) for e in again["events"]
    ]


def test_ics_sequence_changes_when_session_moves(workshop):
    session = workshop.sessions.get(number=1)
    before = session_sequence(session)

    session.start, session.end = local(2022, 6, 14, 11), local(2022, 6, 14, 13)
    session.save()

    assert session_sequence(session) == before + 1
    session.title_es = "Otro título"
    session.save()
    assert session_sequence(session) == before + 1  # only a move is a new revision
    session.start = local(2022, 6, 14, 10)
    session.save(update_fields=["start"])
    session.refresh_from_db()
    assert session_sequence(session) == before + 2


def test_ics_public_and_invitation_calendar_never_carry_conference_link(workshop, ical_js):
    parsed = ical_js(build_calendar(workshop=workshop, zone_name="America/El_Salvador"))

    assert [(event["location"], event["url"]) for event in parsed["events"]] == [
        (None, "https://crm.example.org" + reverse("agenda:session", kwargs={"number": 1})),
        (None, "https://crm.example.org" + reverse("agenda:session", kwargs={"number": 2})),
    ]
    for event in parsed["events"]:
        assert "zoom.example.org" not in event["description"]
        assert "webinar.example.org" not in event["description"]


def test_ics_with_conference_link_uses_session_link_else_webinar(workshop, ical_js):
    parsed = ical_js(
        build_calendar(
            workshop=workshop, zone_name="America/El_Salvador", with_conference_link=True
        )
    )

    first, second = parsed["events"]
    assert (first["location"], first["url"]) == (CONFERENCE, CONFERENCE)
    assert first["description"].startswith(f"Enlace de la videoconferencia: {CONFERENCE}\n\n")
    assert (second["location"], second["url"]) == (WEBINAR, WEBINAR)


def test_agenda_feed_has_method_and_no_conference_link(workshop, client, ical_js):
    response = client.get(reverse("agenda:ics"))

    assert response.status_code == 200
    assert CONFERENCE.encode() not in response.content
    assert WEBINAR.encode() not in response.content
    parsed = ical_js(response.content)
    assert parsed["method"] == "PUBLISH"
    assert len(parsed["events"]) == 2


def test_invitation_attachment_content_type_carries_the_calendar_method(
    workshop,
    smtp_sink,  # noqa: F811 - the fixture imported above
    ical_js,
):
    country = CountryFactory(iso_code="MX", time_zone="America/Mexico_City")
    delegation = DelegationFactory(workshop=workshop, country=country)
    invitation = InvitationFactory(
        workshop=workshop, delegation=delegation, status=Invitation.Status.QUEUED
    )

    services.invitation_send(invitation_id=invitation.pk)

    [message] = smtp_sink.messages
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "crm-2022.ics"
    content = attachment.get_content()
    raw = content.encode() if isinstance(content, str) else content
    parsed = ical_js(raw)
    assert parsed["method"] == attachment.get_param("method")
    assert [event["start_local"] for event in parsed["events"]] == [
        "2022-06-14T11:00:00",
        "2022-06-15T11:00:00",
    ]
    assert CONFERENCE.encode() not in raw
    assert WEBINAR.encode() not in raw
