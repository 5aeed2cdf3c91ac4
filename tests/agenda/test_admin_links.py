"""Conference links typed in the admin without a scheme are stored as https."""

import pytest
from django.urls import reverse

from tests.factories import SessionFactory, UserFactory, WorkshopFactory
from tests.rendered_forms import rendered_form


@pytest.fixture
def superuser_client(client, settings, db):
    settings.ADMIN_REQUIRE_MFA = False  # the MFA gate is tested elsewhere
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_workshop_admin_stores_a_link_without_scheme_as_https(superuser_client):
    workshop = WorkshopFactory()
    url = reverse("admin:agenda_workshop_change", args=[workshop.pk])
    data = rendered_form(superuser_client.get(url).content, "workshop_form")
    data["webinar_url"] = ["meet.example.org/crm-2022"]

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    workshop.refresh_from_db()
    assert workshop.webinar_url == "https://meet.example.org/crm-2022"


def test_session_admin_stores_a_link_without_scheme_as_https(superuser_client):
    session = SessionFactory()
    url = reverse("admin:agenda_session_change", args=[session.pk])
    data = rendered_form(superuser_client.get(url).content, "session_form")
    data["conference_url"] = ["meet.example.org/sesion-1"]

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.conference_url == "https://meet.example.org/sesion-1"
