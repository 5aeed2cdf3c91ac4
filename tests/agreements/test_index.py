"""``/agreements/``: the workshop's agreements by session, for whoever may read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services
from agreements.models import Agreement
from participants.models import Country, Organisation
from tests.agreements.live_helpers import HOSTILE
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

READERS = {"delegate", "focal_point_other", "observer", "moderator", "staff"}


@pytest.mark.parametrize("role", ROLES)
def test_index_per_role(role, people, client_as, session1, record_agreement):
    record_agreement(session1, text_es="Intercambiar alertas migratorias.")
    client = client_as(people[role])

    response = client.get("/agreements/")
    home = client.get("/home/") if role != "anonymous" else None

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/agreements/"
    elif role in READERS:
        assert response.status_code == 200
        assert "Intercambiar alertas migratorias." in response.content.decode()
        # The header links to the agreements (staff always; others once their approved
        # registration was seen, here by the agreements page itself).
        assert '<a class="nav-link active" href="/agreements/" aria-current="page">' in (
            response.content.decode()
        )
    else:
        assert response.status_code == 404
        assert b"Intercambiar" not in response.content
    if home is not None:
        link = 'href="/agreements/"' in client.get("/agenda/").content.decode()
        assert link is (role in READERS), role


def test_index_groups_by_session_with_everything_a_row_shows(
    demo, people, client_as, session1, session2, record_agreement
):
    item = session1.items.order_by("order").first()
    axis = demo.axes.order_by("number").first()
    mx, sv = Country.objects.get(pk="MX"), Country.objects.get(pk="SV")
    oim = Organisation.objects.filter(acronym_es="OIM").first()
    first = record_agreement(
        session1,
        text_es="Crear una red de puntos focales.",
        agenda_item=item,
        axis=axis,
        term=Agreement.Term.MEDIUM,
        due_date=dt.date(2022, 12, 31),
        countries=[mx, sv],
        organisations=[oim],
    )
    withdrawn = record_agreement(session1, text_es="Propuesta retirada.")
    services.agreement_set_status(
        agreement=withdrawn, by=people["moderator"], status="withdrawn", expected_version=1
    )
    record_agreement(session2, text_es="", text_en="Only in English.")
    record_agreement(session2, text_es=HOSTILE)
    services.session_close(session=session1, by=people["moderator"])

    html = client_as(people["observer"]).get("/agreements/").content.decode()

    s1, s2 = html.index('id="session-1-heading"'), html.index('id="session-2-heading"')
    assert s1 < html.index("Crear una red de puntos focales.") < s2
    assert s2 < html.index("Only in English.")
    assert html.count("Sesión cerrada</span>") == 1
    assert html.count("Sesión abierta</span>") == 1
    assert html.index("Sesión cerrada</span>") < s2 < html.index("Sesión abierta</span>")
    assert 'href="/agreements/session/1/live/"' in html
    assert 'href="/agreements/session/2/live/"' in html
    row = html[
        html.index(f'id="agreement-{first.pk}"') : html.index(f'id="agreement-{withdrawn.pk}"')
    ]
    assert "Acuerdo 1</span>" in row
    assert '<span class="agreement-status agreement-status-proposed">Propuesto</span>' in row
    assert f"<dd>El Salvador, México, {oim.short_name}</dd>" in row
    assert "<dd>Mediano plazo</dd>" in row
    assert '<time datetime="2022-12-31">31 de diciembre de 2022</time>' in row
    assert f"<dd>{item.title_es}</dd>" in row
    assert f"<dd>{axis}</dd>" in row
    assert '<li class="agreement agreement-withdrawn"' in html
    assert "<s>Propuesta retirada.</s>" in html
    assert '<span class="agreement-status agreement-status-withdrawn">Retirado</span>' in html
    assert '<p class="agreement-text" lang="en">Only in English.</p>' in html
    assert "<script>alert" not in html
    assert "<img src=file" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<dd>Sin asignar</dd>" in html
    assert "<dd>Sin fecha</dd>" in html
    assert "Última actualización:" in html
    assert "(America/" in html or "(UTC" in html


def test_index_in_english(people, client_as, session1, record_agreement):
    record_agreement(session1, text_es="Texto en español.", text_en="Text in English.")
    record_agreement(session1, text_es="Solo en español.")

    response = client_as(people["delegate"]).get("/en/agreements/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert '<h1 class="mb-1">Agreements</h1>' in html
    assert "Text in English." in html
    assert "Texto en español." not in html
    assert '<p class="agreement-text" lang="es">Solo en español.</p>' in html
    assert "Text recorded in Spanish only." in html
    assert "Follow the agreements of" in html
    assert 'href="/en/agreements/session/1/live/"' in html
    assert "Short term" in html or "Short-term" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _agreements(session, moderator, count, countries, organisations) -> None:
    for number in range(count):
        services.agreement_create(
            session=session,
            by=moderator,
            text_es=f"Acuerdo de prueba {number}.",
            agenda_item=session.items.order_by("order").first(),
            axis=session.workshop.axes.order_by("number").first(),
            countries=countries,
            organisations=organisations,
        )


@pytest.mark.parametrize("role", ["delegate", "staff"])
def test_index_and_live_query_counts_do_not_grow(role, people, client_as, session1, session2, demo):
    countries = list(Country.objects.all()[:3])
    organisations = list(Organisation.objects.all()[:2])
    client = client_as(people[role])
    _agreements(session1, people["moderator"], 1, countries, organisations)
    client.get("/agreements/")  # first visit: the session remembers the header link
    one = (_queries(client, "/agreements/"), _queries(client, "/agreements/session/1/live/"))
    _agreements(session1, people["moderator"], 20, countries, organisations)
    _agreements(session2, people["moderator"], 9, countries, organisations)
    assert Agreement.objects.count() == 30
    many = (_queries(client, "/agreements/"), _queries(client, "/agreements/session/1/live/"))

    assert one == many
    # savepoints (ATOMIC_REQUESTS in a test), session, user, workshop, the rule (2 for a
    # participant), the selector (4 for the index, 4 for the live page), the zone; on the
    # live page, whether a participant moderates the session (its console link).
    assert one == {"delegate": (12, 13), "staff": (10, 10)}[role]


def test_selectors_cost_what_their_docstrings_say(
    demo, people, session1, session2, django_assert_num_queries
):
    from agreements import selectors

    countries = list(Country.objects.all()[:2])
    organisations = list(Organisation.objects.all()[:2])
    _agreements(session1, people["moderator"], 3, countries, organisations)
    _agreements(session2, people["moderator"], 2, countries, organisations)

    with django_assert_num_queries(4):
        sessions = selectors.workshop_agreements(workshop=demo)
        rows = [
            (
                a.number,
                a.text,
                a.axis_id and a.axis.title,
                a.agenda_item.title,
                len(a.responsible_countries.all()),
                len(a.responsible_organisations.all()),
            )
            for session in sessions
            for a in session.agreement_list
        ]
        states = [selectors.record_of(session).revision for session in sessions]
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5]
    assert all(row[4:] == (2, 2) for row in rows)
    assert len(states) == 2
    with django_assert_num_queries(3):
        assert len(selectors.session_agreements(session=session2)) == 2
    with django_assert_num_queries(1):
        assert selectors.session_revision(session_id=session1.pk) == states[0]


def test_header_link_is_learnt_from_the_home_page_after_an_approval(people, client_as):
    from participants.models import Participant

    pending = people["pending"]
    client = client_as(pending)  # decided at sign-in: not approved yet
    assert 'href="/agreements/"' not in client.get("/agenda/").content.decode()
    Participant.objects.filter(user=pending).update(
        registration_status=Participant.RegistrationStatus.APPROVED
    )
    assert 'href="/agreements/"' not in client.get("/agenda/").content.decode()

    client.get("/home/", follow=True)  # loads the reader's registration

    assert 'href="/agreements/"' in client.get("/agenda/").content.decode()
