"""What the moderator console does: record, edit, reorder, adopt and withdraw; two
moderators at once; the history; closing and reopening; bad input; query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agenda.models import Axis
from agreements import services
from agreements.models import Agreement, SessionRecord
from participants.models import Country, Organisation
from tests.agreements.console_helpers import (
    agreement_post,
    close_url,
    console_url,
    edit_url,
    move_url,
    reopen_url,
    snapshot,
    soup,
    status_url,
    text_of,
)
from tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> <img src=file:///etc/passwd>'


@pytest.fixture
def moderator(client_as, people):
    return client_as(people["moderator"])


def _texts(session):
    return list(session.agreements.order_by("number").values_list("number", "text_es", "status"))


# --- Record ----------------------------------------------------------------------------------


def test_moderator_records_an_agreement_with_every_field(moderator, people, demo, session1):
    data = agreement_post(session1)
    response = moderator.post(console_url(), data)

    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/moderation/session/1/#agreement-{agreement.pk}"
    assert (
        agreement.number,
        agreement.text_es,
        agreement.text_en,
        agreement.axis.number,
        agreement.agenda_item_id,
        agreement.term,
        agreement.due_date,
        agreement.status,
        agreement.version,
        agreement.created_by,
    ) == (
        1,
        "Intercambiar alertas migratorias sobre rutas de tráfico ilícito.",
        "Exchange migration alerts on smuggling routes.",
        1,
        data["agenda_item"],
        "medium",
        dt.date(2022, 12, 31),
        "proposed",
        1,
        people["moderator"],
    )
    assert sorted(agreement.responsible_countries.values_list("pk", flat=True)) == ["MX", "SV"]
    assert list(agreement.responsible_organisations.values_list("code", flat=True)) == ["OIM"]
    page = moderator.get(console_url())
    assert "Acuerdo 1 registrado." in text_of(page)
    card = soup(page).find(id=f"agreement-{agreement.pk}")
    card_text = card.get_text(" ", strip=True)
    for shown in (
        "Acuerdo 1",
        "Propuesto",
        "Intercambiar alertas migratorias",
        "Exchange migration alerts",
        "Eje 1: Inteligencia e investigación",
        "El Salvador, México",
        "OIM",
        "Mediano plazo",
        "31 de diciembre de 2022",
    ):
        assert shown in card_text, shown
    assert (
        card.find(lang="en").get_text(strip=True)
        == "Exchange migration alerts on smuggling routes."
    )


def test_english_only_agreement_is_accepted(moderator, session1):
    response = moderator.post(console_url(), agreement_post(session1, text_es=""))
    assert response.status_code == 302
    assert Agreement.objects.get().text_en == "Exchange migration alerts on smuggling routes."


BAD_INPUT = {
    "no text": (
        {"text_es": "  ", "text_en": ""},
        "Escriba el texto del acuerdo en español, en inglés o en ambos idiomas.",
    ),
    "too long": (
        {"text_es": "a" * 5001},
        "El texto tiene 5001 caracteres; el máximo es 5000.",
    ),
    "agenda item of session 2": (
        {"agenda_item": "S2_ITEM"},
        "Escoja una opción válida. Esa opción no está entre las disponibles.",
    ),
    "axis of another workshop": (
        {"axis": "FOREIGN_AXIS"},
        "Escoja una opción válida. Esa opción no está entre las disponibles.",
    ),
    "country without a delegation": (
        {"responsible_countries": ["MX", "AR"]},
        "Escoja una opción válida. AR no es una de las opciones disponibles.",
    ),
    "unknown organisation": (
        {"responsible_organisations": ["999999"]},
        "Escoja una opción válida. 999999 no es una de las opciones disponibles.",
    ),
    "bad term": ({"term": "long"}, "Escoja una opción válida."),
    "bad date": ({"due_date": "31/12/2022"}, "Introduzca una fecha válida."),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    moderator, demo, session1, session2, case
):
    overrides, message = BAD_INPUT[case]
    overrides = dict(overrides)
    if overrides.get("agenda_item") == "S2_ITEM":
        overrides["agenda_item"] = session2.items.first().pk
    if overrides.get("axis") == "FOREIGN_AXIS":
        other = WorkshopFactory(is_published=False)
        overrides["axis"] = Axis.objects.create(workshop=other, number=1, title_es="Otro").pk
    Country.objects.create(
        iso_code="AR", name_es="Argentina", name_en="Argentina", time_zone="America/Buenos_Aires"
    )
    before = snapshot()

    response = moderator.post(console_url(), agreement_post(session1, **overrides))

    assert response.status_code == 400
    assert snapshot() == before
    text = text_of(response)
    assert message in text
    assert "El acuerdo no se registró: corrija lo indicado en el formulario." in text
    # What was typed is still in the form.
    form = soup(response).find(id="agreement-form")
    typed = overrides.get("text_es", "Intercambiar alertas migratorias sobre rutas de tráfico")
    assert typed.strip()[:40] in form.find("textarea", attrs={"name": "text_es"}).get_text()


def test_hostile_text_is_shown_escaped_in_the_card_history_and_conflict(
    moderator, people, session1, record_agreement
):
    agreement = record_agreement(session1, HOSTILE, text_en=HOSTILE)
    services.agreement_update(
        agreement=agreement, by=people["staff"], expected_version=1, text_es=HOSTILE + " v2"
    )
    pages = [moderator.get(console_url()), moderator.get(edit_url(agreement))]
    pages.append(
        moderator.post(
            edit_url(agreement),
            agreement_post(session1, text_es=HOSTILE + " mío", expected_version=1),
        )
    )
    assert [page.status_code for page in pages] == [200, 200, 409]
    for page in pages:
        html = page.content.decode()
        assert "<script>alert" not in html
        assert "<img src=file:///etc/passwd>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "&lt;img src=file:///etc/passwd&gt;" in html


# --- Edit, two moderators at once ----------------------------------------------------------


def test_edit_saves_with_the_expected_version_and_history_shows_the_change(
    moderator, people, demo, session1, record_agreement
):
    mexico = Country.objects.get(pk="MX")
    agreement = record_agreement(session1, "Texto original", countries=[mexico])
    page = moderator.get(edit_url(agreement))
    form = soup(page).find(id="agreement-form")
    assert form.find("input", attrs={"name": "expected_version"})["value"] == "1"
    assert form.find("textarea", attrs={"name": "text_es"}).get_text().strip() == "Texto original"

    response = moderator.post(
        edit_url(agreement),
        agreement_post(
            session1,
            text_es="Texto corregido",
            text_en="",
            responsible_countries=["MX", "GT"],
            responsible_organisations=[],
            expected_version=1,
        ),
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.text_es, agreement.version, agreement.updated_by) == (
        "Texto corregido",
        2,
        people["moderator"],
    )
    console = moderator.get(console_url())
    history = soup(console).find(id=f"agreement-{agreement.pk}").find("details")
    entries = [li.get_text(" ", strip=True) for li in history.select("li.console-change")]
    assert len(entries) == 2
    newest, created = entries
    assert newest.startswith("Lo modificó · Moderador (demo)")
    assert "America/El_Salvador, UTC−06:00" in newest
    assert "versión 2" in newest
    assert "Texto del acuerdo (español) Antes: Texto original Después: Texto corregido" in newest
    assert "Países responsables México → pasó a Guatemala, México" in newest
    assert "Eje — → pasó a Eje 1: Inteligencia e investigación" in newest
    assert "Plazo Corto plazo → pasó a Mediano plazo" in newest
    assert created.startswith("Registró el acuerdo · Moderador (demo)")
    assert "Acuerdo 1 guardado (versión 2)." in text_of(console)


def test_stale_save_answers_409_with_both_versions_and_three_ways_out(
    moderator, people, session1, record_agreement
):
    agreement = record_agreement(session1, "Texto original")
    services.agreement_update(
        agreement=agreement, by=people["staff"], expected_version=1, text_es="Texto de Ana"
    )
    before = snapshot()

    mine = agreement_post(session1, text_es="Texto de Luis", text_en="", expected_version=1)
    response = moderator.post(edit_url(agreement), mine)

    assert response.status_code == 409
    assert snapshot() == before
    page = soup(response)
    theirs = page.select_one(".console-theirs").get_text(" ", strip=True)
    yours = page.select_one(".console-mine").get_text(" ", strip=True)
    assert "Texto de Ana" in theirs
    assert "Texto de Luis" not in theirs
    assert "Guardada por Secretaría Ejecutiva (demo) (versión 2)" in theirs
    assert "Texto de Luis" in yours
    assert "Texto de Ana" not in yours
    assert "Otra persona guardó este acuerdo mientras usted lo editaba." in text_of(response)
    keep = page.find(id="keep-mine-form")
    hidden = {
        i["name"]: i.get("value")
        for i in keep.find_all("input")
        if i["name"] != "csrfmiddlewaretoken"
    }
    assert hidden["text_es"] == "Texto de Luis"
    assert hidden["expected_version"] == "2"
    combined = page.find(id="combined-form")
    combined_text = combined.find("textarea", attrs={"name": "text_es"}).get_text().strip()
    assert combined_text.startswith("[Texto guardado por Secretaría Ejecutiva (demo) el ")
    assert combined_text.endswith("Texto de Ana\n\n[Su texto]\nTexto de Luis")
    assert combined.find("input", attrs={"name": "expected_version"})["value"] == "2"
    keep_theirs = page.find("a", string="Quedarme con la versión guardada")
    assert keep_theirs["href"] == f"/moderation/session/1/#agreement-{agreement.pk}"

    # "Keep mine": the hidden form re-posted as the browser would send it.
    data = {}
    for field in keep.find_all("input"):
        if field["name"] == "csrfmiddlewaretoken":
            continue
        data.setdefault(field["name"], []).append(field.get("value", ""))
    response = moderator.post(edit_url(agreement), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.text_es, agreement.version) == ("Texto de Luis", 3)
    assert sorted(agreement.responsible_countries.values_list("pk", flat=True)) == ["MX", "SV"]


def test_stale_save_of_the_same_version_is_not_a_conflict(
    moderator, people, session1, record_agreement
):
    agreement = record_agreement(session1, "Texto original")
    same = agreement_post(session1, text_es="Texto de los dos", text_en="", expected_version=1)
    assert moderator.post(edit_url(agreement), same).status_code == 302
    response = moderator.post(edit_url(agreement), same)
    assert response.status_code == 302
    assert "Otra persona ya había guardado exactamente esta versión del acuerdo (versión 2)." in (
        text_of(moderator.get(console_url()))
    )


def test_edit_without_version_is_refused(moderator, session1, record_agreement):
    agreement = record_agreement(session1, "Texto original")
    before = snapshot()
    response = moderator.post(edit_url(agreement), agreement_post(session1, text_es="Otro"))
    assert response.status_code == 400
    assert snapshot() == before


# --- Reorder, adopt, withdraw ---------------------------------------------------------------


def test_move_up_and_down_renumbers(moderator, session1, session2, record_agreement):
    first = record_agreement(session1, "A")
    second = record_agreement(session1, "B")
    record_agreement(session2, "C")

    assert moderator.post(move_url(second), {"direction": "up"}).status_code == 302
    assert _texts(session1) == [(1, "B", "proposed"), (2, "A", "proposed")]
    assert moderator.post(move_url(second), {"direction": "down"}).status_code == 302
    assert _texts(session1) == [(1, "A", "proposed"), (2, "B", "proposed")]
    before = snapshot()
    refused = moderator.post(move_url(first), {"direction": "up"})
    assert refused.status_code == 409
    assert "Ese acuerdo ya está en el extremo de la lista: no se movió nada." in text_of(refused)
    assert moderator.post(move_url(first), {"direction": "sideways"}).status_code == 400
    assert snapshot() == before
    page = soup(moderator.get(console_url()))
    buttons = [b.get_text(" ", strip=True) for b in page.select(".console-card-actions button")]
    assert buttons == [
        "Bajar el acuerdo 1",
        "Adoptar el acuerdo 1",
        "Retirar el acuerdo 1",
        "Subir el acuerdo 2",
        "Adoptar el acuerdo 2",
        "Retirar el acuerdo 2",
    ]


def test_adopt_withdraw_and_back_to_proposed(moderator, session1, record_agreement):
    agreement = record_agreement(session1, "A")
    for version, status, label in [
        (1, "adopted", "Adoptado"),
        (2, "withdrawn", "Retirado"),
        (3, "proposed", "Propuesto"),
    ]:
        response = moderator.post(
            status_url(agreement), {"status": status, "expected_version": version}
        )
        assert response.status_code == 302
        agreement.refresh_from_db()
        assert (agreement.status, agreement.version) == (status, version + 1)
        badge = soup(moderator.get(console_url())).select_one(".console-badge")
        assert badge.get_text(strip=True) == label
    assert agreement.history.count() == 4


def test_stale_status_change_is_refused_with_409(moderator, people, session1, record_agreement):
    agreement = record_agreement(session1, "A")
    services.agreement_update(
        agreement=agreement, by=people["staff"], expected_version=1, text_es="A cambiado"
    )
    before = snapshot()
    response = moderator.post(status_url(agreement), {"status": "adopted", "expected_version": 1})
    assert response.status_code == 409
    assert snapshot() == before
    assert "Otra persona modificó el acuerdo 1 mientras usted lo veía" in text_of(response)
    for bad in ({"status": "adopted"}, {"status": "done", "expected_version": 2}):
        assert moderator.post(status_url(agreement), bad).status_code == 400
    assert snapshot() == before


# --- Closing and reopening ------------------------------------------------------------------


def test_closing_needs_confirmation(moderator, session1):
    before = snapshot()
    response = moderator.post(close_url(), {})
    assert response.status_code == 400
    assert snapshot() == before
    assert "Marque la casilla para confirmar el cierre: la sesión sigue abierta." in text_of(
        response
    )


def test_closed_session_refuses_every_write_and_shows_who_closed_it(
    moderator, client_as, people, session1, record_agreement
):
    first = record_agreement(session1, "A")
    second = record_agreement(session1, "B")
    assert moderator.post(close_url(), {"confirm": "on"}).status_code == 302
    record = SessionRecord.objects.get(session=session1)
    assert record.closed_by == people["moderator"]

    for client in (moderator, client_as(people["staff"])):
        before = snapshot()
        writes = [
            (console_url(), agreement_post(session1, text_es="Nuevo tras el cierre")),
            (
                edit_url(first),
                agreement_post(session1, text_es="Editado tras el cierre", expected_version=1),
            ),
            (move_url(second), {"direction": "up"}),
            (status_url(first), {"status": "adopted", "expected_version": 1}),
        ]
        for url, data in writes:
            response = client.post(url, data)
            assert response.status_code == 409, url
            assert "La sesión está cerrada: sus acuerdos ya no se pueden modificar." in text_of(
                response
            )
            assert snapshot() == before, url
        # What was typed is shown back to be copied.
        response = client.post(*writes[0])
        assert "Nuevo tras el cierre" in soup(response).find(id="unsaved-es").get_text()
        response = client.post(*writes[1])
        assert "Editado tras el cierre" in soup(response).find(id="unsaved-es").get_text()

    moderator = client_as(people["moderator"])  # the same test client, signed in again
    page = moderator.get(console_url())
    text = text_of(page)
    assert "Sesión cerrada. La cerró Moderador (demo)," in text
    assert "(America/El_Salvador, UTC−06:00)" in text
    html = soup(page)
    assert html.find(id="agreement-form") is None
    assert html.find(id="close-form") is None
    assert html.find(id="reopen-form") is None  # moderators do not reopen
    assert html.select(".console-card-actions") == []
    assert soup(moderator.get(edit_url(first))).find(id="agreement-form") is None
    # Closing again changes nothing.
    before = snapshot()
    assert moderator.post(close_url(), {"confirm": "on"}).status_code == 302
    assert snapshot() == before


def test_staff_reopen_needs_a_reason_which_the_console_shows(
    client_as, people, session1, record_agreement
):
    record_agreement(session1, "A")
    services.session_close(session=session1, by=people["moderator"])
    staff = client_as(people["staff"])
    assert soup(staff.get(console_url())).find(id="reopen-form") is not None

    before = snapshot()
    response = staff.post(reopen_url(), {"reason": "   "})
    assert response.status_code == 400
    assert snapshot() == before
    assert "Indique el motivo de la reapertura: no se reabrió nada." in text_of(response)

    response = staff.post(reopen_url(), {"reason": "Corregir la fecha del acuerdo 1 <b>ya</b>"})
    assert response.status_code == 302
    record = SessionRecord.objects.get(session=session1)
    assert (record.is_closed, record.reopened_by, record.reopen_reason) == (
        False,
        people["staff"],
        "Corregir la fecha del acuerdo 1 <b>ya</b>",
    )
    page = staff.get(console_url())
    entries = [
        li.get_text(" ", strip=True) for li in soup(page).select(".console-record-entries li")
    ]
    assert len(entries) == 2
    assert entries[0].startswith("Reabierta por Secretaría Ejecutiva (demo),")
    assert entries[0].endswith("Motivo: Corregir la fecha del acuerdo 1 <b>ya</b>")
    assert entries[1].startswith("Cerrada por Moderador (demo),")
    assert "&lt;b&gt;ya&lt;/b&gt;" in page.content.decode()
    # Reopening an open session: refused, nothing changes.
    before = snapshot()
    response = staff.post(reopen_url(), {"reason": "Otra vez"})
    assert response.status_code == 409
    assert snapshot() == before
    # Moderators see the reopening too.
    assert "Motivo: Corregir la fecha" in text_of(client_as(people["moderator"]).get(console_url()))


# --- Query counts ---------------------------------------------------------------------------


def _console_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(console_url())
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["moderator", "staff"])
def test_console_query_count_does_not_grow(
    client_as, people, demo, session1, record_agreement, role
):
    client = client_as(people[role])
    countries = list(Country.objects.filter(pk__in=["MX", "SV", "GT"]))
    organisations = list(Organisation.objects.all()[:2])
    first = record_agreement(session1, "Uno", countries=countries[:1])
    one = _console_queries(client)

    for number in range(2, 9):
        agreement = record_agreement(
            session1,
            f"Acuerdo {number}",
            countries=countries,
            organisations=organisations,
            axis=demo.axes.get(number=1),
            agenda_item=session1.items.first(),
        )
        services.agreement_update(
            agreement=agreement,
            by=people["staff"],
            expected_version=1,
            text_es=f"Acuerdo {number} corregido",
            countries=countries[:2],
        )
        services.agreement_set_status(
            agreement=agreement, by=people["staff"], status="adopted", expected_version=2
        )
    services.agreement_move(agreement=first, by=people["moderator"], direction="down")
    services.session_close(session=session1, by=people["moderator"])
    services.session_reopen(session=session1, by=people["staff"], reason="Corrección")
    many = _console_queries(client)

    assert one == many
    assert many == {"moderator": 24, "staff": 23}[role]
