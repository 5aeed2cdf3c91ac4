"""The admin is behind a second factor (allauth MFA) when ADMIN_REQUIRE_MFA is on."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.admin_factories import StaffUserFactory, activate_totp, frozen_totp_clock, totp_code
from tests.factories import UserFactory

MFA_REQUIRED_MESSAGE = (
    "Para entrar en la administración debe activar la verificación en dos pasos: "
    "los datos de las delegaciones solo se gestionan con un segundo factor. "
    "Configure una aplicación de autenticación y vuelva a intentarlo."
)


@pytest.fixture
def require_mfa(settings):
    settings.ADMIN_REQUIRE_MFA = True
    return settings


@pytest.fixture
def clock():
    with frozen_totp_clock() as traveller:
        yield traveller


def test_admin_mfa_is_required_by_default_outside_the_laptop(settings):
    assert settings.ADMIN_REQUIRE_MFA is True
    assert settings.MIDDLEWARE[-1] == "crm_workshop.signin.middleware.AdminMFAMiddleware"
    assert settings.MIDDLEWARE.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    ) < settings.MIDDLEWARE.index("crm_workshop.signin.middleware.AdminMFAMiddleware")


def test_admin_sends_staff_without_authenticator_to_totp_setup(client, db, require_mfa):
    client.force_login(StaffUserFactory())

    response = client.get("/admin/agenda/session/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"
    assert response.url == reverse("mfa_activate_totp")


def test_admin_explains_in_spanish_why_mfa_setup_is_needed(client, db, require_mfa):
    staff = StaffUserFactory(email="nueva@example.org")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)

    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "nueva@example.org", "password": "correct-horse-battery"},
        follow=True,
    )

    # A staff account enrols its first authenticator through an e-mailed link.
    assert response.redirect_chain == [
        ("/admin/", 302),
        ("/accounts/2fa/totp/activate/", 302),
        ("/accounts/2fa/staff-enrolment/", 302),
    ]
    assert response.status_code == 200
    assert MFA_REQUIRED_MESSAGE in [str(m) for m in response.context["messages"]]


def test_admin_lets_staff_in_after_signing_in_with_password_and_totp_code(
    client, db, require_mfa, clock
):
    staff = StaffUserFactory(email="secretaria@example.org")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    _, secret = activate_totp(staff)

    login = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "secretaria@example.org", "password": "correct-horse-battery"},
    )
    assert login.status_code == 302
    assert login.url == reverse("mfa_authenticate")

    second_factor = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert second_factor.status_code == 302
    assert second_factor.url == "/admin/"

    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.context["user"] == staff


def test_admin_asks_for_code_when_session_skipped_the_second_factor(client, db, require_mfa):
    staff = StaffUserFactory()
    activate_totp(staff)
    client.force_login(staff)  # a password-only session

    response = client.get("/admin/agenda/session/?q=1")

    assert response.status_code == 302
    assert (
        response.url == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fagenda%2Fsession%2F%3Fq%3D1"
    )


def test_admin_reauthentication_with_code_opens_the_admin(client, db, require_mfa, clock):
    staff = StaffUserFactory()
    _, secret = activate_totp(staff)
    client.force_login(staff)

    response = client.post(
        "/accounts/2fa/reauthenticate/?next=/admin/",
        {"code": totp_code(secret)},
    )
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_page_sends_anonymous_to_allauth_login(client, db, require_mfa):
    response = client.get("/admin/login/?next=/admin/agenda/session/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Fagenda%2Fsession%2F"


def test_admin_login_page_ignores_foreign_next(client, db, require_mfa):
    response = client.get("/admin/login/?next=https://evil.example/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_password_only_post_to_admin_login_does_not_open_admin(client, db, require_mfa):
    staff = StaffUserFactory(email="jefa@example.org")
    activate_totp(staff)

    response = client.post(
        "/admin/login/", {"username": staff.username, "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302


def test_admin_without_requirement_lets_staff_in_with_password_only(client, db, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(StaffUserFactory())

    assert client.get("/admin/agenda/session/").status_code == 200


def test_admin_mfa_gate_leaves_non_staff_to_the_admin_refusal(client, db, require_mfa):
    client.force_login(UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/"


def test_admin_english_prefix_is_gated_too(client, db, require_mfa):
    client.force_login(StaffUserFactory())

    response = client.get("/en/admin/")

    assert response.status_code == 302
    assert response.url == "/en/accounts/2fa/totp/activate/"


def test_admin_login_sends_anonymous_to_allauth_even_without_mfa_requirement(client, db, settings):
    settings.ADMIN_REQUIRE_MFA = False

    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_header_names_the_secretariat_in_the_url_language(client, db, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(StaffUserFactory(is_superuser=True))

    assert "Secretaría Ejecutiva de la CRM" in client.get("/admin/").content.decode()
    assert "Executive Secretariat of the RCM" in client.get("/en/admin/").content.decode()


@pytest.mark.parametrize(
    "path",
    ["/consultations/compile/", "/consultations/compile/export.csv", "/en/consultations/"],
)
def test_consultations_ask_staff_for_the_second_factor(client, db, require_mfa, path):
    staff = StaffUserFactory()
    activate_totp(staff)
    client.force_login(staff)  # a password-only session

    response = client.get(path)

    assert response.status_code == 302
    prefix = "/en" if path.startswith("/en/") else ""
    assert response.url.startswith(f"{prefix}/accounts/2fa/reauthenticate/?next=")


def test_consultations_do_not_gate_delegates(client, db, require_mfa):
    client.force_login(UserFactory())

    response = client.get("/consultations/")

    assert not response.get("Location", "").startswith("/accounts/2fa/")
