"""Sign-in through allauth: e-mail login, Spanish errors, rate limits on the shared cache."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Demasiados intentos fallidos. Inténtelo más tarde."


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache (Redis in CI's second pass): start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person():
    user = UserFactory(email="ana@example.org")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _login(client, password: str):
    return client.post(
        "/accounts/login/", {"login": "ana@example.org", "password": password}, follow=False
    )


def test_login_with_email_and_password_signs_in(client, person):
    response = _login(client, "correct-horse-battery")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_login_with_wrong_password_says_so_in_spanish(client, person):
    response = _login(client, "wrong")

    assert response.status_code == 200
    assert (
        "La dirección de correo electrónico y/o la contraseña que ha indicado no son correctas."
        in (response.content.decode())
    )
    assert "_auth_user_id" not in client.session


def test_login_after_five_failures_is_refused_even_with_right_password(client, person):
    for _ in range(5):
        assert TOO_MANY not in _login(client, "wrong").content.decode()

    response = _login(client, "correct-horse-battery")

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_failures_are_counted_in_the_shared_cache(client, person):
    for _ in range(5):
        _login(client, "wrong")
    cache_keys = _rate_limit_keys()

    assert cache_keys, "allauth stored no rate-limit counter in the configured cache"


def _rate_limit_keys() -> list[str]:
    """Keys allauth wrote for the login_failed limit (works for LocMem and Redis)."""
    backend = cache._cache if hasattr(cache, "_cache") and isinstance(cache._cache, dict) else None
    if backend is not None:  # LocMemCache
        return [key for key in backend if "login_failed" in key]
    client = cache._cache.get_client(None, write=False)  # django RedisCache
    return [key.decode() for key in client.keys("*login_failed*")]
