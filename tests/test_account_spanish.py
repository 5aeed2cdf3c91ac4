"""The account pages speak the portal's Spanish and mark destructive actions red.

allauth's element templates (templates/allauth/elements/) turn its button tags into Bootstrap
classes; locale/es/ corrects the few allauth strings that reached the page wrong.
"""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from tests.admin_factories import activate_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _Buttons(HTMLParser):
    """``(text, classes)`` of every element with the ``btn`` class inside <main>."""

    def __init__(self):
        super().__init__()
        self.found, self._open, self._in_main = [], None, False

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "main":
            self._in_main = True
        elif self._in_main and "btn" in classes:
            self._open = [tag, "", classes]

    def handle_data(self, data):
        if self._open:
            self._open[1] += data

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            self.found.append((" ".join(self._open[1].split()), " ".join(self._open[2])))
            self._open = None
        elif tag == "main":
            self._in_main = False


def _buttons(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    parser = _Buttons()
    parser.feed(response.content.decode())
    return parser.found


def _h1(response) -> str:
    html = response.content.decode()
    start = html.index(">", html.index("<h1")) + 1
    return " ".join(html[start : html.index("</h1>")].split())


@pytest.fixture
def user_with_second_factor():
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    activate_totp(user)
    RecoveryCodes.activate(user)
    return user


def test_second_factor_page_in_spanish_says_ver_and_deactivates_in_red(
    client, user_with_second_factor
):
    client.force_login(user_with_second_factor)

    response = client.get("/accounts/2fa/")

    assert _h1(response) == "Verificación en dos pasos"
    assert _buttons(response) == [
        ("Desactivar", "btn btn-outline-danger"),
        ("Ver", "btn btn-primary"),
        ("Descargar", "btn btn-outline-secondary"),
        ("Generar", "btn btn-outline-secondary"),
    ]


def test_second_factor_page_in_english_keeps_allauth_wording(client, user_with_second_factor):
    client.force_login(user_with_second_factor)

    response = client.get("/en/accounts/2fa/")

    assert _h1(response) == "Two-Factor Authentication"
    texts = [text for text, _ in _buttons(response)]
    assert texts == ["Deactivate", "View", "Download", "Generate"]


def test_email_page_shows_radios_badges_and_a_red_remove(client):
    user = UserFactory(email="ana@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    EmailAddress.objects.create(user=user, email="ana.otra@example.org", verified=False)
    client.force_login(user)

    response = client.get("/accounts/email/")
    html = " ".join(response.content.decode().split())

    assert _buttons(response) == [
        ("Definir como principal", "btn btn-primary"),
        ("Reenviar verificación", "btn btn-outline-secondary"),
        ("Eliminar", "btn btn-outline-danger"),
        ("Añadir correo electrónico", "btn btn-primary"),
    ]
    radio = '<div class="form-check account-choice"> <input class="form-check-input" type="radio"'
    assert html.count(radio) == 2
    assert '<span class="badge account-badge account-badge-success"> Verificado </span>' in html
    assert '<span class="badge account-badge account-badge-primary"> Principal </span>' in html
    assert '<span class="badge account-badge account-badge-warning"> Sin verificar </span>' in html


@pytest.mark.parametrize(
    ("path", "state"),
    [
        ("/accounts/email/", 'aria-current="page"'),
        ("/accounts/password/change/", 'aria-current="true"'),
        ("/accounts/2fa/", 'aria-current="true"'),
    ],
)
def test_header_marks_my_account_on_every_account_page(client, path, state):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)

    html = client.get(path).content.decode()

    (link,) = re.findall(
        r'<a class="nav-link[^"]*" href="/accounts/email/"[^>]*>Mi cuenta</a>', html
    )
    assert "nav-link active" in link
    assert state in link


def test_header_does_not_mark_my_account_on_a_public_page(client):
    user = UserFactory()
    client.force_login(user)

    html = client.get("/agenda/").content.decode()

    (link,) = re.findall(
        r'<a class="nav-link[^"]*" href="/accounts/email/"[^>]*>Mi cuenta</a>', html
    )
    assert "active" not in link
    assert "aria-current" not in link
