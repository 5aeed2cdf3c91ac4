"""Attendance per session: by hand, or from the webinar platform's participant report.

Reading a report (``attendance_report_read``) writes nothing; it returns an
``AttendancePreview`` that the admin shows, carries to the confirming request signed
(``preview_dumps``/``preview_loads``) and hands to ``attendance_report_record``, which writes
everything in one transaction.

What a report may look like (Zoom, Microsoft Teams and Webex exports, in Spanish or English):

* Encoding: UTF-16 when the file starts with its byte-order mark (Teams), else UTF-8 (with or
  without BOM), else Windows-1252 (Zoom on Windows), else Latin-1. A file with NUL bytes, or
  one that is a ZIP (XLSX) or PDF, is not a CSV and is refused.
* Separator: comma, semicolon or tab, whichever the header row uses. Lines before the header
  (Zoom's meeting summary, Teams' "1. Summary" section) are skipped: the header is the first
  row with an e-mail column. A blank line after the participants ends the table.
* Columns: see ``COLUMN_ALIASES``. Only the e-mail column is required.
* Times: ISO 8601 (``2022-06-14 10:01:23``, with or without ``T``, seconds or an offset), or
  the platforms' ``MM/DD/YYYY`` (or ``DD/MM/YYYY``, chosen in the form) with a 12-hour
  ``AM``/``PM`` (also ``a. m.``/``p. m.``) or 24-hour clock, with or without seconds, a
  four- or two-digit year and an optional comma after the date. A time without an offset
  (the platforms write none) is read in the zone chosen in the form, the workshop's
  reference zone by default.
* Duration: whole or decimal minutes (``62``, ``62.5``, ``62 min``), ``H:MM:SS``, or
  ``1h 2m 3s`` (Teams); when absent it is the span from join to leave.

Several rows of one person (reconnections) are merged: earliest join, latest leave, minutes
summed. People are matched by e-mail, ignoring case, against the APPROVED participants of the
session's workshop (their account address or any other address of the account).

A record staff made by hand is never overwritten by a report: the person is listed as "kept,
recorded by hand" in the preview and on the result page, and staff change it by hand if they
want. A record from an earlier report is replaced by the new report's figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
import zoneinfo
from dataclasses import asdict, dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Attendance, AttendanceReport, Participant

DATE_ORDERS = ("mdy", "dmy")

# Header spellings, compared after ``_normalise_header`` (lower case, no accents, no
# punctuation). Zoom: "Name (Original Name)", "User Email", "Join Time", "Leave Time",
# "Duration (Minutes)"; Zoom in Spanish: "Nombre (nombre original)", "Correo electrónico del
# usuario", "Hora de entrada", "Hora de salida", "Duración (minutos)"; Teams: "Name",
# "Email", "First Join", "Last Leave", "In-Meeting Duration" / "Nombre", "Correo
# electrónico", "Primera unión", "Última salida", "Duración de la reunión"; Webex: "Name",
# "Email", "Join Time", "Leave Time", "Attendance Duration".
COLUMN_ALIASES = {
    "name": {
        "name",
        "name original name",
        "user name original name",
        "full name",
        "display name",
        "participant",
        "participant name",
        "attendee name",
        "nombre",
        "nombre nombre original",
        "nombre completo",
        "nombre del participante",
        "participante",
    },
    "email": {
        "email",
        "e mail",
        "email address",
        "user email",
        "attendee email",
        "participant email",
        "correo",
        "correo electronico",
        "correo electronico del usuario",
        "correo del usuario",
        "direccion de correo electronico",
        "email del usuario",
    },
    "joined": {
        "join time",
        "joined",
        "join",
        "first join",
        "first join time",
        "hora de entrada",
        "hora de union",
        "entrada",
        "primera union",
        "primera entrada",
    },
    "left": {
        "leave time",
        "left",
        "leave",
        "last leave",
        "last leave time",
        "hora de salida",
        "salida",
        "ultima salida",
    },
    "minutes": {
        "duration minutes",
        "duration",
        "duration mins",
        "in meeting duration",
        "attendance duration",
        "time in session minutes",
        "minutes",
        "duracion minutos",
        "duracion",
        "duracion de la reunion",
        "duracion en la reunion",
        "minutos",
    },
}

_ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_CLOCKS = ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M")
_DATES = {"mdy": ("%m/%d/%Y", "%m/%d/%y"), "dmy": ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")}
_TEAMS_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?$")


class AttendanceFileError(ValueError):
    """The upload cannot be read as a participant report; the message says why, translated."""


@dataclass
class ReportProblem:
    """A row that is not written: no participant, or a value that cannot be read."""

    line: int
    name: str
    email: str
    reason: str


@dataclass
class PersonAttendance:
    """One approved participant's merged rows."""

    participant_id: int
    label: str
    email: str
    joined_at: str | None  # ISO 8601, UTC
    left_at: str | None
    minutes: int | None
    rows: int
    kept_manual: bool = False


@dataclass
class AttendancePreview:
    """What a report would write for ``session_id``; nothing is written yet."""

    session_id: int
    file_name: str
    zone_name: str
    rows_total: int = 0
    people: list[PersonAttendance] = field(default_factory=list)
    unmatched: list[ReportProblem] = field(default_factory=list)
    invalid: list[ReportProblem] = field(default_factory=list)

    @property
    def rows_matched(self) -> int:
        return sum(person.rows for person in self.people)

    @property
    def to_write(self) -> list[PersonAttendance]:
        return [person for person in self.people if not person.kept_manual]

    @property
    def kept_manual(self) -> list[PersonAttendance]:
        return [person for person in self.people if person.kept_manual]


# --- Reading a report -------------------------------------------------------------------------


def attendance_report_read(
    *, session, file_name: str, data: bytes, zone_name: str, date_order: str = "mdy"
) -> AttendancePreview:
    """Parse a participant report for ``session`` and match it; write nothing.

    Raises ``AttendanceFileError`` (translated message) when the file as a whole cannot be
    used: too large, not a CSV, no e-mail column. A row whose times or duration cannot be
    read is listed in ``invalid`` with its reason; a row with no approved participant of
    the workshop in ``unmatched``.
    """
    attendance_report_check_size(size=len(data))
    if not file_name.lower().endswith((".csv", ".txt")):
        raise AttendanceFileError(
            _("«%(name)s» no es un archivo CSV. Exporte el informe de la plataforma como CSV.")
            % {"name": file_name[:100]}
        )
    text = _decode(data)
    header, body = _table(text)
    columns = _columns(header)
    zone = zoneinfo.ZoneInfo(zone_name)
    preview = AttendancePreview(session_id=session.pk, file_name=file_name, zone_name=zone_name)
    directory = _approved_by_email(workshop_id=session.workshop_id)
    manual = set(
        Attendance.objects.filter(session=session, source=Attendance.Source.MANUAL).values_list(
            "participant_id", flat=True
        )
    )
    merged: dict[int, PersonAttendance] = {}
    for line, row in body:
        preview.rows_total += 1
        name = _cell(row, columns.get("name"))
        email = _cell(row, columns["email"])
        try:
            joined = _parse_time(_cell(row, columns.get("joined")), zone, date_order)
            left = _parse_time(_cell(row, columns.get("left")), zone, date_order)
            minutes = _parse_minutes(_cell(row, columns.get("minutes")))
        except ValueError as error:
            preview.invalid.append(ReportProblem(line, name, email, str(error)))
            continue
        if joined and left and left < joined:
            preview.invalid.append(
                ReportProblem(
                    line, name, email, _("La hora de salida es anterior a la de entrada.")
                )
            )
            continue
        if minutes is None and joined and left:
            minutes = int((left - joined).total_seconds() // 60)
        if not email:
            preview.unmatched.append(ReportProblem(line, name, email, _("Sin correo electrónico.")))
            continue
        found = directory.get(email.casefold())
        if found is None:
            preview.unmatched.append(
                ReportProblem(
                    line,
                    name,
                    email,
                    _("Ningún participante aprobado del taller tiene este correo."),
                )
            )
            continue
        participant_id, label = found
        person = merged.get(participant_id)
        if person is None:
            merged[participant_id] = PersonAttendance(
                participant_id=participant_id,
                label=label,
                email=email,
                joined_at=_iso(joined),
                left_at=_iso(left),
                minutes=minutes,
                rows=1,
                kept_manual=participant_id in manual,
            )
            continue
        person.rows += 1
        person.joined_at = _iso(_earliest(_from_iso(person.joined_at), joined))
        person.left_at = _iso(_latest(_from_iso(person.left_at), left))
        if minutes is not None:
            person.minutes = (person.minutes or 0) + minutes
    preview.people = sorted(merged.values(), key=lambda person: person.label.casefold())
    return preview


def attendance_report_check_size(*, size: int) -> None:
    """``AttendanceFileError`` when ``size`` bytes exceed ``settings.UPLOAD_MAX_BYTES``."""
    if size > settings.UPLOAD_MAX_BYTES:
        raise AttendanceFileError(
            _("El archivo pesa más de %(limit)s MB, el máximo permitido.")
            % {"limit": _megabytes(settings.UPLOAD_MAX_BYTES)}
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _decode(data: bytes) -> str:
    if data.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise AttendanceFileError(
            _(
                "El archivo no es un CSV (parece una hoja de cálculo o un PDF). Exporte el "
                "informe como CSV."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise AttendanceFileError(_("El archivo no se puede leer como texto.")) from None
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if "\x00" in text:
        raise AttendanceFileError(_("El archivo no es un CSV: contiene datos binarios."))
    if not text.strip():
        raise AttendanceFileError(_("El archivo está vacío."))
    return text


def _table(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header row and the data rows (with their line numbers) of the participants table.

    The header is the first row naming an e-mail and a join-time column, else the first
    naming an e-mail column; the separator is the one that header uses most."""
    lines = text.splitlines()
    candidates = []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        delimiter = max(",;\t", key=line.count)
        header = next(csv.reader([line], delimiter=delimiter))
        found = _column_positions(header)
        if "email" in found:
            candidates.append((("joined" not in found), index, delimiter, header))
    if candidates:
        # Zoom's meeting summary above the people also has a "User Email" (the host's): the
        # participants' header is the first that has a join time too, else the first at all.
        _no_join, index, delimiter, header = min(candidates)
        rows = []
        reader = csv.reader(lines[index + 1 :], delimiter=delimiter)
        for row in reader:
            offset = index + 1 + reader.line_num  # the row's last line in the file, from 1
            if not any(cell.strip() for cell in row):
                if rows:
                    break  # a blank line ends the table (Teams puts another section after)
                continue
            rows.append((offset, row))
        return header, rows
    first = next((line for line in lines if line.strip()), "")
    raise AttendanceFileError(
        _(
            "No se encuentra la columna del correo electrónico (p. ej. «Email», «User Email» o "
            "«Correo electrónico»). Columnas del archivo: %(columns)s."
        )
        % {"columns": first[:300]}
    )


def _normalise_header(value: str) -> str:
    value = unicodedata.normalize("NFKD", value.strip().lstrip("\ufeff")).casefold()
    value = "".join(char for char in value if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value).split())


def _column_positions(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, title in enumerate(header):
        key = _normalise_header(title)
        for column, aliases in COLUMN_ALIASES.items():
            if key in aliases and column not in positions:
                positions[column] = position
    return positions


def _columns(header: list[str]) -> dict[str, int]:
    return _column_positions(header)


def _cell(row: list[str], position: int | None) -> str:
    if position is None or position >= len(row):
        return ""
    return row[position].strip()


def _parse_time(value: str, zone: zoneinfo.ZoneInfo, date_order: str) -> dt.datetime | None:
    if not value:
        return None
    text = re.sub(r"\b([ap])\.?\s?m\.?(?=\s|$)", lambda m: f"{m.group(1)}M", value, flags=re.I)
    text = " ".join(text.replace(",", " ").split()).upper()
    try:
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "-" in text[:5] else text)
    except ValueError:
        parsed = None
    if parsed is None:
        formats = [*_ISO_FORMATS]
        formats += [f"{day} {clock}" for day in _DATES[date_order] for clock in _CLOCKS]
        for pattern in formats:
            try:
                parsed = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        order = "MM/DD/AAAA" if date_order == "mdy" else "DD/MM/AAAA"
        raise ValueError(
            _(
                "No se entiende la hora «%(value)s» (se esperaba %(order)s hh:mm[:ss] o "
                "AAAA-MM-DD hh:mm[:ss])."
            )
            % {"value": value[:40], "order": order}
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(dt.UTC)


def _parse_minutes(value: str) -> int | None:
    if not value:
        return None
    text = value.strip().casefold()
    plain = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(?:min|mins|minutes|minutos|m)?\.?", text)
    if plain:
        return round(float(plain.group(1).replace(",", ".")))
    clock = re.fullmatch(r"(\d+):(\d{1,2}):(\d{1,2})", text)
    if clock:
        hours, minutes, seconds = (int(part) for part in clock.groups())
        return round((hours * 3600 + minutes * 60 + seconds) / 60)
    teams = _TEAMS_DURATION.fullmatch(text)
    if teams and any(teams.groups()):
        hours, minutes, seconds = (int(part or 0) for part in teams.groups())
        return round((hours * 3600 + minutes * 60 + seconds) / 60)
    raise ValueError(_("No se entiende la duración «%(value)s».") % {"value": value[:40]})


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _from_iso(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return min(x for x in (a, b) if x) if (a or b) else None


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return max(x for x in (a, b) if x) if (a or b) else None


def _approved_by_email(*, workshop_id: int) -> dict[str, tuple[int, str]]:
    """casefolded e-mail → (participant id, label), for the workshop's approved participants.

    Two queries whatever the number of people: the accounts' addresses and allauth's others.
    """
    approved = Participant.objects.filter(
        workshop_id=workshop_id, registration_status=Participant.RegistrationStatus.APPROVED
    )
    directory: dict[str, tuple[int, str]] = {}
    labels: dict[int, tuple[int, str]] = {}
    for pk, user_id, email, first, last in approved.values_list(
        "pk", "user_id", "user__email", "user__first_name", "user__last_name"
    ):
        label = " ".join(part for part in (first, last) if part) or email
        labels[user_id] = (pk, label)
        if email:
            directory[email.casefold()] = (pk, label)
    for user_id, email in EmailAddress.objects.filter(user_id__in=labels).values_list(
        "user_id", "email"
    ):
        directory.setdefault(email.casefold(), labels[user_id])
    return directory


# --- Carrying a preview to the confirming request ---------------------------------------------

_SALT = "participants.attendance.preview"
PREVIEW_MAX_AGE = 60 * 60  # seconds: a preview left open longer is read again from the file


def preview_dumps(preview: AttendancePreview) -> str:
    """The preview as a signed, compressed token (the admin form carries it, not the file)."""
    return signing.dumps(asdict(preview), salt=_SALT, compress=True)


def preview_loads(token: str) -> AttendancePreview:
    """The preview back; ``signing.BadSignature`` if altered or older than an hour."""
    data = signing.loads(token, salt=_SALT, max_age=PREVIEW_MAX_AGE)
    return AttendancePreview(
        session_id=data["session_id"],
        file_name=data["file_name"],
        zone_name=data["zone_name"],
        rows_total=data["rows_total"],
        people=[PersonAttendance(**person) for person in data["people"]],
        unmatched=[ReportProblem(**row) for row in data["unmatched"]],
        invalid=[ReportProblem(**row) for row in data["invalid"]],
    )


# --- Writing ----------------------------------------------------------------------------------


@transaction.atomic
def attendance_report_record(*, preview: AttendancePreview, user) -> AttendanceReport:
    """Write a previewed report: one ``AttendanceReport`` and the attendance it gives.

    All or nothing. A person recorded by hand meanwhile, or no longer approved, is not
    written (the first is kept as staff wrote it; the second is added to the unmatched rows).
    Rows in ``preview.invalid`` are stored with the unmatched ones, each with its reason.
    """
    from agenda.models import Session

    session = Session.objects.order_by().select_for_update(of=("self",)).get(pk=preview.session_id)
    still_approved = set(
        Participant.objects.filter(
            pk__in=[person.participant_id for person in preview.people],
            workshop_id=session.workshop_id,
            registration_status=Participant.RegistrationStatus.APPROVED,
        ).values_list("pk", flat=True)
    )
    existing = {
        attendance.participant_id: attendance
        for attendance in Attendance.objects.filter(session=session)
        .order_by()
        .select_for_update(of=("self",))
    }
    unmatched = [asdict(row) for row in (*preview.invalid, *preview.unmatched)]
    to_create, to_update = [], []
    for person in preview.people:
        if person.participant_id not in still_approved:
            unmatched.append(
                asdict(
                    ReportProblem(
                        0,
                        person.label,
                        person.email,
                        _("Ya no es participante aprobado/a del taller."),
                    )
                )
            )
            continue
        attendance = existing.get(person.participant_id)
        if attendance is not None and attendance.source == Attendance.Source.MANUAL:
            continue  # staff's own record wins; the preview and result page said so
        values = {
            "attended": True,
            "source": Attendance.Source.REPORT,
            "joined_at": _from_iso(person.joined_at),
            "left_at": _from_iso(person.left_at),
            "minutes": person.minutes,
            "recorded_by": user,
        }
        if attendance is None:
            to_create.append(
                Attendance(participant_id=person.participant_id, session=session, **values)
            )
        else:
            for name, value in values.items():
                setattr(attendance, name, value)
            to_update.append(attendance)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(
        to_update, ["attended", "source", "joined_at", "left_at", "minutes", "recorded_by"]
    )
    unmatched.sort(key=lambda row: row["line"])
    return AttendanceReport.objects.create(
        session=session,
        file_name=preview.file_name[:255].replace("\n", " ").replace("\r", " "),
        uploaded_by=user,
        rows_total=preview.rows_total,
        rows_matched=preview.rows_matched,
        unmatched=unmatched,
    )


@transaction.atomic
def attendance_record_manual(*, session, attended_ids: set[int], user) -> tuple[int, int]:
    """Record by hand who of ``session``'s approved participants attended.

    Every approved participant of the session's workshop ends with ``attended`` equal to
    ``participant.pk in attended_ids``. Only records whose answer changes are written, as
    ``source=manual`` and ``recorded_by=user`` (times from a report are kept). Returns
    (marked present, marked absent) among the changes.
    """
    from agenda.models import Session

    # One writer per session at a time (this and report uploads): no duplicate rows.
    Session.objects.order_by().select_for_update(of=("self",)).only("pk").get(pk=session.pk)
    approved = set(
        Participant.objects.filter(
            workshop_id=session.workshop_id,
            registration_status=Participant.RegistrationStatus.APPROVED,
        ).values_list("pk", flat=True)
    )
    existing = {
        attendance.participant_id: attendance
        for attendance in Attendance.objects.filter(session=session, participant_id__in=approved)
        .order_by()
        .select_for_update(of=("self",))
    }
    to_create, to_update = [], []
    for participant_id in approved:
        wanted = participant_id in attended_ids
        attendance = existing.get(participant_id)
        if attendance is None:
            if wanted:
                to_create.append(
                    Attendance(
                        participant_id=participant_id,
                        session=session,
                        attended=True,
                        source=Attendance.Source.MANUAL,
                        recorded_by=user,
                    )
                )
            continue
        if attendance.attended != wanted:
            attendance.attended = wanted
            attendance.source = Attendance.Source.MANUAL
            attendance.recorded_by = user
            attendance.recorded_at = timezone.now()
            to_update.append(attendance)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["attended", "source", "recorded_by", "recorded_at"])
    present = len(to_create) + sum(1 for attendance in to_update if attendance.attended)
    absent = sum(1 for attendance in to_update if not attendance.attended)
    return present, absent


# --- Reading totals ---------------------------------------------------------------------------


def attendance_totals(*, workshop) -> dict[tuple[str, int], int]:
    """``{(country ISO code, session number): people who attended}`` for ``workshop``.

    Approved participants with ``attended=True`` who belong to a country delegation;
    observers and organisations without a country are not counted. One query.
    """
    rows = (
        Attendance.objects.filter(
            attended=True,
            session__workshop=workshop,
            participant__registration_status=Participant.RegistrationStatus.APPROVED,
            participant__delegation__isnull=False,
        )
        .values_list("participant__delegation__country_id", "session__number")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(iso, number): count for iso, number, count in rows}
