"""The 403 pages a visitor can reach are the site's own: in the reader's language, inside
the layout, and without the inline CSS of Django's stock pages (the CSP refuses it).

Reached from outside as: a moderator opening ``/admin/login/`` (the one door refuses him),
and any form posted after its CSRF cookie was lost (a stale tab, cookies cleared).
"""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("prefix", "lang", "title"),
    [("", "es", "Acceso denegado"), ("/en", "en", "Access denied")],
)
def test_forbidden_page_is_the_sites_own_in_the_readers_language(client, prefix, lang, title):
    client.force_login(UserFactory())

    response = client.get(f"{prefix}/admin/login/")

    html = _text(response)
    assert response.status_code == 403
    assert f'<html lang="{lang}">' in html
    assert f"<title>{title} · " in html
    assert "<style" not in html


@pytest.mark.parametrize(
    ("prefix", "lang", "title"),
    [("", "es", "No se pudo enviar el formulario"), ("/en", "en", "The form could not be sent")],
)
def test_csrf_failure_page_is_the_sites_own_in_the_readers_language(prefix, lang, title):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        f"{prefix}/accounts/login/", {"login": "someone@example.org", "password": "x"}
    )

    html = _text(response)
    assert response.status_code == 403
    assert f'<html lang="{lang}">' in html
    assert f"<title>{title} · " in html
    assert "<style" not in html
    assert " style=" not in html


def test_media_files_are_never_served_by_url_even_with_debug(settings):
    import importlib

    from django.urls import Resolver404, resolve

    import crm_workshop.urls

    settings.DEBUG = True
    module = importlib.reload(crm_workshop.urls)
    try:
        with pytest.raises(Resolver404):
            resolve("/media/compendia/compendio-1-es-b17999742db9.pdf", urlconf=module)
    finally:
        settings.DEBUG = False
        importlib.reload(crm_workshop.urls)
