"""The live view of a session's agreements (``/agreements/session/<n>/live/``) and its poll.

An unchanged poll costs exactly one query through the whole stack (middleware included),
answers 204, or 304 to a matching ``If-None-Match``; a change made through the services
comes back as the new fragment; a token that is not this person's, this cookie's, this
session's or fresh enough gets the reload answer (403, ``HX-Refresh: true``), never data.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from agreements import services
from agreements.models import Agreement, SessionRecord
from participants.models import Participant
from tests.agreements.live_helpers import (
    HOSTILE,
    aged,
    get_counted,
    poll_url,
    token_of,
    with_token,
)
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

READERS = {"delegate", "focal_point_other", "observer", "moderator", "staff"}


@pytest.mark.parametrize("role", ROLES)
def test_live_page_and_poll_per_role(role, people, client_as, session1, record_agreement):
    agreement = record_agreement(session1, text_es="Intercambiar alertas migratorias.")
    client = client_as(people[role])

    page = client.get("/agreements/session/1/live/")
    unknown = client.get("/agreements/session/9/live/")
    bare_poll = client.get("/agreements/session/1/live/poll/?since=1&t=x")

    if role == "anonymous":
        assert page.status_code == 302
        assert page["Location"] == "/accounts/login/?next=/agreements/session/1/live/"
    elif role in READERS:
        assert page.status_code == 200
        html = page.content.decode()
        assert "Intercambiar alertas migratorias." in html
        assert f'id="agreement-{agreement.pk}"' in html
        assert poll_url(html).startswith("/agreements/session/1/live/poll/?since=")
        assert 'hx-trigger="every 2s"' in html
        assert page["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
        assert unknown.status_code == 404
    else:
        assert page.status_code == 404
        assert unknown.status_code == 404
    assert bare_poll.status_code == 403
    assert bare_poll["HX-Refresh"] == "true"
    assert b"Intercambiar" not in bare_poll.content


def test_unchanged_poll_costs_one_query_204_or_304(people, client_as, session1, record_agreement):
    record_agreement(session1)
    client = client_as(people["delegate"])
    url = poll_url(client.get("/agreements/session/1/live/").content.decode())

    response, queries = get_counted(client, url)
    assert response.status_code == 204
    assert response.content == b""
    assert len(queries) == 1, queries
    assert queries[0].startswith(
        'SELECT "agreements_sessionrecord"."revision" AS "revision" FROM "agreements_sessionrecord"'
    )
    etag = response["ETag"]
    revision = SessionRecord.objects.get(session=session1).revision
    assert etag == f'"agreements-{session1.pk}-{revision}"'

    response, queries = get_counted(client, url, if_none_match=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert len(queries) == 1, queries

    response, queries = get_counted(client, url, if_none_match='"agreements-0-0", W/' + etag)
    assert (response.status_code, len(queries)) == (304, 1)
    response, queries = get_counted(client, url, if_none_match='"agreements-0-0"')
    assert (response.status_code, len(queries)) == (204, 1)


def test_unchanged_poll_of_a_session_never_recorded_is_one_query(people, client_as, session2):
    client = client_as(people["observer"])
    html = client.get("/agreements/session/2/live/").content.decode()
    assert "Todavía no se ha registrado ningún acuerdo en esta sesión." in html
    response, queries = get_counted(client, poll_url(html))
    assert (response.status_code, len(queries)) == (204, 1)


def test_changed_poll_returns_the_new_agreement_and_a_fresh_token(
    people, client_as, session1, record_agreement
):
    record_agreement(session1, text_es="Primer acuerdo.")
    client = client_as(people["delegate"])
    url = poll_url(client.get("/agreements/session/1/live/").content.decode())

    record_agreement(session1, text_es="Crear un grupo de contacto entre fiscalías.")
    response, queries = get_counted(client, url)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="live-agreements"')
    assert "Crear un grupo de contacto entre fiscalías." in html
    assert "Primer acuerdo." in html
    assert "<html" not in html
    assert "Última actualización:" in html
    new_url = poll_url(html)
    revision = SessionRecord.objects.get(session=session1).revision
    assert f"since={revision}&" in new_url
    assert token_of(new_url) != token_of(url)
    assert response["ETag"] == f'"agreements-{session1.pk}-{revision}"'
    assert len(queries) > 1  # the full check again, then the fragment
    # The new token polls quietly again.
    response, queries = get_counted(client, new_url)
    assert (response.status_code, len(queries)) == (204, 1)


def test_every_service_change_reaches_the_poll(people, client_as, session1, record_agreement):
    first = record_agreement(session1, text_es="Acuerdo uno.")
    second = record_agreement(session1, text_es="Acuerdo dos.")
    moderator = people["moderator"]
    client = client_as(people["observer"])
    url = poll_url(client.get("/agreements/session/1/live/").content.decode())

    def changed(expect: str) -> None:
        nonlocal url
        response = client.get(url)
        assert response.status_code == 200, expect
        html = response.content.decode()
        assert expect in html
        url = poll_url(html)
        assert client.get(url).status_code == 204

    services.agreement_update(
        agreement=first, by=moderator, expected_version=1, text_es="Acuerdo uno, corregido."
    )
    changed("Acuerdo uno, corregido.")

    services.agreement_set_status(
        agreement=second, by=moderator, status=Agreement.Status.WITHDRAWN, expected_version=1
    )
    changed("<s>Acuerdo dos.</s>")

    services.agreement_move(agreement=second, by=moderator, direction="up")
    changed("Acuerdo 1</span>")
    html = client.get("/agreements/session/1/live/").content.decode()
    assert html.index("Acuerdo dos.") < html.index("Acuerdo uno, corregido.")

    services.session_close(session=session1, by=moderator)
    changed("Sesión cerrada: los acuerdos ya no cambian")


def test_foreign_expired_or_tampered_tokens_get_no_data(
    people, client_as, session1, session2, record_agreement
):
    record_agreement(session1, text_es="Dato reservado de la sesión.")
    record_agreement(session2, text_es="Otro dato de la segunda sesión.")
    delegate = client_as(people["delegate"])
    url = poll_url(delegate.get("/agreements/session/1/live/").content.decode())
    token = token_of(url)
    record_agreement(session1, text_es="Cambio posterior.")  # any valid token would get data

    observer = Client()
    observer.force_login(people["observer"])
    cookieless = Client()
    other_cookie = Client()
    other_cookie.force_login(people["delegate"])  # same person, another session cookie

    attempts = {
        "another person's cookie": (observer, url),
        "no session cookie": (cookieless, url),
        "same person, other cookie": (other_cookie, url),
        "expired": (delegate, with_token(url, aged(token, seconds=601))),
        "tampered signature": (delegate, with_token(url, token[:-2] + "xx")),
        "tampered revision": (delegate, url.replace("since=", "since=9")),
        "other session's URL": (delegate, url.replace("/session/1/", "/session/2/")),
        "no token": (delegate, url.split("&t=")[0]),
    }
    for label, (client, attempt) in attempts.items():
        response, queries = get_counted(client, attempt)
        assert response.status_code == 403, label
        assert response["HX-Refresh"] == "true", label
        body = response.content.decode()
        assert body == "La página de acuerdos caducó o cambió de sesión: vuelva a cargarla.", label
        assert queries == [], label
    # The genuine one still works.
    assert delegate.get(url).status_code == 200


def test_old_but_valid_token_is_renewed_with_a_full_check(
    people, client_as, session1, record_agreement
):
    record_agreement(session1)
    client = client_as(people["delegate"])
    url = poll_url(client.get("/agreements/session/1/live/").content.decode())
    old = with_token(url, aged(token_of(url), seconds=400))

    response = client.get(old)

    assert response.status_code == 200
    assert token_of(poll_url(response.content.decode())) != token_of(old)


def test_poll_after_losing_the_right_reloads_instead_of_answering(
    people, client_as, session1, record_agreement
):
    record_agreement(session1)
    client = client_as(people["delegate"])
    url = poll_url(client.get("/agreements/session/1/live/").content.decode())
    Participant.objects.filter(user=people["delegate"]).update(
        registration_status=Participant.RegistrationStatus.REJECTED
    )
    record_agreement(session1, text_es="Texto que ya no debe ver.")

    response = client.get(url)

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert "Texto que ya no debe ver." not in response.content.decode()
    assert client.get("/agreements/session/1/live/").status_code == 404

    client.logout()  # the session is gone server-side; the cookie token no longer matches
    assert client.get(url).status_code == 403


def test_signed_out_poll_with_the_old_cookie_gets_no_data(
    people, client_as, session1, record_agreement
):
    record_agreement(session1)
    client = client_as(people["delegate"])
    url = poll_url(client.get("/agreements/session/1/live/").content.decode())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.logout()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # replayed, but the session is gone
    record_agreement(session1, text_es="Cambio tras cerrar sesión.")

    response = client.get(url)

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert "Cambio tras cerrar sesión." not in response.content.decode()


def test_live_text_is_escaped_and_marked_with_its_language(
    people, client_as, session1, record_agreement
):
    record_agreement(session1, text_es=HOSTILE)
    record_agreement(session1, text_es="", text_en="Share data on smuggling routes.")
    client = client_as(people["delegate"])

    html = client.get("/agreements/session/1/live/").content.decode()

    assert "<script>alert" not in html
    assert "<img src=file" not in html
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=file:///etc/passwd&gt; "
        "&amp; «texto»" in html
    )
    assert '<p class="agreement-text" lang="en">Share data on smuggling routes.</p>' in html
    assert "Texto registrado solo en inglés." in html


def test_live_view_in_english(people, client_as, session1, record_agreement):
    record_agreement(session1, text_es="Texto en español.", text_en="Text in English.")
    record_agreement(session1, text_es="Solo en español.")
    client = client_as(people["delegate"])

    page = client.get("/en/agreements/session/1/live/")
    html = page.content.decode()
    url = poll_url(html)
    record_agreement(session1, text_es="Nuevo.", text_en="New one.")
    fragment = client.get(url).content.decode()

    assert page.status_code == 200
    assert '<html lang="en">' in html
    assert "Live agreements" in html
    assert "Text in English." in html
    assert "Texto en español." not in html
    assert '<p class="agreement-text" lang="es">Solo en español.</p>' in html
    assert "Text recorded in Spanish only." in html
    assert url.startswith("/en/agreements/session/1/live/poll/")
    assert "New one." in fragment
    assert "Last updated:" in fragment
    assert "Session open" in fragment


def test_a_token_naming_another_person_gets_no_data_even_with_this_cookie(
    people, client_as, session1, record_agreement
):
    from django.core import signing

    from agreements.views import live

    record_agreement(session1)
    client = client_as(people["delegate"])
    url = poll_url(client.get("/agreements/session/1/live/").content.decode())
    claims = signing.TimestampSigner(salt=live.TOKEN_SALT).unsign(token_of(url)).split(":")
    claims[0] = str(people["observer"].pk)  # genuine signature, another person's id
    forged = signing.TimestampSigner(salt=live.TOKEN_SALT).sign(":".join(claims))
    record_agreement(session1, text_es="Cambio que el token ajeno no debe traer.")

    response = client.get(with_token(url, forged))

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert "Cambio que el token ajeno" not in response.content.decode()
