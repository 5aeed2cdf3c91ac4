"""A staff member's second factor is removed, replaced or regenerated only by someone who has
just proved it with an authenticator-app code; a password alone never does it. Delegates keep
allauth's own self-service."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, generate_totp_secret
from django.core.cache import cache

from tests.admin_factories import (
    StaffUserFactory,
    activate_totp,
    frozen_totp_clock,
    totp_code,
    verified,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEEDS_TOTP_PROOF = (
    "Para cambiar la verificación en dos pasos de una cuenta del personal, confirme antes "
    "un código de su aplicación de autenticación."
)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # allauth keeps used TOTP codes and rate limits there
    yield
    cache.clear()


@pytest.fixture
def clock():
    with frozen_totp_clock() as traveller:
        yield traveller


@pytest.fixture
def staff():
    """A Secretaría member with an authenticator app and recovery codes; returns (user, secret)."""
    user = verified(StaffUserFactory(email="secretaria@example.org", is_superuser=False))
    _, secret = activate_totp(user)
    RecoveryCodes.activate(user)
    return user, secret


def _totp(user) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def _recovery_codes(user) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()


def _password_only_session(client, user) -> None:
    """A session that proved the password and nothing else (what the admin's own login form
    used to open), which then re-authenticates with that password."""
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})


def _sign_in_with_totp(client, user, secret, clock) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.url == "/accounts/2fa/authenticate/"
    assert (
        client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    )
    clock.shift(30)  # the next proof needs the next code


def _reauthenticate_with_totp(client, secret, next_url: str) -> None:
    response = client.post(
        f"/accounts/2fa/reauthenticate/?next={next_url}", {"code": totp_code(secret)}
    )
    assert response.status_code == 302


def test_staff_is_offered_no_password_reauthentication(client, staff):
    client.force_login(staff[0])

    response = client.get("/accounts/reauthenticate/?next=/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert (
        response.url
        == "/accounts/2fa/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Fdeactivate%2F"
    )


def test_staff_with_only_a_password_cannot_deactivate_totp(client, staff):
    user, _ = staff
    _password_only_session(client, user)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert (
        response.url
        == "/accounts/2fa/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Fdeactivate%2F"
    )
    assert _totp(user) is not None


def test_staff_with_only_a_password_cannot_replace_totp(client, staff):
    user, secret = staff
    original = _totp(user)
    _password_only_session(client, user)
    attacker_secret = generate_totp_secret()

    client.post("/accounts/2fa/totp/deactivate/")
    session = client.session
    session[SECRET_SESSION_KEY] = attacker_secret  # as if the activate page had shown it
    session.save()
    with frozen_totp_clock():
        client.post("/accounts/2fa/totp/activate/", {"code": totp_code(attacker_secret)})

    assert list(Authenticator.objects.filter(user=user, type="totp")) == [original]
    assert _totp(user).data["secret"] == secret


def test_staff_with_only_a_password_cannot_regenerate_recovery_codes(client, staff):
    user, _ = staff
    codes = _recovery_codes(user)
    _password_only_session(client, user)

    response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/reauthenticate/")
    assert _recovery_codes(user) == codes
    assert _recovery_codes(user).data == codes.data


def test_staff_recovery_code_reauthentication_does_not_unlock_deactivation(client, staff, clock):
    user, secret = staff
    _sign_in_with_totp(client, user, secret, clock)
    recovery_code = _recovery_codes(user).wrap().get_unused_codes()[0]
    client.post(
        "/accounts/2fa/reauthenticate/?next=/accounts/2fa/totp/deactivate/",
        {"code": recovery_code},
    )

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 200
    assert NEEDS_TOTP_PROOF in response.content.decode()
    assert _totp(user) is not None


def test_staff_after_totp_reauthentication_can_deactivate_and_replace_totp(client, staff, clock):
    user, secret = staff
    _sign_in_with_totp(client, user, secret, clock)

    first = client.get("/accounts/2fa/totp/deactivate/")
    assert (
        first.url == "/accounts/2fa/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Fdeactivate%2F"
    )
    _reauthenticate_with_totp(client, secret, "/accounts/2fa/totp/deactivate/")
    deactivated = client.post("/accounts/2fa/totp/deactivate/")
    assert deactivated.status_code == 302
    assert _totp(user) is None

    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    new_secret = page.context["form"].secret
    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(new_secret)})

    assert activated.status_code == 302
    assert _totp(user).data["secret"] == new_secret


def test_staff_after_totp_reauthentication_can_regenerate_recovery_codes(client, staff, clock):
    user, secret = staff
    old_codes = _recovery_codes(user)
    _sign_in_with_totp(client, user, secret, clock)
    _reauthenticate_with_totp(client, secret, "/accounts/2fa/recovery-codes/generate/")

    response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/recovery-codes/"
    assert _recovery_codes(user).pk != old_codes.pk


def test_staff_without_authenticator_cannot_add_one_with_only_a_password(client, clock):
    user = verified(StaffUserFactory(email="nueva@example.org", is_superuser=False))
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    attacker_secret = generate_totp_secret()
    session = client.session
    session[SECRET_SESSION_KEY] = attacker_secret
    session.save()

    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(attacker_secret)})

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/staff-enrolment/"
    assert _totp(user) is None


def test_staff_activation_form_refuses_without_link_even_past_the_redirect(client, settings, clock):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("AdminMFAMiddleware")]
    user = verified(StaffUserFactory(email="nueva@example.org", is_superuser=False))
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret

    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert response.status_code == 200
    assert (
        "Una cuenta del personal activa su primera aplicación de autenticación con el enlace"
        in response.content.decode()
    )
    assert _totp(user) is None


def test_delegate_adds_and_removes_totp_with_password_reauthentication(client, clock):
    delegate = verified(UserFactory(email="delegada@example.org"))
    client.post("/accounts/login/", {"login": delegate.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert _totp(delegate) is not None

    deactivated = client.post("/accounts/2fa/totp/deactivate/")
    assert deactivated.status_code == 302
    assert _totp(delegate) is None


def test_staff_recovery_code_reauthentication_does_not_unlock_new_recovery_codes(
    client, staff, clock
):
    user, secret = staff
    old_codes = _recovery_codes(user)
    _sign_in_with_totp(client, user, secret, clock)
    recovery_code = old_codes.wrap().get_unused_codes()[0]
    client.post(
        "/accounts/2fa/reauthenticate/?next=/accounts/2fa/recovery-codes/generate/",
        {"code": recovery_code},
    )

    response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 200
    assert NEEDS_TOTP_PROOF in response.content.decode()
    assert _recovery_codes(user).pk == old_codes.pk
