"""Who reaches the moderator console: every URL and every POST, per role.

A refused POST is a real request with valid data; the database must not change."""

import pytest
from django.urls import reverse

from agreements import services
from tests.agreements.console_helpers import (
    agreement_post,
    close_url,
    console_url,
    edit_url,
    move_url,
    reopen_url,
    snapshot,
    soup,
    status_url,
)
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

# GET of the console and of an agreement's edit page, session 1 and session 2.
EXPECTED_GET = {
    "anonymous": {1: 302, 2: 302},
    "pending": {1: 404, 2: 404},
    "delegate": {1: 404, 2: 404},
    "focal_point_other": {1: 404, 2: 404},
    "observer": {1: 404, 2: 404},
    "moderator": {1: 200, 2: 404},
    "staff": {1: 200, 2: 200},
}
FORBIDDEN_ON_SESSION_1 = [role for role in ROLES if role not in ("moderator", "staff")]


@pytest.fixture
def two_sessions(session1, session2, record_agreement, people):
    """Two agreements in each session (session 2's recorded by staff)."""
    return {
        1: [record_agreement(session1, "S1 primero"), record_agreement(session1, "S1 segundo")],
        2: [
            record_agreement(session2, "S2 primero", by=people["staff"]),
            record_agreement(session2, "S2 segundo", by=people["staff"]),
        ],
    }


def _writes(agreements, session):
    """Every write the console offers on ``session``, as (name, url, valid data)."""
    first, second = agreements
    return [
        ("create", console_url(session.number), agreement_post(session)),
        (
            "edit",
            edit_url(first),
            agreement_post(session, text_es="Editado", expected_version=first.version),
        ),
        ("move", move_url(second), {"direction": "up"}),
        ("adopt", status_url(first), {"status": "adopted", "expected_version": first.version}),
        ("close", close_url(session.number), {"confirm": "on"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_console_and_edit_pages_by_role(client_as, people, two_sessions, role):
    client = client_as(people[role])
    for number in (1, 2):
        expected = EXPECTED_GET[role][number]
        for url in (console_url(number), edit_url(two_sessions[number][0])):
            response = client.get(url)
            assert response.status_code == expected, url
            if role == "anonymous":
                assert response["Location"].startswith(reverse("account_login"))
            if expected == 404:
                assert b"S1 primero" not in response.content
                assert b"S2 primero" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_unknown_session_and_agreement_of_another_session_are_404(
    client_as, people, two_sessions, role
):
    client = client_as(people[role])
    expected = 302 if role == "anonymous" else 404
    assert client.get(console_url(99)).status_code == expected
    other = two_sessions[2][0]
    # Session 1's URL with session 2's agreement: not found, even for staff.
    assert client.get(edit_url(other, number=1)).status_code == expected
    missing = reverse("moderation:edit", kwargs={"number": 1, "pk": 99999})
    assert client.get(missing).status_code == expected


@pytest.mark.parametrize("role", FORBIDDEN_ON_SESSION_1)
def test_every_write_of_someone_without_the_right_changes_nothing(
    client_as, people, session1, two_sessions, role
):
    client = client_as(people[role])
    expected = 302 if role == "anonymous" else 404
    before = snapshot()
    for name, url, data in _writes(two_sessions[1], session1):
        response = client.post(url, data)
        assert response.status_code == expected, name
        assert snapshot() == before, name
    services.session_close(session=session1, by=people["staff"])
    closed = snapshot()
    response = client.post(reopen_url(1), {"reason": "Corrección de un acuerdo"})
    assert response.status_code == expected
    assert snapshot() == closed


def test_moderator_cannot_touch_another_session_nor_reopen(
    client_as, people, session1, session2, two_sessions
):
    client = client_as(people["moderator"])
    before = snapshot()
    for name, url, data in _writes(two_sessions[2], session2):
        assert client.post(url, data).status_code == 404, name
        assert snapshot() == before, name
    # Session 2's agreement through session 1's URLs: not found either.
    other = two_sessions[2][0]
    forged = reverse("moderation:status", kwargs={"number": 1, "pk": other.pk})
    assert client.post(forged, {"status": "adopted", "expected_version": 1}).status_code == 404
    assert snapshot() == before

    services.session_close(session=session1, by=people["moderator"])
    closed = snapshot()
    response = client.post(reopen_url(1), {"reason": "Quiero corregir"})
    assert response.status_code == 404
    assert snapshot() == closed


@pytest.mark.parametrize("role", ["moderator", "staff"])
def test_action_urls_answer_405_to_get(client_as, people, two_sessions, role):
    client = client_as(people[role])
    first = two_sessions[1][0]
    for url in (move_url(first), status_url(first), close_url(1), reopen_url(1)):
        assert client.get(url).status_code == 405, url


def test_staff_may_write_in_any_session(client_as, people, session2, two_sessions):
    client = client_as(people["staff"])
    response = client.post(console_url(2), agreement_post(session2, text_es="Nuevo en S2"))
    assert response.status_code == 302
    assert session2.agreements.filter(text_es="Nuevo en S2").exists()


def test_moderator_home_links_each_moderated_session_to_its_console(client_as, people, session2):
    session2.moderators.add(people["moderator"])
    page = soup(client_as(people["moderator"]).get("/home/"))
    card = page.find(id="moderation-heading").find_parent("section")
    links = [(a["href"], a.get_text(" ", strip=True)) for a in card.select("li a")]
    assert links == [
        ("/moderation/session/1/", "Consola de moderación (Sesión 1)"),
        ("/moderation/session/2/", "Consola de moderación (Sesión virtual 2)"),
    ]
