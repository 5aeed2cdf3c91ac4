"""The participants' side of the follow-up: ``/agreements/country/`` and the home card."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Organisation, Participant
from tests.agreements.followup_helpers import (
    HOSTILE,
    add_entry,
    article,
    listed_numbers,
    make_agreement,
    scenario,
)

pytestmark = pytest.mark.django_db

COUNTRY = "/agreements/country/"
HOME = "/home/"


@pytest.mark.parametrize(
    ("role", "title", "numbers"),
    [
        ("delegate", "Los acuerdos de México", [1, 3]),  # not 4: withdrawn
        ("focal_point_other", "Los acuerdos de El Salvador", [1, 2]),
        ("observer", "Los acuerdos de RROCM", [2]),  # its organisation is responsible
        ("moderator", "Los acuerdos de PPT", []),
    ],
)
def test_each_participant_sees_their_party_agreements(
    role, title, numbers, demo, people, client_as
):
    scenario(demo, people)
    page = client_as(people[role]).get(COUNTRY).content.decode()

    assert f'<h1 class="mb-1">{title}</h1>' in page
    assert listed_numbers(page) == numbers
    assert "followup-entry" not in page  # no form to record progress
    assert "Secretaría Ejecutiva (demo)" not in page  # the notes, not who wrote them
    if not numbers:
        assert "Todavía ningún acuerdo nombra a PPT entre los responsables." in page


def test_delegate_reads_the_dated_notes_and_what_is_overdue(demo, people, client_as):
    scenario(demo, people)
    page = client_as(people["delegate"]).get(COUNTRY).content.decode()

    assert "2 acuerdos · <strong>1 vencido</strong>" in page
    one = article(page, 1)
    assert ">Adoptado<" in one
    assert "Cumplido</span>" in one
    assert "El Salvador, Guatemala, México" in one
    notes = one[one.index('<ol class="followup-notes') :]
    assert "15 de noviembre de 2022 · Cumplido.</span> Informe enviado." in notes
    assert "1 de agosto de 2022 · En curso.</span> Primera reunión." in notes
    assert notes.index("Informe enviado.") < notes.index("Primera reunión.")
    three = article(page, 3)
    assert "⚠ </span>Vencido</span>" in three
    assert "(vencida)" in three
    assert "Hoy es" in page
    assert "(America/El_Salvador)" in page


def test_participant_with_country_and_organisation_sees_both(demo, people, client_as):
    scenario(demo, people)
    participant = Participant.objects.get(user=people["delegate"], workshop=demo)
    participant.organisation = Organisation.objects.get(code="SSPC-MX")
    participant.save(update_fields=["organisation"])
    sspc = make_agreement(
        demo.sessions.get(number=2), by=people["staff"], organisations=("SSPC-MX",)
    )
    page = client_as(people["delegate"]).get(COUNTRY).content.decode()

    assert listed_numbers(page) == [1, 3, sspc.number]
    assert "nombran a México o SSPC entre los responsables" in page


def test_participant_without_country_or_organisation_is_told(demo, people, client_as):
    scenario(demo, people)
    Participant.objects.filter(user=people["observer"], workshop=demo).update(organisation=None)
    client = client_as(people["observer"])

    page = client.get(COUNTRY).content.decode()
    assert '<h1 class="mb-1">Los acuerdos de su país</h1>' in page
    assert "Su registro no está vinculado a la delegación de un país ni a una organización" in page
    assert listed_numbers(page) == []

    home = client.get(HOME).content.decode()
    assert "ningún acuerdo le corresponde como responsable." in home
    assert 'href="/agreements/country/"' not in home


def test_hostile_text_is_escaped_for_participants(demo, people, client_as):
    agreement = make_agreement(
        demo.sessions.get(number=1),
        by=people["staff"],
        text_es="Acuerdo " + HOSTILE,
        countries=("MX",),
    )
    add_entry(
        agreement,
        by=people["staff"],
        status="in_progress",
        date=dt.date(2022, 7, 1),
        note="Nota " + HOSTILE,
    )
    page = client_as(people["delegate"]).get(COUNTRY).content.decode()

    assert "<script>alert" not in page
    assert "<img src=file" not in page
    assert "Acuerdo &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=file:///etc/passwd&gt;" in page
    assert "Nota &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_country_page_in_english(demo, people, client_as):
    scenario(demo, people)
    page = client_as(people["delegate"]).get("/en" + COUNTRY).content.decode()

    assert '<html lang="en">' in page
    assert '<h1 class="mb-1">The agreements of Mexico</h1>' in page
    assert "2 agreements · <strong>1 overdue</strong>" in page
    assert "Share information on migrant smuggling routes." in page
    assert "Nov. 15, 2022 · Completed.</span> Informe enviado." in page
    assert "Responsible countries" in page
    assert "Overdue</span>" in page


def test_home_card_counts_by_follow_up_status(demo, people, client_as):
    scenario(demo, people)
    page = client_as(people["delegate"]).get(HOME).content.decode()

    card = page[page.index('aria-labelledby="home-agreements-heading"') :]
    card = card[: card.index("</section>")]
    assert '<h2 id="home-agreements-heading" class="h4">Los acuerdos de México</h2>' in card
    assert (
        "2 acuerdos nombran a México entre los responsables. <strong>1 está vencido.</strong>"
        in card
    )
    assert "<li>Pendiente: <strong>0</strong></li>" in card
    assert "<li>En curso: <strong>1</strong></li>" in card
    assert "<li>Cumplido: <strong>1</strong></li>" in card
    assert '<a href="/agreements/country/">Ver esos acuerdos y sus avances</a>' in card


def test_home_card_for_an_organisation_and_in_english(demo, people, client_as):
    scenario(demo, people)
    client = client_as(people["observer"])

    page = client.get(HOME).content.decode()
    assert "1 acuerdo nombra a RROCM entre los responsables." in page
    assert "<li>Pendiente: <strong>1</strong></li>" in page

    english = client.get("/en" + HOME).content.decode()
    assert "The agreements of RNCOM" in english
    assert "1 agreement names RNCOM among those responsible." in english
    assert "<li>Pending: <strong>1</strong></li>" in english
    assert '<a href="/en/agreements/country/">See those agreements and their progress</a>' in (
        english
    )


def test_home_card_without_agreements(demo, people, client_as):
    page = client_as(people["moderator"]).get(HOME).content.decode()

    assert "Todavía ningún acuerdo nombra a PPT entre los responsables." in page


def _many(demo, people, count):
    session = demo.sessions.get(number=1)
    for n in range(count):
        agreement = make_agreement(
            session,
            by=people["staff"],
            text_es=f"Acuerdo {n}.",
            countries=("MX", "SV"),
            due_date=dt.date(2023, 1, 1),
        )
        add_entry(agreement, by=people["staff"], status="in_progress", date=dt.date(2022, 7, 1))


@pytest.mark.parametrize("count", [1, 30])
def test_country_page_query_count_does_not_grow(count, demo, people, client_as):
    _many(demo, people, count)
    client = client_as(people["delegate"])
    client.get(COUNTRY)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(COUNTRY).content.decode()

    assert listed_numbers(page) == list(range(1, count + 1))
    # session, user, workshop, participant, agreements, countries, organisations, entries
    # with who recorded them, and the site's per-request reads.
    assert len(queries) == 10, "\n".join(q["sql"] for q in queries.captured_queries)


def test_home_card_adds_one_query_whatever_the_agreements(demo, people, client_as):
    client = client_as(people["focal_point_other"])
    client.get(HOME)
    with CaptureQueriesContext(connection) as none:
        client.get(HOME)
    _many(demo, people, 30)
    with CaptureQueriesContext(connection) as many:
        page = client.get(HOME).content.decode()

    assert "30 acuerdos nombran a El Salvador entre los responsables." in page
    card_queries = [q["sql"] for q in many.captured_queries if "agreements_agreement" in q["sql"]]
    assert len(card_queries) == 1
    assert len(none) == len(many)
