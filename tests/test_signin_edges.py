"""The sign-in pages and forms at their edges: exact redirects with their ``next``, the
messages shown, the error codes of the staff rules, the enrolment link's URL, nonce and
e-mail, and the log line of a request that skipped a trusted proxy."""

import logging
import re

import pytest
from allauth.core import context
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import RequestFactory

from crm_workshop.models import UsedEnrolmentLink
from crm_workshop.signin import enrolment, rules
from crm_workshop.signin.adapters import AccountAdapter
from crm_workshop.signin.forms import (
    StaffActivateTOTPForm,
    StaffAddEmailForm,
    StaffGenerateRecoveryCodesForm,
)
from tests.admin_factories import (
    StaffUserFactory,
    activate_totp,
    frozen_totp_clock,
    totp_code,
    verified,
)

pytestmark = pytest.mark.django_db

REAUTHENTICATE = (
    "Su sesión no se inició con la verificación en dos pasos. "
    "Confirme el código de su aplicación de autenticación para entrar en la administración."
)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # allauth keeps used TOTP codes and rate limits there
    yield
    cache.clear()


@pytest.fixture
def staff():
    return verified(StaffUserFactory(email="secretaria@example.org", is_superuser=False))


def _request(user, path="/"):
    request = RequestFactory().post(path)
    request.user = user
    request.session = SessionStore()
    return request


# --- the trusted-proxy client address ---------------------------------------------------------


def test_client_ip_of_a_request_that_skipped_a_proxy_is_logged_with_its_peer(settings, caplog):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.60", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )

    with caplog.at_level(logging.WARNING, logger="crm_workshop.signin.adapters"):
        address = AccountAdapter(request).get_client_ip(request)

    assert address == "192.0.2.60"
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "crm_workshop.signin.adapters",
            "WARNING",
            "X-Forwarded-For has fewer entries than ALLAUTH_TRUSTED_PROXY_COUNT; "
            "counting the request by REMOTE_ADDR 192.0.2.60",
        )
    ]


# --- the enrolment link -----------------------------------------------------------------------


def test_enrolment_link_url_joins_a_site_url_with_a_trailing_slash(settings, staff):
    settings.SITE_URL = "https://crm.example.org/"

    url = enrolment.link_url(staff)

    assert re.fullmatch(r"https://crm\.example\.org/accounts/2fa/staff-enrolment/[^/]+/", url), url


def test_enrolment_links_each_work_once_and_independently(staff):
    first, second = enrolment.link_token(staff), enrolment.link_token(staff)

    enrolment.link_redeem(token=first, user=staff)
    enrolment.link_redeem(token=second, user=staff)
    with pytest.raises(enrolment.InvalidLinkError):
        enrolment.link_redeem(token=first, user=staff)

    nonces = list(UsedEnrolmentLink.objects.values_list("nonce", flat=True))
    assert len(set(nonces)) == 2
    assert [len(nonce) for nonce in nonces] == [32, 32]  # 24 random bytes, URL-safe base64


def test_enrolment_link_signed_over_something_else_than_a_claim_is_refused(staff):
    from django.core import signing

    token = signing.TimestampSigner(salt=enrolment.SALT).sign_object([str(staff.pk)])

    with pytest.raises(enrolment.InvalidLinkError):
        enrolment.link_redeem(token=token, user=staff)
    assert UsedEnrolmentLink.objects.count() == 0


def test_enrolment_link_email_says_how_many_minutes_it_lasts(client, staff):
    client.force_login(staff)

    client.post("/accounts/2fa/staff-enrolment/")

    (message,) = mail.outbox
    body = " ".join(message.body.split())
    assert "antes de 60 minutos:" in body


# --- the forms' error codes and the grant -----------------------------------------------------


def test_staff_activation_without_grant_is_refused_with_its_code(staff):
    request = _request(staff)
    with context.request_context(request):
        form = StaffActivateTOTPForm(user=staff, data={"code": "000000"})
        assert form.is_valid() is False

    assert form.has_error(NON_FIELD_ERRORS, code="staff_enrolment")


def test_staff_activation_keeps_the_grant_after_a_wrong_code_and_spends_it_on_a_right_one(staff):
    request = _request(staff)
    rules.grant_enrolment(request)
    with frozen_totp_clock(), context.request_context(request):
        secret = StaffActivateTOTPForm(user=staff).secret
        wrong = StaffActivateTOTPForm(user=staff, data={"code": "000000"})
        assert wrong.is_valid() is False
        assert rules.ENROLMENT_GRANT_SESSION_KEY in request.session

        right = StaffActivateTOTPForm(user=staff, data={"code": totp_code(secret)})
        assert right.is_valid() is True

    assert rules.ENROLMENT_GRANT_SESSION_KEY not in request.session


def test_staff_recovery_codes_without_totp_proof_are_refused_with_its_code(staff):
    activate_totp(staff)
    with context.request_context(_request(staff)):
        form = StaffGenerateRecoveryCodesForm(user=staff, data={})
        assert form.is_valid() is False

    assert form.has_error(NON_FIELD_ERRORS, code="staff_totp_proof")


def test_staff_new_email_address_is_refused_with_its_code(staff):
    with context.request_context(_request(staff)):
        form = StaffAddEmailForm(user=staff, data={"email": "otra@example.org"})
        assert form.is_valid() is False

    assert form.has_error("email", code="staff_email")


# --- the admin gate ---------------------------------------------------------------------------


def test_admin_requires_mfa_when_the_setting_is_absent(client, settings, staff):
    del settings.ADMIN_REQUIRE_MFA
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_admin_reauthentication_keeps_the_query_and_says_why(client, settings, staff):
    settings.ADMIN_REQUIRE_MFA = True
    activate_totp(staff)
    client.force_login(staff)

    response = client.get("/admin/participants/?q=ana")

    assert response.status_code == 302
    assert response.url == (
        "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fparticipants%2F%3Fq%3Dana"
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [REAUTHENTICATE]


def test_enrolled_staff_opening_activation_is_left_to_allauth(client, staff):
    activate_totp(staff)
    client.force_login(staff)

    response = client.get("/accounts/2fa/totp/activate/")

    # allauth's own way: a fresh proof first (then it sends an enrolled user to "deactivate").
    assert response.status_code == 302
    assert (
        response.url == "/accounts/2fa/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )


# --- the admin's login page and its next ------------------------------------------------------


def test_admin_login_takes_next_from_the_posted_form(client):
    response = client.post("/admin/login/", {"next": "/admin/agenda/"})

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Fagenda%2F"


def test_admin_login_takes_an_absolute_next_on_this_host(client):
    response = client.get("/admin/login/?next=http://testserver/admin/agenda/")

    assert response.url == "/accounts/login/?next=http%3A%2F%2Ftestserver%2Fadmin%2Fagenda%2F"


def test_admin_login_over_https_refuses_a_plain_http_next(client, settings):
    settings.SECURE_SSL_REDIRECT = False

    response = client.get("/admin/login/?next=http://testserver/admin/agenda/", secure=True)

    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_recovery_codes_without_an_authenticator_keep_allauths_refusal():
    from tests.factories import UserFactory

    delegate = verified(UserFactory(email="delegada@example.org"))
    with context.request_context(_request(delegate)):
        form = StaffGenerateRecoveryCodesForm(user=delegate, data={})
        assert form.is_valid() is False

    assert form.has_error(NON_FIELD_ERRORS, code="cannot_generate_recovery_codes")


def test_used_enrolment_link_is_named_by_its_nonce(staff):
    used = UsedEnrolmentLink.objects.create(nonce="n0nce-" + "a" * 26, user=staff)

    assert str(used) == "n0nce-aaaaaaaaaaaaaaaaaaaaaaaaaa"
