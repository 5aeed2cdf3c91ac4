"""``/home/calendar.ics``: the approved participant's sessions with the conference link."""

import pytest
import vobject
from django.urls import reverse

from participants.models import Participant
from tests.conftest import ROLES

CONFERENCE = "https://zoom.example.org/j/111222333?pwd=reservado"
WEBINAR = "https://webinar.example.org/crm-2022"

# Whose file is served, and in which zone (resolve_viewer_zone: the account's own zone, else
# the delegation's country, else the workshop's). ``None``: the reader gets 404.
EXPECTED_ZONE = {
    "pending": None,
    "delegate": "America/Mexico_City",
    "focal_point_other": "America/El_Salvador",
    "observer": "workshop",
    "moderator": "workshop",
    "staff": None,  # the Secretaría has no registration of its own
}


@pytest.fixture
def links(demo):
    demo.webinar_url = WEBINAR
    demo.save(update_fields=["webinar_url"])
    demo.sessions.filter(number=1).update(conference_url=CONFERENCE)
    return demo


def url(language: str = "es") -> str:
    path = reverse("participants:calendar")
    return f"/en{path}" if language == "en" else path


def test_personal_calendar_anonymous_is_sent_to_sign_in(people, links, client_as):
    response = client_as(people["anonymous"]).get(url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/home/calendar.ics" in response["Location"]


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_personal_calendar_by_role(role, people, links, client_as):
    response = client_as(people[role]).get(url())

    zone = EXPECTED_ZONE[role]
    if zone is None:
        assert response.status_code == 404
        assert CONFERENCE.encode() not in response.content
        return
    zone = links.time_zone if zone == "workshop" else zone
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{links.slug}.ics"'
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    calendar = vobject.readOne(response.content.decode())
    assert calendar.method.value == "PUBLISH"
    assert calendar.vtimezone.tzid.value == zone
    first, second = calendar.vevent_list
    assert f"DTSTART;TZID={zone}:".encode() in response.content
    assert (first.location.value, first.url.value) == (CONFERENCE, CONFERENCE)
    assert (second.location.value, second.url.value) == (WEBINAR, WEBINAR)
    assert CONFERENCE in first.description.value


def test_personal_calendar_own_zone_wins_and_english_text(people, links, client_as):
    delegate = people["delegate"]
    delegate.time_zone = "Europe/Madrid"
    delegate.save(update_fields=["time_zone"])

    response = client_as(delegate).get(url("en"))

    assert response.status_code == 200
    assert b"DTSTART;TZID=Europe/Madrid:" in response.content
    calendar = vobject.readOne(response.content.decode())
    assert calendar.vevent_list[0].description.value.startswith(f"Conference link: {CONFERENCE}")


def test_personal_calendar_rejected_registration_is_404(people, links, client_as):
    delegate = people["delegate"]
    Participant.objects.filter(user=delegate).update(
        registration_status=Participant.RegistrationStatus.REJECTED
    )

    response = client_as(delegate).get(url())

    assert response.status_code == 404


def test_personal_calendar_refuses_post(people, links, client_as):
    response = client_as(people["delegate"]).post(url())

    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_public_agenda_feed_never_carries_the_conference_link(role, people, links, client_as):
    response = client_as(people[role]).get(reverse("agenda:ics"))

    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.content
    assert CONFERENCE.encode() not in response.content
    assert WEBINAR.encode() not in response.content
