"""One way in: allauth's login (rate limits, MFA stage). ``/admin/login/`` never takes a
password, whoever posts it, and nothing authenticates a username and password outside it."""

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import RequestFactory

from tests.admin_factories import StaffUserFactory, activate_totp, verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache (Redis in CI's second pass): start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def moderator():
    return verified(UserFactory(username="moderador", email="moderador@example.org"))


@pytest.fixture
def secretaria():
    staff = verified(
        StaffUserFactory(username="secretaria", email="secretaria@example.org", is_superuser=False)
    )
    activate_totp(staff)
    return staff


def _sign_in(client, user):
    """Sign in through allauth's login form, as a browser does."""
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def _admin_login_post(client, user, password=PASSWORD):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": user.username, "password": password, "next": "/admin/"},
    )


def test_admin_login_post_of_staff_password_leaves_a_signed_in_moderator_as_he_was(
    client, moderator, secretaria
):
    _sign_in(client, moderator)

    response = _admin_login_post(client, secretaria)

    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(moderator.pk)


def test_admin_login_post_with_the_email_as_username_does_not_switch_either(
    client, moderator, secretaria
):
    _sign_in(client, moderator)

    response = client.post("/admin/login/", {"username": secretaria.email, "password": PASSWORD})

    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(moderator.pk)


def test_admin_login_get_by_a_signed_in_moderator_shows_no_password_form(client, moderator):
    _sign_in(client, moderator)

    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 403
    assert 'name="password"' not in response.content.decode()


def test_admin_login_thirty_wrong_passwords_change_nothing(client, moderator, secretaria):
    _sign_in(client, moderator)

    statuses = {
        _admin_login_post(client, secretaria, password=f"wrong-{n}").status_code for n in range(30)
    }

    assert statuses == {403}
    assert client.session["_auth_user_id"] == str(moderator.pk)
    # allauth's door still takes secretaria's password (nothing was counted against her).
    client.logout()
    response = client.post("/accounts/login/", {"login": secretaria.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"


def test_admin_login_post_by_signed_in_staff_does_not_switch_to_another_account(
    client, settings, db
):
    settings.ADMIN_REQUIRE_MFA = False  # the laptop: nothing else stands in the way
    jefa = StaffUserFactory(email="jefa@example.org")
    otra = StaffUserFactory(email="otra@example.org")
    client.force_login(jefa)

    response = _admin_login_post(client, otra)

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session["_auth_user_id"] == str(jefa.pk)


def test_admin_login_post_by_anonymous_without_mfa_requirement_signs_nobody_in(
    client, settings, secretaria
):
    settings.ADMIN_REQUIRE_MFA = False

    response = _admin_login_post(client, secretaria)

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session


def test_username_and_password_authenticate_nobody_outside_allauth_login(secretaria):
    request = RequestFactory().post("/")

    assert authenticate(request, username=secretaria.username, password=PASSWORD) is None


def test_staff_password_through_admin_login_cannot_strip_the_second_factor(
    client, moderator, secretaria
):
    """The whole attack of issue 5: a moderator posts secretaria's password to the admin's
    form, re-authenticates with it and deactivates her authenticator."""
    _sign_in(client, moderator)

    _admin_login_post(client, secretaria)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/")

    assert client.session["_auth_user_id"] == str(moderator.pk)
    assert secretaria.authenticator_set.filter(type="totp").count() == 1
