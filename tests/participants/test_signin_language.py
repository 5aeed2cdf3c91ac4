"""The user's language takes effect at sign-in: they land on their home page in it, and the
language cookie says it."""

import pytest

from participants.models import User

DEMO_PASSWORD = "demo-crm-2022"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def sign_in(client, email, *, prefix="", next_url=None):
    url = f"{prefix}/accounts/login/"
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"login": email, "password": DEMO_PASSWORD})


@pytest.mark.django_db
def test_signin_english_user_lands_on_en_home_with_cookie(people, client, settings):
    User.objects.filter(pk=people["delegate"].pk).update(language="en")

    response = sign_in(client, "delegada.mx@crm-workshop.test")

    assert response.status_code == 302
    assert response["Location"] == "/en/home/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["path"] == settings.LANGUAGE_COOKIE_PATH


@pytest.mark.django_db
def test_signin_spanish_user_signing_in_from_english_page_lands_in_spanish(
    people, client, settings
):
    response = sign_in(client, "delegada.mx@crm-workshop.test", prefix="/en")

    assert response["Location"] == "/home/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


@pytest.mark.django_db
def test_signin_cookie_follows_production_cookie_settings(people, client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_HTTPONLY = True
    settings.LANGUAGE_COOKIE_SAMESITE = "Lax"
    User.objects.filter(pk=people["observer"].pk).update(language="en")

    response = sign_in(client, "observador@crm-workshop.test")

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["secure"], cookie["httponly"], cookie["samesite"]) == (
        "en",
        True,
        True,
        "Lax",
    )


@pytest.mark.django_db
def test_signin_explicit_next_is_kept(people, client, settings):
    User.objects.filter(pk=people["delegate"].pk).update(language="en")

    response = sign_in(client, "delegada.mx@crm-workshop.test", next_url="/agenda/")

    assert response["Location"] == "/agenda/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_signin_english_landing_page_is_english(people, client):
    User.objects.filter(pk=people["delegate"].pk).update(language="en")

    response = sign_in(client, "delegada.mx@crm-workshop.test")
    page = client.get(response["Location"])

    assert page.status_code == 200
    assert '<html lang="en">' in page.content.decode()


@pytest.mark.django_db
def test_signin_message_is_in_the_users_language_and_names_them(people, client):
    from django.contrib.messages import get_messages

    User.objects.filter(pk=people["delegate"].pk).update(language="en")

    response = sign_in(client, "delegada.mx@crm-workshop.test")  # from the Spanish page

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Successfully signed in as Delegada México (demo)."


@pytest.mark.django_db
def test_signin_message_spanish_user_from_english_page(people, client):
    from django.contrib.messages import get_messages

    response = sign_in(client, "delegada.mx@crm-workshop.test", prefix="/en")

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Ha iniciado sesión exitosamente como Delegada México (demo)."
