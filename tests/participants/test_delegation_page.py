"""/home/delegation/: a delegation's members for its own members and staff; 404 for others."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.participants.homes_helpers import add_member

PAGE = "/home/delegation/"

pytestmark = pytest.mark.django_db


def test_delegation_url_name():
    assert reverse("participants:delegation") == PAGE


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("pending", 404),
        ("delegate", 200),
        ("focal_point_other", 200),
        ("observer", 404),
        ("moderator", 404),
        ("staff", 200),
    ],
)
def test_delegation_page_answers_each_role(people, client_as, role, status):
    response = client_as(people[role]).get(PAGE)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == "/accounts/login/?next=/home/delegation/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("pending", 404),
        ("delegate", 200),  # Mexico is the delegate's own delegation
        ("focal_point_other", 404),  # El Salvador's focal point asking for Mexico
        ("observer", 404),
        ("moderator", 404),
        ("staff", 200),
    ],
)
def test_delegation_page_for_mexico_answers_each_role(people, client_as, role, status):
    response = client_as(people[role]).get(PAGE, {"country": "MX"})

    assert response.status_code == status


def test_delegation_page_delegate_asking_for_another_country_gets_404(people, client_as):
    assert client_as(people["delegate"]).get(PAGE, {"country": "SV"}).status_code == 404


def test_delegation_page_plain_delegate_sees_approved_members_only(people, client_as, demo):
    add_member(demo, country="MX", n=1, profile="protection")

    html = client_as(people["delegate"]).get(PAGE).content.decode()

    assert "Delegada México (demo)" in html
    assert "Miembro1 MX approved" in html
    assert "Pendiente México" not in html  # the pending member
    assert "Perfiles esperados" not in html
    assert "Miembros aprobados de la delegación" in html


def test_delegation_page_never_shows_another_delegations_members(people, client_as):
    html = client_as(people["delegate"]).get(PAGE).content.decode()

    assert "Delegado El Salvador (demo)" not in html


def test_delegation_page_focal_point_sees_every_status_and_the_gaps(people, client_as, demo):
    add_member(demo, country="SV", n=1, profile="protection", status="pending")
    add_member(demo, country="SV", n=2, profile="migration_control", status="rejected")

    html = client_as(people["focal_point_other"]).get(PAGE).content.decode()

    assert "Miembro1 SV pending" in html
    assert "Miembro2 SV rejected" in html
    assert "Rechazada" in html
    gaps = html.split("Perfiles esperados sin miembro aprobado:")[1].split("</ul>")[0]
    assert "Control migratorio" in gaps
    assert "Protección y refugio" in gaps


def test_delegation_page_staff_without_country_lists_the_delegations(people, client_as):
    html = client_as(people["staff"]).get(PAGE).content.decode()

    assert html.count('<a href="?country=') == 11
    assert '<a href="?country=MX">México</a>' in html


def test_delegation_page_staff_sees_every_status_of_the_chosen_country(people, client_as):
    html = client_as(people["staff"]).get(PAGE, {"country": "mx"}).content.decode()

    assert "Delegada México (demo)" in html
    assert "Pendiente México" in html


def test_delegation_page_staff_unknown_country_is_404(people, client_as):
    assert client_as(people["staff"]).get(PAGE, {"country": "ZZ"}).status_code == 404


def test_delegation_page_rejected_member_gets_404(people, client_as):
    from participants.models import Participant

    Participant.objects.filter(user=people["delegate"]).update(registration_status="rejected")

    assert client_as(people["delegate"]).get(PAGE).status_code == 404


def test_delegation_page_query_count_does_not_grow_with_members(people, client_as, demo):
    client = client_as(people["focal_point_other"])
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for n in range(30):
        add_member(demo, country="SV", n=n, status=["approved", "pending"][n % 2])
    with CaptureQueriesContext(connection) as many:
        response = client.get(PAGE)

    assert response.content.decode().count('<th scope="row">') == 32
    assert len(one) == len(many) == 7
