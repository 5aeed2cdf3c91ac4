"""Reading an invitee list (CSV or XLSX) safely, before django-import-export sees it.

The admin's import (``InvitationAdmin``) uses the formats and forms here:

* the upload is refused, with a message in the reader's language, when it is larger than
  ``settings.UPLOAD_MAX_BYTES`` or when its *content* is neither a UTF-8 CSV nor an XLSX
  workbook, whatever its name says (a renamed PNG, a binary, a Latin-1 CSV);
* XLSX cells are read as typed: a formula comes in as its text (``=SUM(A1)``), never as the
  value a spreadsheet computed, and is stored as that text;
* headers are matched case-insensitively, in English or Spanish (``email`` / ``correo``).
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

# The columns of the invitee list and the Spanish headers accepted for each.
COLUMNS = (
    "name",
    "email",
    "country",
    "organisation",
    "institution",
    "position",
    "profile",
    "language",
)
HEADER_ALIASES = {
    "nombre": "name",
    "correo": "email",
    "correo electrónico": "email",
    "e-mail": "email",
    "país": "country",
    "pais": "country",
    "organization": "organisation",
    "organización": "organisation",
    "organizacion": "organisation",
    "institución": "institution",
    "institucion": "institution",
    "cargo": "position",
    "perfil": "profile",
    "idioma": "language",
}
REQUIRED_COLUMNS = ("name", "email")

# An XLSX is a zip: refuse one that would inflate past this (a "zip bomb").
XLSX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024


def normalise_header(header) -> str:
    text = " ".join(str(header or "").split()).lower()
    return HEADER_ALIASES.get(text, text)


def _cell_text(value) -> str:
    """A cell as the text a person typed: ``12`` not ``12.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _dataset(rows: list[list]) -> tablib.Dataset:
    """Headers normalised, every cell text, rows padded to the headers, trailing blank rows
    dropped (a blank row inside the list stays, so row numbers match the sheet's)."""
    rows = [[_cell_text(cell) for cell in row] for row in rows]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    headers = [normalise_header(cell) for cell in rows[0]]
    width = len(headers)
    dataset.headers = headers
    for row in rows[1:]:
        dataset.append((row + [""] * width)[:width])
    return dataset


class InvitationCSV(base_formats.CSV):
    """A UTF-8 CSV (with or without BOM), comma or semicolon separated (Excel in Spanish
    saves with ``;``). Read as bytes so the encoding is checked here, not guessed."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream.decode("utf-8-sig") if isinstance(in_stream, bytes) else in_stream
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _dataset(list(reader))


class InvitationXLSX(base_formats.XLSX):
    """The first sheet of an XLSX workbook, formulas read as their text (never evaluated)."""

    def create_dataset(self, in_stream, **kwargs):
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
        return _dataset(rows)


IMPORT_FORMATS = (InvitationCSV, InvitationXLSX)


def upload_kind(data: bytes, name: str) -> type[base_formats.Format]:
    """The format of an uploaded invitee list, told from its content; ``ValidationError``
    with a message for the person who uploaded it when it is neither."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ("csv", "xlsx"):
        raise ValidationError(
            _("Suba un archivo CSV o XLSX (Excel). «%(name)s» no lo es."),
            code="extension",
            params={"name": name},
        )
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                inflated = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            names, inflated = set(), 0
        if "xl/workbook.xml" not in names:
            raise ValidationError(
                _("El archivo no es un libro de Excel (XLSX) válido."), code="not_xlsx"
            )
        if inflated > XLSX_MAX_UNCOMPRESSED_BYTES:
            raise ValidationError(
                _("El libro de Excel es demasiado grande una vez descomprimido."),
                code="too_large",
            )
        if extension != "xlsx":
            raise ValidationError(
                _("El archivo es un libro de Excel (XLSX) pero su nombre termina en .%(ext)s."),
                code="mismatch",
                params={"ext": extension},
            )
        return InvitationXLSX
    if extension == "xlsx":
        raise ValidationError(
            _("El archivo no es un libro de Excel (XLSX) válido."), code="not_xlsx"
        )
    if b"\x00" in data:
        raise ValidationError(_("El archivo no es un CSV: contiene datos binarios."), code="binary")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "El CSV no está en UTF-8. Guárdelo como «CSV UTF-8 (delimitado por comas)» "
                "o súbalo como XLSX."
            ),
            code="encoding",
        ) from None
    return InvitationCSV


class InvitationImportForm(ImportForm):
    """The upload step: the file's format is told from its content (the format select of
    django-import-export is not asked), its size and columns checked before any row is read."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self._formats = list(formats)
        self.fields["format"].required = False
        self.fields["format"].widget = forms.HiddenInput()
        self.fields["import_file"].label = _("Archivo (CSV UTF-8 o XLSX)")
        self.fields["import_file"].help_text = _(
            "Columnas: name, email, country (código ISO) u organisation (código), institution, "
            "position, profile, language (es/en). Máximo %(size)s."
        ) % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        self.fields["import_file"].widget.attrs["accept"] = (
            ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    @property
    def media(self):
        # No format to guess (guess_format.js): the content decides.
        return forms.Media()

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("El archivo pesa %(size)s; el máximo es %(max)s."),
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.UPLOAD_MAX_BYTES),
                },
            )
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        file_format = upload_kind(data, upload.name)
        try:
            dataset = file_format().create_dataset(data)
        except Exception:  # noqa: BLE001 - openpyxl and csv raise many kinds for a damaged file
            raise ValidationError(
                _("No se pudo leer el archivo: está dañado o no es una lista de invitados."),
                code="unreadable",
            ) from None
        missing = [c for c in REQUIRED_COLUMNS if c not in (dataset.headers or [])]
        if dataset.headers and not {"country", "organisation"} & set(dataset.headers):
            missing.append("country / organisation")
        if missing:
            raise ValidationError(
                _("Faltan columnas en la primera fila: %(columns)s."),
                code="columns",
                params={"columns": ", ".join(missing)},
            )
        if not len(dataset):
            raise ValidationError(_("El archivo no tiene filas de invitados."), code="empty")
        self.file_format = file_format
        return upload

    def clean(self):
        cleaned = super().clean()
        file_format = getattr(self, "file_format", None)
        if file_format is not None:
            cleaned["format"] = str(self._formats.index(file_format))
        return cleaned


class InvitationConfirmImportForm(ConfirmImportForm):
    """The confirm step; ``valid_only`` is set by the "import only the valid rows" button."""

    valid_only = forms.BooleanField(required=False, widget=forms.HiddenInput())


def row_messages(validation_error: ValidationError) -> list[str]:
    return [str(message) for message in validation_error.messages]


def import_preview_rows(result) -> list[dict]:
    """Each row of a dry-run ``Result`` as the preview shows it: its sheet row number (the
    header is row 1), fate, values and the reasons it cannot be imported."""
    from import_export.results import RowResult

    rows = []
    for number, row_result in enumerate(result.rows, start=2):
        values = dict(row_result.row_values or {})
        kind = row_result.import_type
        if kind == RowResult.IMPORT_TYPE_INVALID:
            reasons = row_messages(row_result.validation_error)
        else:
            reasons = []
        rows.append(
            {
                "number": number,
                "fate": kind,
                "valid": kind == RowResult.IMPORT_TYPE_NEW,
                "values": [values.get(column, "") for column in COLUMNS],
                "reasons": reasons,
            }
        )
    return rows
