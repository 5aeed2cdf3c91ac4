"""The whole-response cache of the public pages (agenda.page_cache) for anonymous readers.

A cache hit is recognised by what it does not do: it renders no template (the test client
records every rendered template in ``response.templates``) and runs no query.
"""

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from agenda import selectors
from agenda.models import AgendaItem, Workshop
from tests.factories import AgendaItemFactory, SessionFactory, UserFactory, WorkshopFactory, local

PUBLIC_PAGES = ["/", "/agenda/", "/agenda/session/1/"]
CLOSED_PORT_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def workshop(db):
    """One session, 14 June 2022 10:00-12:00 in San Salvador (UTC-06:00), one block."""
    workshop = WorkshopFactory(
        title_es="Taller de prueba",
        title_en="Test workshop",
        time_zone="America/El_Salvador",
    )
    session = SessionFactory(
        workshop=workshop,
        number=1,
        title_es="Primera sesión",
        title_en="First session",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 12),
    )
    AgendaItemFactory(
        session=session,
        order=1,
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 10, 20),
        title_es="Palabras de inauguración",
        title_en="Opening remarks",
    )
    return workshop


def first_time(response) -> str:
    """The first start time shown on the page (session card or agenda block)."""
    return re.search(r'<time datetime="[^"]+T[^"]+">(\d\d:\d\d)</time>', response.text).group(1)


def is_hit(response) -> bool:
    return response.status_code == 200 and response.templates == []


# --- what is served from the cache, and how exactly -------------------------------------------


@pytest.mark.parametrize(
    "url", [*PUBLIC_PAGES, "/en/", "/en/agenda/session/1/", "/agenda/?tz=America/Toronto"]
)
def test_cached_response_is_byte_identical_to_an_uncached_render(client, workshop, url):
    rendered = client.get(url)
    cached = client.get(url)
    # An unknown session cookie: still anonymous, but never served from the cache.
    other = Client()
    other.cookies["sessionid"] = "no-such-session"
    uncached = other.get(url)

    assert (is_hit(rendered), is_hit(cached), is_hit(uncached)) == (False, True, False)
    assert cached.content == rendered.content == uncached.content
    assert cached["Content-Type"] == rendered["Content-Type"] == "text/html; charset=utf-8"
    # Unprefixed (Spanish) paths also get Accept-Language from the locale middleware.
    vary = "Cookie" if url.startswith("/en/") else "Cookie, Accept-Language"
    assert cached["Vary"] == rendered["Vary"] == vary
    assert cached["X-Frame-Options"] == "DENY"
    assert cached.cookies == rendered.cookies == {}
    assert "csrfmiddlewaretoken" not in cached.text


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_cached_hit_runs_no_query(client, workshop, url, django_assert_num_queries):
    client.get(url)

    with django_assert_num_queries(0):
        response = client.get(url)

    assert is_hit(response)


def test_zone_and_language_each_get_their_own_entry(client, workshop):
    spanish = client.get("/agenda/")
    toronto = client.get("/agenda/", {"tz": "America/Toronto"})
    english = client.get("/en/agenda/")
    english_toronto = client.get("/en/agenda/", {"tz": "America/Toronto"})

    assert [is_hit(r) for r in (spanish, toronto, english, english_toronto)] == [False] * 4
    assert [first_time(r) for r in (spanish, toronto, english, english_toronto)] == [
        "10:00",
        "12:00",
        "10:00",
        "12:00",
    ]
    assert "Palabras de inauguración" in spanish.text
    assert "Opening remarks" in english.text
    assert is_hit(client.get("/agenda/?tz=America%2FToronto"))  # same zone, other spelling
    assert first_time(client.get("/en/agenda/?tz=America/Toronto")) == "12:00"


@pytest.mark.parametrize(
    "query",
    ["tz=Mars/Olympus", "tz=", "tz=UTC&tz=America/Toronto", "tz=UTC&ref=newsletter", "ref=x"],
)
def test_other_queries_are_rendered_every_time(client, workshop, query):
    first = client.get(f"/agenda/?{query}")
    second = client.get(f"/agenda/?{query}")

    assert (first.status_code, second.status_code) == (200, 200)
    assert (is_hit(first), is_hit(second)) == (False, False)


def test_non_canonical_path_is_not_stored(client, workshop):
    client.get("/agenda/session/01/")

    response = client.get("/agenda/session/01/")

    assert response.status_code == 200
    assert not is_hit(response)


def test_missing_session_404_is_not_stored(client, workshop):
    assert client.get("/agenda/session/9/").status_code == 404
    assert client.get("/agenda/session/9/").status_code == 404


# --- signed-in readers and one-off messages ---------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_signed_in_reader_never_gets_the_anonymous_page(client, workshop, url):
    anonymous = client.get(url)
    assert "Iniciar sesión" in anonymous.text
    client.force_login(UserFactory(time_zone="America/Mexico_City"))

    signed_in = client.get(url)

    assert not is_hit(signed_in)
    assert "Cerrar sesión" in signed_in.text
    assert "Iniciar sesión" not in signed_in.text
    assert first_time(anonymous) == "10:00"
    assert first_time(signed_in) == "11:00"  # the reader's own zone, UTC-05:00


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_signed_in_page_is_never_served_to_anonymous_readers(client, workshop, url):
    client.force_login(UserFactory(time_zone="America/Mexico_City"))
    client.get(url)
    client.get(url)

    anonymous = Client().get(url)

    assert "Iniciar sesión" in anonymous.text
    assert "Cerrar sesión" not in anonymous.text
    assert first_time(anonymous) == "10:00"


def test_page_with_a_message_is_neither_served_from_nor_stored_in_the_cache(client, workshop):
    client.get("/")  # the anonymous page is cached
    client.force_login(UserFactory())
    logout = client.post("/accounts/logout/")
    assert "messages" in logout.cookies  # allauth's "signed out" message waits in a cookie

    with_message = client.get("/")
    after = client.get("/")

    assert not is_hit(with_message)
    assert "Ha cerrado sesión" in with_message.text
    assert "Ha cerrado sesión" not in after.text
    assert is_hit(after)


# --- invalidation and outages -----------------------------------------------------------------


def test_agenda_edit_invalidates_the_cached_pages(client, workshop):
    for url in PUBLIC_PAGES:
        client.get(url)
    item = AgendaItem.objects.get(title_es="Palabras de inauguración")
    item.title_es = "Palabras de bienvenida"
    item.save()
    session = item.session
    session.title_es = "Sesión renombrada"
    session.save()

    home, agenda, single = (client.get(url) for url in PUBLIC_PAGES)

    assert "Sesión renombrada" in home.text
    assert "Palabras de bienvenida" in agenda.text
    assert "Palabras de bienvenida" in single.text
    assert "Palabras de inauguración" not in agenda.text + single.text


def test_change_made_by_another_process_shows_within_the_recheck_interval(client, workshop):
    client.get("/")
    # Another process edits the title and bumps the shared version; this process's signals
    # never fire (QuerySet.update sends none), so only the shared cache tells it.
    Workshop.objects.filter(pk=workshop.pk).update(title_es="Título editado en otro proceso")
    cache.incr(selectors.agenda_cache_key("version"))

    time.sleep(selectors.VERSION_RECHECK_SECONDS + 0.1)
    response = client.get("/")

    assert "Título editado en otro proceso" in response.text


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_cache_outage_still_serves_the_page(client, workshop, url):
    with override_settings(CACHES=CLOSED_PORT_REDIS):
        first = client.get(url)
        second = client.get(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "Primera sesión" in first.text
    assert second.content == first.content
    assert first_time(first) == "10:00"


# --- signed-in readers: the page is rendered, its content comes from the fragment cache -------


def test_home_content_is_cached_for_signed_in_readers(client, workshop, django_assert_num_queries):
    client.force_login(UserFactory(time_zone="America/Mexico_City"))
    client.get("/")

    with django_assert_num_queries(2):  # the session and the user; no workshop data
        response = client.get("/")

    assert not is_hit(response)
    assert "Cerrar sesión" in response.text
    assert first_time(response) == "11:00"


def test_agenda_edit_shows_to_signed_in_readers(client, workshop):
    client.force_login(UserFactory())
    client.get("/")
    workshop.title_es = "Título corregido"
    workshop.save()

    response = client.get("/")

    assert "Título corregido" in response.text
