"""A staff account's first authenticator: a signed, expiring, single-use e-mailed link,
opened while signed in as that account."""

import datetime as dt
import json
import re
import socket

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail, signing
from django.core.cache import cache

from tests.admin_factories import StaffUserFactory, frozen_totp_clock, totp_code, verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
INVALID_LINK = "El enlace no es válido: caducó, ya se usó o es de otra cuenta. Pida uno nuevo."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with frozen_totp_clock() as traveller:
        yield traveller


@pytest.fixture
def nueva():
    return verified(
        StaffUserFactory(username="nueva", email="nueva@example.org", is_superuser=False)
    )


def _sign_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk), response


def _request_link(client) -> str:
    response = client.post("/accounts/2fa/staff-enrolment/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/staff-enrolment/"
    (message,) = mail.outbox[-1:]
    (path,) = re.findall(
        r"http://127\.0\.0\.1:8000(/accounts/2fa/staff-enrolment/\S+/)", message.body
    )
    return path


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_staff_enrolment_link_goes_to_the_account_address_only(client, nueva):
    _sign_in(client, nueva)

    _request_link(client)

    assert [m.to for m in mail.outbox] == [["nueva@example.org"]]
    assert mail.outbox[0].subject.endswith("Enlace para activar la verificación en dos pasos")


def test_staff_enrolment_link_opens_the_first_activation(client, nueva, clock):
    _sign_in(client, nueva)
    link = _request_link(client)

    opened = client.get(link)
    assert opened.status_code == 302
    assert opened.url == "/accounts/2fa/totp/activate/"
    # allauth asks for the password once more before an authenticator is added.
    reauth = client.get("/accounts/2fa/totp/activate/")
    assert reauth.url == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert activated.status_code == 302
    assert Authenticator.objects.get(user=nueva, type="totp").data["secret"] == secret


def test_staff_enrolment_grant_of_an_opened_link_lasts_fifteen_minutes(client, nueva):
    with time_machine.travel(dt.datetime(2026, 6, 14, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        _sign_in(client, nueva)
        client.get(_request_link(client))
        clock.shift(dt.timedelta(minutes=16))

        response = client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/staff-enrolment/"


def test_staff_enrolment_link_works_once(client, nueva):
    _sign_in(client, nueva)
    link = _request_link(client)
    client.get(link)
    client.logout()
    _sign_in(client, nueva)  # a new session: the first grant is gone

    response = client.get(link, follow=True)

    assert response.redirect_chain == [("/accounts/2fa/staff-enrolment/", 302)]
    assert INVALID_LINK in _messages(response)
    assert client.get("/accounts/2fa/totp/activate/").url == "/accounts/2fa/staff-enrolment/"


def test_staff_enrolment_link_expires_after_an_hour(client, nueva):
    with time_machine.travel(dt.datetime(2026, 6, 14, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        _sign_in(client, nueva)
        link = _request_link(client)
        clock.shift(dt.timedelta(minutes=61))

        response = client.get(link, follow=True)

    assert INVALID_LINK in _messages(response)


def test_staff_enrolment_link_of_another_account_is_refused(client, nueva):
    _sign_in(client, nueva)
    link = _request_link(client)
    client.logout()
    otra = verified(StaffUserFactory(email="otra@example.org", is_superuser=False))
    _sign_in(client, otra)

    response = client.get(link, follow=True)

    assert INVALID_LINK in _messages(response)
    assert client.get("/accounts/2fa/totp/activate/").url == "/accounts/2fa/staff-enrolment/"


def test_staff_enrolment_link_with_a_changed_user_is_refused(client, nueva):
    otra = verified(StaffUserFactory(email="otra@example.org", is_superuser=False))
    _sign_in(client, nueva)
    link = _request_link(client)
    client.logout()
    _sign_in(client, otra)
    token = link.rstrip("/").rsplit("/", 1)[1]
    payload, timestamp, signature = token.split(":")
    claims = json.loads(signing.b64_decode(payload.encode()))
    claims["user"] = str(otra.pk)
    forged_payload = signing.b64_encode(json.dumps(claims).encode()).decode()
    forged = f"/accounts/2fa/staff-enrolment/{forged_payload}:{timestamp}:{signature}/"

    response = client.get(forged, follow=True)

    assert INVALID_LINK in _messages(response)


def test_staff_enrolment_link_opened_signed_out_asks_to_sign_in_first(client, nueva):
    _sign_in(client, nueva)
    link = _request_link(client)
    client.logout()

    response = client.get(link)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/accounts/2fa/staff-enrolment/")


def test_staff_enrolment_link_requests_are_rate_limited(client, nueva):
    _sign_in(client, nueva)
    for _ in range(3):
        _request_link(client)

    response = client.post("/accounts/2fa/staff-enrolment/", follow=True)

    assert len(mail.outbox) == 3
    assert "Ya se le envió un enlace hace poco. Revise su correo." in _messages(response)


def test_staff_cannot_add_an_email_address_to_receive_the_link(client, nueva):
    _sign_in(client, nueva)

    response = client.post("/accounts/email/", {"action_add": "", "email": "atacante@example.org"})

    assert response.status_code == 200
    assert (
        "Las direcciones de correo de las cuentas del personal solo las cambia un superusuario."
        in response.content.decode()
    )
    assert list(nueva.emailaddress_set.values_list("email", flat=True)) == ["nueva@example.org"]


def test_delegate_can_still_add_an_email_address(client):
    delegate = verified(UserFactory(email="delegada@example.org"))
    _sign_in(client, delegate)

    client.post("/accounts/email/", {"action_add": "", "email": "otra.delegada@example.org"})

    assert sorted(delegate.emailaddress_set.values_list("email", flat=True)) == [
        "delegada@example.org",
        "otra.delegada@example.org",
    ]


def test_staff_enrolment_link_with_mail_server_down_says_so_instead_of_failing(
    client, settings, nueva
):
    with socket.socket() as probe:  # a port nobody listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    _sign_in(client, nueva)

    response = client.post("/accounts/2fa/staff-enrolment/", follow=True)

    assert response.redirect_chain == [("/accounts/2fa/staff-enrolment/", 302)]
    assert (
        "No se pudo enviar el correo en este momento. Inténtelo de nuevo más tarde."
        in _messages(response)
    )


def test_staff_enrolment_link_for_an_account_without_address_is_not_sent(client, db):
    staff = StaffUserFactory(email="", is_superuser=False)
    client.force_login(staff)

    response = client.post("/accounts/2fa/staff-enrolment/", follow=True)

    assert mail.outbox == []
    assert (
        "Su cuenta no tiene dirección de correo. Pida a un superusuario que la añada."
        in _messages(response)
    )
