"""The conference link is shown to approved participants only: never on public pages, in the
public .ics feed, or to pending accounts."""

import pytest

pytestmark = pytest.mark.django_db

SESSION_LINK = "https://zoom.example.org/j/111-sesion-1"
WEBINAR_LINK = "https://zoom.example.org/j/999-webinar"


@pytest.fixture
def links(demo):
    """Session 1 has its own link; session 2 falls back to the workshop's webinar link."""
    demo.webinar_url = WEBINAR_LINK
    demo.save()
    session = demo.sessions.get(number=1)
    session.conference_url = SESSION_LINK
    session.save()
    return demo


@pytest.mark.parametrize("role", ["delegate", "focal_point_other", "observer", "moderator"])
def test_conference_links_shown_to_approved_roles(people, client_as, links, role):
    html = client_as(people[role]).get("/home/").content.decode()

    assert html.count(f'href="{SESSION_LINK}"') == 1
    assert html.count(f'href="{WEBINAR_LINK}"') == 1


def test_conference_link_without_any_link_says_it_will_come(people, client_as, demo):
    html = client_as(people["delegate"]).get("/home/").content.decode()

    assert "conference-link" not in html
    assert html.count("El enlace de la videoconferencia se publicará aquí") == 2


@pytest.mark.parametrize("role", ["anonymous", "pending", "staff"])
def test_conference_links_hidden_from_everyone_else_on_home(people, client_as, links, role):
    response = client_as(people[role]).get("/home/", follow=True)
    html = response.content.decode()

    assert SESSION_LINK not in html
    assert WEBINAR_LINK not in html


def test_conference_links_hidden_from_a_rejected_participant(people, client_as, links):
    from participants.models import Participant

    Participant.objects.filter(user=people["delegate"]).update(registration_status="rejected")

    html = client_as(people["delegate"]).get("/home/", follow=True).content.decode()

    assert SESSION_LINK not in html
    assert WEBINAR_LINK not in html


@pytest.mark.parametrize("role", ["anonymous", "delegate", "staff"])
@pytest.mark.parametrize(
    "path", ["/", "/agenda/", "/agenda/session/1/", "/agenda.ics", "/en/", "/en/agenda/"]
)
def test_conference_links_never_on_public_pages(people, client_as, links, role, path):
    response = client_as(people[role]).get(path)

    assert response.status_code == 200
    body = response.content.decode()
    assert SESSION_LINK not in body
    assert WEBINAR_LINK not in body
    assert "zoom.example.org" not in body
