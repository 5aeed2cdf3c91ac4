"""The follow-up export (CSV and XLSX): exact rows, the page's filters, and no cell that a
spreadsheet would run as a formula."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from agreements.followup import workshop_today
from agreements.models import Agreement, AgreementFollowUp
from participants.models import Organisation
from tests.agreements.followup_helpers import (
    FORMULAS,
    HOSTILE,
    TRIGGERS,
    add_entry,
    make_agreement,
    scenario,
)

pytestmark = pytest.mark.django_db

CSV = "/staff/agreements/export.csv"
XLSX = "/staff/agreements/export.xlsx"

HEADERS_ES = [
    "número",
    "sesión",
    "texto (español)",
    "texto (inglés)",
    "estado",
    "países responsables",
    "organizaciones responsables",
    "plazo",
    "fecha de cumplimiento",
    "seguimiento",
    "fecha de la última nota",
    "última nota",
]
UNODC_OIM = (
    "Oficina de las Naciones Unidas contra la Droga y el Delito (UNODC); "
    "Organización Internacional para las Migraciones (OIM)"
)
RROCM = "Red Regional de Organizaciones Civiles para las Migraciones (RROCM)"
ROWS_ES = {
    1: [
        "1",
        "Sesión 1",
        "Compartir información sobre rutas de tráfico ilícito de migrantes.",
        "Share information on migrant smuggling routes.",
        "Adoptado",
        "El Salvador; Guatemala; México",
        UNODC_OIM,
        "Corto plazo",
        "2022-12-31",
        "Cumplido",
        "2022-11-15",
        "Informe enviado.",
    ],
    2: [
        "2",
        "Sesión 1",
        "Crear un directorio regional de puntos de contacto.",
        "",
        "Adoptado",
        "El Salvador",
        RROCM,
        "Mediano plazo",
        "2099-06-30",
        "Pendiente",
        "",
        "",
    ],
    3: [
        "3",
        "Sesión virtual 2",
        "Capacitar a funcionarios de fronteras.",
        "Train border officials.",
        "Adoptado",
        "México",
        "",
        "Corto plazo",
        "2023-03-01",
        "En curso",
        "2022-09-10",
        "Curso en preparación.",
    ],
    4: [
        "4",
        "Sesión virtual 2",
        "Propuesta que se retiró.",
        "",
        "Retirado",
        "México",
        "",
        "Corto plazo",
        "2023-01-01",
        "Pendiente",
        "",
        "",
    ],
    5: [
        "5",
        "Sesión virtual 2",
        "Estudiar un protocolo común.",
        "",
        "Propuesto",
        "Guatemala",
        "",
        "Corto plazo",
        "",
        "Pendiente",
        "",
        "",
    ],
}


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows())
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    return [[cell.value for cell in row] for row in rows]


def test_csv_export_exact_rows(demo, people, client_as):
    scenario(demo, people)
    response = client_as(people["staff"]).get(CSV)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = workshop_today(demo).isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="acuerdos-seguimiento-{today}.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    assert _csv_rows(response.content) == [HEADERS_ES, *ROWS_ES.values()]


def test_xlsx_export_exact_rows(demo, people, client_as):
    scenario(demo, people)
    response = client_as(people["staff"]).get(XLSX)

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = workshop_today(demo).isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="acuerdos-seguimiento-{today}.xlsx"'
    )
    rows = _xlsx_rows(response.content)
    assert rows[0] == HEADERS_ES
    assert rows[1] == [
        1,
        "Sesión 1",
        "Compartir información sobre rutas de tráfico ilícito de migrantes.",
        "Share information on migrant smuggling routes.",
        "Adoptado",
        "El Salvador; Guatemala; México",
        UNODC_OIM,
        "Corto plazo",
        dt.datetime(2022, 12, 31),  # a real date cell: sorts and filters as a date
        "Cumplido",
        dt.datetime(2022, 11, 15),
        "Informe enviado.",
    ]
    assert [row[0] for row in rows[1:]] == [1, 2, 3, 4, 5]
    # Empty cells come back empty (None), not as the text "None".
    assert rows[5][8] is None
    assert rows[5][10] is None


FILTERS = [
    ("?country=SV", [1, 2]),
    ("?follow_up=in_progress", [3]),
    ("?session=2&follow_up=not_started", [4, 5]),
    ("?overdue=on", [3]),
    ("?country=CR", []),
]


def test_export_applies_the_filters(demo, people, client_as):
    scenario(demo, people)
    client = client_as(people["staff"])

    for query, numbers in FILTERS:
        rows = _csv_rows(client.get(CSV + query).content)
        assert rows == [HEADERS_ES, *(ROWS_ES[n] for n in numbers)], query
        xlsx = _xlsx_rows(client.get(XLSX + query).content)
        assert [row[0] for row in xlsx[1:]] == numbers, query


def test_export_with_an_invalid_filter_exports_nothing(demo, people, client_as):
    scenario(demo, people)
    client = client_as(people["staff"])

    response = client.get(CSV + "?follow_up=finished&country=MX")

    assert response.status_code == 302
    assert response["Location"] == "/staff/agreements/?follow_up=finished&country=MX"
    page = client.get(response["Location"]).content.decode()
    assert "Corrija los filtros: no se exportó nada." in page
    assert "Elija un estado de seguimiento de la lista." in page


def _hostile(demo, people) -> None:
    """Every column a formula could hide in gets one: texts, note, session label,
    organisation names; the tab- and CR-led ones are written as an import or the admin
    could (the services strip leading whitespace)."""
    staff = people["staff"]
    session = demo.sessions.get(number=1)
    session.label_es = "@SUM(A1:A2)"
    session.save(update_fields=["label_es"])
    Organisation.objects.create(code="EVIL", name_es="-Red de prueba", acronym_es="=1+2")
    first = make_agreement(
        session,
        by=staff,
        text_es=FORMULAS[0],  # =HYPERLINK(…)
        text_en=FORMULAS[1],  # +1
        organisations=("EVIL",),
    )
    add_entry(first, by=staff, status="in_progress", date=dt.date(2022, 7, 1), note=FORMULAS[2])
    second = make_agreement(session, by=staff, text_es="Provisional", text_en=HOSTILE)
    Agreement.objects.filter(pk=second.pk).update(text_es=FORMULAS[4])  # tab
    entry = add_entry(second, by=staff, status="done", date=dt.date(2022, 7, 2), note="x")
    AgreementFollowUp.objects.filter(pk=entry.pk).update(note=FORMULAS[5])  # CR
    make_agreement(session, by=staff, text_es=FORMULAS[3])  # @SUM


def test_csv_export_neutralises_every_formula(demo, people, client_as):
    _hostile(demo, people)
    rows = _csv_rows(client_as(people["staff"]).get(CSV).content)

    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(TRIGGERS)] == []
    assert rows[1:] == [
        [
            "1",
            "'@SUM(A1:A2)",
            "'" + FORMULAS[0],
            "'+1",
            "Adoptado",
            "",
            "'-Red de prueba (=1+2)",
            "Corto plazo",
            "",
            "En curso",
            "2022-07-01",
            "'-2",
        ],
        [
            "2",
            "'@SUM(A1:A2)",
            "'\t=1+1",
            HOSTILE,  # plain text in a spreadsheet: exported as typed, never as markup
            "Adoptado",
            "",
            "",
            "Corto plazo",
            "",
            "Cumplido",
            "2022-07-02",
            "'\r=1+1",
        ],
        [
            "3",
            "'@SUM(A1:A2)",
            "'@SUM(A1:A2)",
            "",
            "Adoptado",
            "",
            "",
            "Corto plazo",
            "",
            "Pendiente",
            "",
            "",
        ],
    ]


def test_xlsx_export_neutralises_every_formula(demo, people, client_as):
    _hostile(demo, people)
    rows = _xlsx_rows(client_as(people["staff"]).get(XLSX).content)

    for row in rows:
        for value in row:
            assert not (isinstance(value, str) and value.startswith(TRIGGERS)), value
    assert [row[1:4] for row in rows[1:]] == [
        ["'@SUM(A1:A2)", "'" + FORMULAS[0], "'+1"],
        ["'@SUM(A1:A2)", "'\t=1+1", HOSTILE],
        ["'@SUM(A1:A2)", "'@SUM(A1:A2)", None],
    ]
    assert rows[1][6] == "'-Red de prueba (=1+2)"
    assert rows[1][11] == "'-2"
    # XML parsers (openpyxl's, Excel's) read a raw CR in a cell as LF.
    assert rows[2][11] == "'\n=1+1"


def test_export_in_english(demo, people, client_as):
    scenario(demo, people)
    response = client_as(people["staff"]).get("/en" + CSV)
    rows = _csv_rows(response.content)

    today = workshop_today(demo).isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="agreements-follow-up-{today}.csv"'
    )
    assert rows[0] == [
        "number",
        "session",
        "text (Spanish)",
        "text (English)",
        "status",
        "responsible countries",
        "responsible organisations",
        "timeframe",
        "completion date",
        "follow-up",
        "last note date",
        "last note",
    ]
    assert rows[1][1] == "Session 1"
    assert rows[1][4] == "Adopted"
    assert rows[1][5] == "El Salvador; Guatemala; Mexico"
    assert rows[1][7] == "Short term"
    assert rows[1][9] == "Completed"
