"""The Secretaría's follow-up page: the list, its filters, overdue agreements, recording
progress (latest date wins, bad input saves nothing, a double submit records once), the
query count, hostile text, and English."""

import datetime as dt
import html as htmllib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.followup import workshop_today
from agreements.models import AgreementFollowUp
from tests.agreements.followup_helpers import (
    HOSTILE,
    add_entry,
    article,
    listed_numbers,
    make_agreement,
    scenario,
)

pytestmark = pytest.mark.django_db

LIST = "/staff/agreements/"


def _post(client, agreement, *, status, date, note, back=""):
    prefix = f"agreement-{agreement.pk}"
    return client.post(
        f"/staff/agreements/{agreement.pk}/progress/",
        {
            f"{prefix}-status": status,
            f"{prefix}-date": date,
            f"{prefix}-note": note,
            f"{prefix}-back": back,
        },
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_list_shows_every_agreement_with_its_follow_up(demo, people, client_as):
    scenario(demo, people)
    response = client_as(people["staff"]).get(LIST)
    page = response.content.decode()

    assert response.status_code == 200
    assert listed_numbers(page) == [1, 2, 3, 4, 5]
    assert "5 acuerdos" in page
    assert "1 vencido" in page
    # Agreement 1: its parties, term, due date, follow-up and latest dated note.
    one = article(page, 1)
    assert "Compartir información sobre rutas de tráfico ilícito de migrantes." in one
    assert "El Salvador, Guatemala, México" in one
    assert "Oficina de las Naciones Unidas contra la Droga y el Delito (UNODC)" in one
    assert "Organización Internacional para las Migraciones (OIM)" in one
    assert "Corto plazo" in one
    assert "31 de diciembre de 2022" in one
    assert ">Adoptado<" in one
    assert "Cumplido</span>" in one
    assert "15 de noviembre de 2022 · Cumplido.</span> Informe enviado." in one
    assert "Vencido" not in one
    assert "(vencida)" not in one
    assert "Historial del seguimiento (2 entradas)" in one
    # The history: newest first, with who recorded it and when, zone named.
    history = one[one.index("<tbody>") :]
    assert history.index("Informe enviado.") < history.index("Primera reunión.")
    assert history.count("Secretaría Ejecutiva (demo)") == 2
    assert "(America/El_Salvador, UTC−06:00)" in history
    # Agreement 3 is overdue, said in words, not only in colour.
    three = article(page, 3)
    assert "followup-is-overdue" in three
    assert "⚠ </span>Vencido</span>" in three
    assert '1 de marzo de 2023 <strong class="followup-overdue-text">(vencida)</strong>' in three
    # Agreement 4 was withdrawn: past its date but not overdue, and no form to record.
    four = article(page, 4)
    assert ">Retirado<" in four
    assert "Vencido" not in four
    assert "Acuerdo retirado: no tiene seguimiento." in four
    assert 'id="followup-' not in four
    # Agreement 5: proposed, no date, no entry.
    five = article(page, 5)
    assert ">Propuesto<" in five
    assert "Sin fecha" in five
    assert "Sin avances registrados." in five
    # The form defaults to today in the workshop's zone and to the current status.
    today = workshop_today(demo).isoformat()
    form = response.context["agreements"][2].entry_form
    assert form["date"].value() == workshop_today(demo)
    assert f'value="{today}"' in three
    assert form["status"].value() == "in_progress"
    assert "Hoy es" in page
    assert "(America/El_Salvador)" in page


FILTERS = [
    ("", [1, 2, 3, 4, 5]),
    ("?follow_up=not_started", [2, 4, 5]),
    ("?follow_up=in_progress", [3]),
    ("?follow_up=done", [1]),
    ("?country=MX", [1, 3, 4]),
    ("?country=SV", [1, 2]),
    ("?country=CR", []),
    ("?session=1", [1, 2]),
    ("?session=2", [3, 4, 5]),
    ("?overdue=on", [3]),
    ("?follow_up=not_started&country=MX&session=2", [4]),
    ("?follow_up=not_started&country=GT", [5]),
]


def test_filters(demo, people, client_as):
    scenario(demo, people)
    client = client_as(people["staff"])

    for query, numbers in FILTERS:
        response = client.get(LIST + query)
        page = response.content.decode()

        assert listed_numbers(page) == numbers, query
        assert response.context["filter_form"].errors == {}, query
        if query:
            assert f'href="/staff/agreements/export.csv{htmllib.escape(query)}"' in page
            assert "Exportar la lista filtrada" in page
        if not numbers:
            assert "Ningún acuerdo cumple esos filtros." in page


def test_invalid_filter_is_said_and_not_applied(demo, people, client_as):
    scenario(demo, people)
    response = client_as(people["staff"]).get(LIST + "?follow_up=finished&session=9&country=MX")
    page = response.content.decode()

    assert response.context["filter_form"].errors == {
        "follow_up": ["Elija un estado de seguimiento de la lista."],
        "session": ["Elija una sesión de la lista."],
    }
    assert "Elija un estado de seguimiento de la lista." in page
    assert listed_numbers(page) == [1, 3, 4]  # the valid country filter still holds
    assert 'href="/staff/agreements/export.csv?country=MX"' in page


def test_recorded_entries_latest_date_wins(demo, people, client_as):
    agreements = scenario(demo, people)
    target = agreements[2]
    client = client_as(people["staff"])

    response = _post(client, target, status="in_progress", date="2022-09-01", note="Borrador.")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.follow_up_status == "in_progress"

    # An entry about an earlier day does not override the later one.
    _post(client, target, status="done", date="2022-08-01", note="Nota atrasada.")
    target.refresh_from_db()
    assert target.follow_up_status == "in_progress"

    response = _post(client, target, status="done", date="2022-10-01", note="Directorio listo.")
    target.refresh_from_db()
    assert target.follow_up_status == "done"
    page = client.get(response["Location"]).content.decode()
    assert "Avance registrado para el acuerdo 2. Su seguimiento queda en «Cumplido»." in page
    two = article(page, 2)
    assert "1 de octubre de 2022 · Cumplido.</span> Directorio listo." in two
    history = two[two.index("<tbody>") :]
    assert (
        history.index("Directorio listo.")
        < history.index("Borrador.")
        < history.index("Nota atrasada.")
    )
    assert list(
        AgreementFollowUp.objects.filter(agreement=target).values_list("status", "date", "note")
    ) == [
        ("done", dt.date(2022, 10, 1), "Directorio listo."),
        ("in_progress", dt.date(2022, 9, 1), "Borrador."),
        ("done", dt.date(2022, 8, 1), "Nota atrasada."),
    ]


def test_record_keeps_the_filters_on_the_way_back(demo, people, client_as):
    agreements = scenario(demo, people)
    client = client_as(people["staff"])

    response = _post(
        client,
        agreements[1],
        status="done",
        date="2022-12-01",
        note="Otra nota.",
        back="country=MX&session=1&bogus=1",
    )

    assert response["Location"] == f"{LIST}?country=MX&session=1#agreement-1"


def test_bad_input_saves_nothing_and_says_why(demo, people, client_as):
    agreements = scenario(demo, people)
    target = agreements[3]
    client = client_as(people["staff"])
    today = workshop_today(demo)
    future = today + dt.timedelta(days=2)
    cases = [
        ({"status": "finished"}, "status", "Elija un estado: pendiente, en curso o cumplido."),
        ({"status": ""}, "status", "Elija un estado: pendiente, en curso o cumplido."),
        ({"date": "2022-13-45"}, "date", "Escriba una fecha válida, como 2022-07-15."),
        ({"date": "ayer"}, "date", "Escriba una fecha válida, como 2022-07-15."),
        ({"date": ""}, "date", "Indique la fecha del avance."),
        (
            {"date": future.isoformat()},
            "date",
            f"La fecha no puede ser posterior a hoy ({_spanish_date(today)}): el seguimiento "
            "registra lo que ya ocurrió.",
        ),
        (
            {"date": "2022-06-14"},  # session 2 was on the 15th
            "date",
            "La fecha no puede ser anterior a la sesión en que se tomó el acuerdo "
            "(15 de junio de 2022).",
        ),
        ({"note": "   "}, "note", "Escriba una nota: qué se hizo o qué falta."),
        (
            {"note": "x" * 2001},
            "note",
            "La nota tiene 2001 caracteres; el máximo es 2000. Acórtela: su texto sigue en el "
            "formulario.",
        ),
    ]
    for change, field, error in cases:
        data = {"status": "done", "date": "2022-10-01", "note": "Bien.", **change}
        response = _post(client, target, **data)
        page = response.content.decode()

        assert response.status_code == 400, change
        form = response.context["agreements"][2].entry_form
        assert form.errors == {field: [error]}, change
        assert htmllib.escape(error, quote=False) in page or error in page, change
        assert (
            "No se registró nada para el acuerdo 3: corrija lo señalado en su formulario."
            in _messages(response)
        )
        assert '<details class="followup-record mt-3" open>' in page
        target.refresh_from_db()
        assert target.follow_up_status == "in_progress", change
        assert AgreementFollowUp.objects.filter(agreement=target).count() == 1, change


def _spanish_date(day: dt.date) -> str:
    months = [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ]  # fmt: skip
    return f"{day.day} de {months[day.month - 1]} de {day.year}"


def test_today_and_the_session_day_are_accepted(demo, people, client_as):
    agreements = scenario(demo, people)
    client = client_as(people["staff"])

    today = workshop_today(demo).isoformat()
    on_today = _post(client, agreements[5], status="in_progress", date=today, note="Hoy.")
    on_session_day = _post(
        client, agreements[2], status="in_progress", date="2022-06-14", note="El día."
    )
    assert on_today.status_code == 302
    assert on_session_day.status_code == 302
    assert AgreementFollowUp.objects.filter(agreement=agreements[5]).get().date.isoformat() == today


def test_double_submit_records_once(demo, people, client_as):
    agreements = scenario(demo, people)
    target = agreements[5]
    client = client_as(people["staff"])

    first = _post(client, target, status="in_progress", date="2022-07-01", note="Reunión.\r\n")
    second = _post(client, target, status="in_progress", date="2022-07-01", note="Reunión.")

    assert first.status_code == second.status_code == 302
    assert AgreementFollowUp.objects.filter(agreement=target).count() == 1
    page = client.get(second["Location"]).content.decode()
    assert (
        "Ese avance del acuerdo 5 ya estaba registrado (el mismo formulario enviado dos veces): "
        "no se repitió." in page
    )
    # Another note the same day is a new entry.
    _post(client, target, status="in_progress", date="2022-07-01", note="Segunda reunión.")
    assert AgreementFollowUp.objects.filter(agreement=target).count() == 2


def test_withdrawn_agreement_takes_no_entry(demo, people, client_as):
    agreements = scenario(demo, people)
    client = client_as(people["staff"])

    response = _post(client, agreements[4], status="done", date="2022-10-01", note="No.")

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}#agreement-4"
    assert not AgreementFollowUp.objects.filter(agreement=agreements[4]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "El acuerdo 4 fue retirado: no tiene seguimiento. No se registró nada." in page


def test_a_closed_session_still_takes_follow_up(demo, people, client_as):
    from agreements import services

    agreements = scenario(demo, people)
    services.session_close(session=agreements[3].session, by=people["staff"])
    client = client_as(people["staff"])

    response = _post(client, agreements[3], status="done", date="2022-12-01", note="Listo.")

    assert response.status_code == 302
    agreements[3].refresh_from_db()
    assert agreements[3].follow_up_status == "done"


def _many(demo, people, count):
    session = demo.sessions.get(number=1)
    staff = people["staff"]
    for n in range(count):
        agreement = make_agreement(
            session,
            by=staff,
            text_es=f"Acuerdo número {n}.",
            countries=("MX", "SV"),
            organisations=("OIM",),
            due_date=dt.date(2023, 1, 1),
        )
        add_entry(agreement, by=staff, status="in_progress", date=dt.date(2022, 7, 1))
        add_entry(agreement, by=people["moderator"], status="done", date=dt.date(2022, 8, 1))


@pytest.mark.parametrize("count", [1, 30])
def test_query_count_does_not_grow(count, demo, people, client_as):
    _many(demo, people, count)
    client = client_as(people["staff"])
    client.get(LIST)  # warm the per-process caches (workshop, site settings)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST + "?session=1")

    assert listed_numbers(response.content.decode()) == list(range(1, count + 1))
    # session, user, workshop, the viewer's zone, the filter form's countries and sessions,
    # agreements, countries, organisations, entries with who recorded them, and the site's
    # per-request reads.
    assert len(queries) == 12, "\n".join(q["sql"] for q in queries.captured_queries)


def test_hostile_text_is_escaped(demo, people, client_as):
    session = demo.sessions.get(number=1)
    agreement = make_agreement(
        session, by=people["staff"], text_es="Acuerdo " + HOSTILE, countries=("MX",)
    )
    add_entry(
        agreement, by=people["staff"], status="in_progress", date=dt.date(2022, 7, 1),
        note="Nota " + HOSTILE,
    )  # fmt: skip
    page = client_as(people["staff"]).get(LIST).content.decode()

    assert "<script>alert" not in page
    assert "<img src=file" not in page
    assert "Acuerdo &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=file:///etc/passwd&gt;" in page
    assert "Nota &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_english_page(demo, people, client_as):
    scenario(demo, people)
    page = client_as(people["staff"]).get("/en" + LIST).content.decode()

    assert '<html lang="en">' in page
    assert '<h1 class="mb-1">Follow-up of the agreements</h1>' in page
    assert "5 agreements" in page
    assert "1 overdue" in page
    assert "Share information on migrant smuggling routes." in page
    # Written in Spanish only: shown as written, marked as Spanish.
    assert '<div class="followup-text" lang="es">Crear un directorio regional' in page
    assert "Record progress on agreement 1" in page
    assert "Nov. 15, 2022 · Completed.</span> Informe enviado." in page
    assert "(overdue)" in page
    assert "Overdue</span>" in page
    assert "Withdrawn" in page
    assert "Proposed" in page
    assert "Adopted" in page
    assert "Apply the filters" in page
    assert "Responsible countries" in page
    assert "Short term" in page
    assert "Medium term" in page
    assert 'href="/en/staff/agreements/export.csv"' in page
