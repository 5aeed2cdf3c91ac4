"""/home/preferences/: names, zone and language of the signed-in person."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import ROLES

URL = "/home/preferences/"


def _form(user, **changes):
    return {
        "first_name": user.first_name or "Nombre",
        "last_name": user.last_name or "Apellido",
        "time_zone": user.time_zone,
        "language": user.language,
        **changes,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_preferences_per_role(people, client_as, role):
    response = client_as(people[role]).get(URL)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("max-age=0")
        assert 'name="time_zone"' in response.content.decode()


@pytest.mark.django_db
def test_preferences_default_zone_is_the_delegations_country(people, client_as):
    body = client_as(people["delegate"]).get(URL).content.decode()

    assert 'placeholder="America/Mexico_City"' in body
    assert '<datalist id="zone-names">' in body


@pytest.mark.django_db
def test_preferences_save_zone_and_language_then_land_in_english(people, client_as):
    user = people["delegate"]
    client = client_as(user)

    response = client.post(URL, _form(user, time_zone="America/Tijuana", language="en"))

    assert response.status_code == 302
    assert response["Location"] == "/en/home/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert (user.time_zone, user.language) == ("America/Tijuana", "en")
    home = client.get("/en/home/").content.decode()
    assert "America/Tijuana" in home
    assert "Your preferences have been saved." in home


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "zona horaria"),
        ({"first_name": "Ana\r\nBcc: x@example.org"}, "first_name", "saltos de línea"),
        ({"first_name": ""}, "first_name", "obligatorio"),
        ({"language": "fr"}, "language", "Escoja una opción válida"),
    ],
)
def test_preferences_bad_input_saves_nothing(people, client_as, changes, field, message):
    user = people["delegate"]
    before = (user.first_name, user.time_zone, user.language)

    response = client_as(user).post(URL, _form(user, **changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    user.refresh_from_db()
    assert (user.first_name, user.time_zone, user.language) == before


@pytest.mark.django_db
def test_preferences_cannot_touch_account_powers(people, client_as):
    user = people["delegate"]

    client_as(user).post(URL, _form(user, is_staff="on", is_superuser="on", email="x@evil.test"))

    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser, user.email) == (
        False,
        False,
        "delegada.mx@crm-workshop.test",
    )
