"""participants.imports read directly: how a CSV or XLSX invitee list becomes rows, and which
uploads are refused with which code (the admin tests see these only through whole pages)."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from participants.imports import (
    InvitationCSV,
    InvitationXLSX,
    _cell_text,
    _dataset,
    normalise_header,
    upload_kind,
)


def _rows(dataset):
    return [list(row) for row in dataset]


def test_csv_semicolon_header_whose_first_word_ends_at_a_space():
    # "correo electrónico;..." : the separator is told from the whole first line, not its first word
    data = "correo electrónico;nombre;país\nana@gob.mx;Ana;MX\n".encode()

    dataset = InvitationCSV().create_dataset(data)

    assert dataset.headers == ["email", "name", "country"]
    assert _rows(dataset) == [["ana@gob.mx", "Ana", "MX"]]


def test_csv_separator_is_told_from_the_header_line_only():
    # Data rows full of commas do not turn a semicolon list into a comma one.
    name = "Pérez, Ana, María, José, Luisa, Eva, Rosa"
    data = f'name;email;country\n"{name}";ana@gob.mx;MX\n'.encode()

    dataset = InvitationCSV().create_dataset(data)

    assert dataset.headers == ["name", "email", "country"]
    assert _rows(dataset) == [[name, "ana@gob.mx", "MX"]]


def test_a_comma_header_with_a_semicolon_in_a_cell_is_read_with_commas():
    dataset = InvitationCSV().create_dataset(b'name,email,"cargo; puesto"\nAna,a@x.org,Jefa\n')

    assert dataset.headers == ["name", "email", "cargo; puesto"]
    assert _rows(dataset) == [["Ana", "a@x.org", "Jefa"]]


def test_csv_with_one_column_and_no_separator_is_read_with_commas():
    dataset = InvitationCSV().create_dataset(b"email\nana;luis@gob.mx\n")

    assert dataset.headers == ["email"]
    assert _rows(dataset) == [["ana;luis@gob.mx"]]


def test_csv_keeps_a_line_break_inside_a_quoted_cell_as_written():
    data = b'name,email\r\n"Ana\r\nP\xc3\xa9rez",ana@gob.mx\r\n'

    dataset = InvitationCSV().create_dataset(data)

    assert _rows(dataset) == [["Ana\r\nPérez", "ana@gob.mx"]]


def test_csv_accepts_text_as_well_as_bytes():
    dataset = InvitationCSV().create_dataset("name,email\nAna,ana@gob.mx\n")

    assert _rows(dataset) == [["Ana", "ana@gob.mx"]]


def test_csv_drops_the_byte_order_mark():
    dataset = InvitationCSV().create_dataset("\ufeffname,email\nAna,a@x.org\n".encode())

    assert dataset.headers == ["name", "email"]


def test_csv_format_reads_bytes():
    assert InvitationCSV().is_binary() is True
    assert InvitationCSV().get_read_mode() == "rb"


def _xlsx_bytes(rows, *, second_sheet=None):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    if second_sheet:
        other = workbook.create_sheet("otra")
        for row in second_sheet:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_reads_the_first_sheet_typed_values_and_formulas_as_text():
    data = _xlsx_bytes(
        [["Nombre", "Correo", "País", "Cargo"], ["Ana", "ana@gob.mx", "MX", "=SUM(A1)"]],
        second_sheet=[["x"], ["y"]],
    )

    dataset = InvitationXLSX().create_dataset(data)

    assert dataset.headers == ["name", "email", "country", "position"]
    assert _rows(dataset) == [["Ana", "ana@gob.mx", "MX", "=SUM(A1)"]]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "TRUE"),
        (False, "FALSE"),
        (12.0, "12"),
        (12.5, "12.5"),
        (7, "7"),
        (dt.datetime(2022, 6, 14, 10, 1, 2), "2022-06-14T10:01:02"),
        (dt.date(2022, 6, 14), "2022-06-14"),
        (dt.time(9, 30), "09:30:00"),
        ("  Ana  ", "  Ana  "),
    ],
)
def test_cell_text_is_what_a_person_typed(value, text):
    assert _cell_text(value) == text


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("  Correo   Electrónico ", "email"),
        ("E-MAIL", "email"),
        ("País", "country"),
        ("Organization", "organisation"),
        ("Institution", "institution"),
        (None, ""),
        ("Otra Columna", "otra columna"),
    ],
)
def test_headers_are_normalised_and_translated(header, name):
    assert normalise_header(header) == name


def test_dataset_pads_short_rows_cuts_long_ones_and_drops_only_trailing_blank_rows():
    dataset = _dataset(
        [
            ["Nombre", "Correo"],
            ["Ana"],
            [" ", ""],
            ["Luis", "l@x.org", "extra"],
            ["", "  "],
            [None, None],
        ]
    )

    assert dataset.headers == ["name", "email"]
    assert _rows(dataset) == [["Ana", ""], [" ", ""], ["Luis", "l@x.org"]]


def test_dataset_of_nothing_has_no_headers():
    dataset = _dataset([["", ""], [None]])

    assert dataset.headers is None
    assert len(dataset) == 0


def _zip(names, *, size=10):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, b"x" * size)
    return buffer.getvalue()


def _refusal(data, name):
    with pytest.raises(ValidationError) as caught:
        upload_kind(data, name)
    return caught.value.code, caught.value.params


@pytest.mark.parametrize(
    ("data", "name", "code", "params"),
    [
        (b"name,email\n", "lista.txt", "extension", {"name": "lista.txt"}),
        (b"name,email\n", "lista", "extension", {"name": "lista"}),
        (_zip(["word/document.xml"]), "lista.xlsx", "not_xlsx", None),
        (b"PK\x03\x04 not really a zip", "lista.xlsx", "not_xlsx", None),
        (_zip(["xl/workbook.xml"]), "lista.csv", "mismatch", {"ext": "csv"}),
        (b"name,email\n", "lista.xlsx", "not_xlsx", None),
        (b"name,email\x00\n", "lista.csv", "binary", None),
        ("name,email\nJosé,j@x.org\n".encode("latin-1"), "lista.csv", "encoding", None),
    ],
)
def test_upload_kind_refuses_with_a_code(data, name, code, params):
    assert _refusal(data, name) == (code, params)


def test_upload_kind_refuses_an_xlsx_that_inflates_past_the_limit(monkeypatch):
    data = _zip(["xl/workbook.xml", "xl/worksheets/sheet1.xml"], size=50)  # 100 bytes inflated
    monkeypatch.setattr("participants.imports.XLSX_MAX_UNCOMPRESSED_BYTES", 99)

    assert _refusal(data, "lista.xlsx") == ("too_large", None)
    monkeypatch.setattr("participants.imports.XLSX_MAX_UNCOMPRESSED_BYTES", 100)
    assert upload_kind(data, "lista.xlsx") is InvitationXLSX


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (_xlsx_bytes([["name", "email"]]), "Lista.XLSX", InvitationXLSX),
        (b"name,email\n", "Lista.CSV", InvitationCSV),
        ("\ufeffname,email\nJosé,j@x.org\n".encode(), "lista.v2.csv", InvitationCSV),
    ],
)
def test_upload_kind_tells_the_format_from_the_content(data, name, kind):
    assert upload_kind(data, name) is kind


def test_preview_lists_each_row_s_values_in_column_order_blank_when_absent(demo, people, client_as):
    upload = SimpleUploadedFile(
        "invitados.csv",
        "correo,nombre,país\nana.perez@gob.mx,Ana Pérez,MX\nsin-correo,Luis,MX\n".encode(),
        "text/csv",
    )

    response = client_as(people["staff"]).post(
        "/admin/participants/invitation/import/", {"import_file": upload, "resource": "0"}
    )

    rows = response.context["preview_rows"]
    assert [(row["number"], row["fate"], row["valid"]) for row in rows] == [
        (2, "new", True),
        (3, "invalid", False),
    ]
    assert [row["values"] for row in rows] == [
        ["Ana Pérez", "ana.perez@gob.mx", "MX", "", "", "", "", ""],
        ["Luis", "sin-correo", "MX", "", "", "", "", ""],
    ]
    assert rows[0]["reasons"] == []
    assert rows[1]["reasons"] != []
    page = response.content.decode()
    assert "<td>Ana Pérez</td><td>ana.perez@gob.mx</td><td>MX</td><td></td>" in page


def test_csv_with_carriage_returns_only_is_read_line_by_line():
    # Excel for Mac's "CSV (Macintosh)" ends lines with CR alone.
    dataset = InvitationCSV().create_dataset(b"name,email\rAna,a@x.org\rLuis,l@x.org\r")

    assert _rows(dataset) == [["Ana", "a@x.org"], ["Luis", "l@x.org"]]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"a,b\n", "lista.txt", "Suba un archivo CSV o XLSX (Excel). «lista.txt» no lo es."),
        (b"PK\x03\x04 broken", "l.xlsx", "El archivo no es un libro de Excel (XLSX) válido."),
        (b"a,b\n", "l.xlsx", "El archivo no es un libro de Excel (XLSX) válido."),
        (
            _zip(["xl/workbook.xml"]),
            "l.csv",
            "El archivo es un libro de Excel (XLSX) pero su nombre termina en .csv.",
        ),
        (b"a\x00b", "l.csv", "El archivo no es un CSV: contiene datos binarios."),
        (
            "José".encode("latin-1"),
            "l.csv",
            "El CSV no está en UTF-8. Guárdelo como «CSV UTF-8 (delimitado por comas)» o "
            "súbalo como XLSX.",
        ),
    ],
)
def test_upload_kind_says_why_in_spanish(data, name, message):
    with pytest.raises(ValidationError) as caught:
        upload_kind(data, name)

    assert caught.value.messages == [message]


def test_an_xlsx_too_large_once_inflated_says_so(monkeypatch):
    monkeypatch.setattr("participants.imports.XLSX_MAX_UNCOMPRESSED_BYTES", 1)

    with pytest.raises(ValidationError) as caught:
        upload_kind(_zip(["xl/workbook.xml"]), "l.xlsx")

    assert caught.value.messages == ["El libro de Excel es demasiado grande una vez descomprimido."]


def test_the_extension_is_the_last_suffix_of_the_name():
    assert upload_kind(b"a,b\n", "lista.xlsx.csv") is InvitationCSV
    assert _refusal(b"a,b\n", "lista.csv.txt")[0] == "extension"


def _import_form(upload):
    from participants.imports import IMPORT_FORMATS, InvitationImportForm
    from participants.resources import InvitationImportResource

    return InvitationImportForm(
        list(IMPORT_FORMATS),
        [InvitationImportResource],
        data={"resource": "0"},
        files={"import_file": upload},
    )


def _form_refusal(upload):
    form = _import_form(upload)
    assert not form.is_valid()
    (error,) = form.errors.as_data()["import_file"]
    return error.code, error.messages


def test_import_form_file_field_label_help_and_accepted_types(settings):
    settings.UPLOAD_MAX_BYTES = 2048
    form = _import_form(None)
    field = form.fields["import_file"]

    assert field.label == "Archivo (CSV UTF-8 o XLSX)"
    assert field.help_text == (
        "Columnas: name, email, country (código ISO) u organisation (código), institution, "
        "position, profile, language (es/en). Máximo 2,0\xa0KB."
    )
    assert field.widget.attrs["accept"] == (
        ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert form.fields["format"].required is False
    assert str(form.media) == ""


def test_import_form_takes_a_file_of_exactly_the_size_limit(db, settings):
    data = b"name,email,country\nAna,a@x.org,MX\n"
    settings.UPLOAD_MAX_BYTES = len(data)

    form = _import_form(SimpleUploadedFile("l.csv", data))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["format"] == "0"

    settings.UPLOAD_MAX_BYTES = len(data) - 1
    form = _import_form(SimpleUploadedFile("l.csv", data))
    assert not form.is_valid()
    (error,) = form.errors.as_data()["import_file"]
    assert error.code == "too_large"
    assert error.messages == ["El archivo pesa 34\xa0bytes; el máximo es 33\xa0bytes."]


def test_import_form_an_xlsx_with_columns_picks_the_xlsx_format(db):
    data = _xlsx_bytes([["name", "email", "organisation"], ["Ana", "a@x.org", "OEA"]])

    form = _import_form(SimpleUploadedFile("l.xlsx", data))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["format"] == "1"
    assert form.file_format is InvitationXLSX


def test_import_form_refuses_a_damaged_workbook_as_unreadable(db):
    data = _zip(["xl/workbook.xml"])  # a zip that says it is a workbook, and is not

    assert _form_refusal(SimpleUploadedFile("l.xlsx", data)) == (
        "unreadable",
        ["No se pudo leer el archivo: está dañado o no es una lista de invitados."],
    )


@pytest.mark.parametrize(
    ("content", "missing"),
    [
        (b"\n", "name, email"),  # no header line at all
        (b"nombre,pais\nAna,MX\n", "email"),
        (b"cargo\nJefa\n", "name, email, country / organisation"),
        (b"name,email\nAna,a@x.org\n", "country / organisation"),
    ],
)
def test_import_form_names_the_missing_columns(db, content, missing):
    assert _form_refusal(SimpleUploadedFile("l.csv", content)) == (
        "columns",
        [f"Faltan columnas en la primera fila: {missing}."],
    )


def test_import_form_refuses_a_list_with_no_rows(db):
    assert _form_refusal(SimpleUploadedFile("l.csv", b"name,email,country\n")) == (
        "empty",
        ["El archivo no tiene filas de invitados."],
    )


def test_a_name_without_a_dot_has_no_extension_even_if_it_is_csv():
    assert _refusal(b"a,b\n", "csv") == ("extension", {"name": "csv"})
