"""Every reader reaches the consultation pages that are theirs from the pages they land on."""

import pytest
from django.urls import reverse

COMPILE = reverse("consultations:compile")
LIST = reverse("consultations:list")


@pytest.mark.parametrize("path", ["/staff/", "/staff/consultations/", "/agenda/"])
def test_staff_header_links_the_compilation(people, client_as, path):
    html = client_as(people["staff"]).get(path).content.decode()

    assert f'href="{COMPILE}"' in html


def test_staff_dashboard_links_follow_up_and_compilation(people, client_as):
    html = client_as(people["staff"]).get("/staff/").content.decode()

    assert 'href="/staff/consultations/"' in html
    assert f'href="{COMPILE}">Compilación de respuestas</a>' in html


def test_moderator_home_names_the_sessions_and_links_the_compilation(people, client_as):
    html = client_as(people["moderator"]).get("/home/").content.decode()

    assert "Las sesiones que modera" in html
    assert "Sesión 1: Investigación e inteligencia policial" in html
    assert "Sesión virtual 2" not in html.split("Las sesiones que modera")[1].split("</ul>")[0]
    assert f'href="{COMPILE}"' in html


@pytest.mark.parametrize("role", ["delegate", "focal_point_other", "observer"])
def test_others_get_no_compilation_link(people, client_as, role):
    html = client_as(people[role]).get("/home/").content.decode()

    assert f'href="{COMPILE}"' not in html
    assert "Las sesiones que modera" not in html


def test_delegate_header_links_the_questions(people, client_as):
    client = client_as(people["delegate"])
    client.get("/home/")  # the home notes, in the session, that she answers for a delegation

    html = client.get("/agenda/").content.decode()

    assert f'href="{LIST}"' in html
