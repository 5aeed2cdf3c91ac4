"""participants.attendance helpers called directly: durations as H:MM:SS, the merge of
reconnections' times, the signed preview token and the per-country totals."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import signing

from participants.attendance import (
    PREVIEW_MAX_AGE,
    AttendanceFileError,
    AttendancePreview,
    ReportProblem,
    _approved_by_email,
    _cell,
    _decode,
    _earliest,
    _from_iso,
    _latest,
    _parse_minutes,
    _parse_time,
    _table,
    attendance_report_read,
    attendance_totals,
    preview_dumps,
    preview_loads,
)
from tests.admin_factories import AttendanceFactory, DelegationFactory, ParticipantFactory
from tests.factories import SessionFactory

EARLY = dt.datetime(2022, 6, 14, 15, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2022, 6, 14, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "minutes"), [("1:02:40", 63), ("0:59:29", 59), ("10:00:00", 600), (" 0:01:31 ", 2)]
)
def test_a_clock_duration_is_rounded_to_whole_minutes(text, minutes):
    assert _parse_minutes(text) == minutes


@pytest.mark.parametrize("value", [None, ""])
def test_no_time_reads_as_none(value):
    assert _from_iso(value) is None


def test_an_iso_time_reads_back():
    assert _from_iso("2022-06-14T15:00:00+00:00") == EARLY


@pytest.mark.parametrize(
    ("a", "b", "earliest", "latest"),
    [
        (EARLY, LATE, EARLY, LATE),
        (LATE, EARLY, EARLY, LATE),
        (EARLY, None, EARLY, EARLY),
        (None, LATE, LATE, LATE),
        (None, None, None, None),
    ],
)
def test_merging_two_rows_times_keeps_the_one_that_is_known(a, b, earliest, latest):
    assert (_earliest(a, b), _latest(a, b)) == (earliest, latest)


def _preview():
    return AttendancePreview(session_id=7, file_name="zoom.csv", zone_name="America/Mexico_City")


def test_the_preview_token_is_compressed_and_reads_back():
    token = preview_dumps(_preview())

    assert token.startswith(".")  # django.core.signing marks a compressed payload so
    assert preview_loads(token) == _preview()


def test_a_preview_token_older_than_an_hour_is_refused():
    with time_machine.travel(EARLY, tick=False) as clock:
        token = preview_dumps(_preview())
        clock.shift(dt.timedelta(seconds=PREVIEW_MAX_AGE + 1))

        with pytest.raises(signing.SignatureExpired):
            preview_loads(token)


@pytest.mark.django_db
def test_totals_count_approved_attendance_of_this_workshop_only():
    delegation = DelegationFactory(country__iso_code="MX")
    session = SessionFactory(workshop=delegation.workshop, number=1)
    for status in ("approved", "approved", "pending"):
        AttendanceFactory(
            participant=ParticipantFactory(delegation=delegation, registration_status=status),
            session=session,
        )
    other = DelegationFactory(country__iso_code="MX")  # same country, another workshop
    AttendanceFactory(
        participant=ParticipantFactory(delegation=other, registration_status="approved"),
        session=SessionFactory(workshop=other.workshop, number=1),
    )

    assert attendance_totals(workshop=delegation.workshop) == {("MX", 1): 2}


MEXICO = zoneinfo.ZoneInfo("America/Mexico_City")  # UTC-5 in June 2022


def test_a_cell_past_the_end_of_a_short_row_is_blank():
    assert _cell(["ana@gob.mx", " 15 "], 1) == "15"
    assert _cell(["ana@gob.mx", " 15 "], 2) == ""
    assert _cell(["ana@gob.mx"], None) == ""


@pytest.mark.parametrize(
    ("value", "date_order", "utc"),
    [
        ("6/14/2022 3:05 P.M.", "mdy", dt.datetime(2022, 6, 14, 20, 5, tzinfo=dt.UTC)),
        ("14/06/2022, 3:05:10 p. m.", "dmy", dt.datetime(2022, 6, 14, 20, 5, 10, tzinfo=dt.UTC)),
        ("2022-06-14T15:05:00Z", "mdy", dt.datetime(2022, 6, 14, 15, 5, tzinfo=dt.UTC)),
        ("2022-06-14 15:05:00+02:00", "dmy", dt.datetime(2022, 6, 14, 13, 5, tzinfo=dt.UTC)),
        # Not ISO (one-digit month and hour), still year first: the strptime fallback reads it.
        ("2022-6-14 9:05", "dmy", dt.datetime(2022, 6, 14, 14, 5, tzinfo=dt.UTC)),
    ],
)
def test_report_times_in_their_usual_spellings(value, date_order, utc):
    parsed = _parse_time(value, MEXICO, date_order)

    assert parsed == utc
    assert parsed.tzinfo is dt.UTC


@pytest.mark.parametrize(("date_order", "order"), [("mdy", "MM/DD/AAAA"), ("dmy", "DD/MM/AAAA")])
def test_a_time_not_understood_names_the_expected_date_order(date_order, order):
    with pytest.raises(ValueError, match="mañana") as caught:
        _parse_time("mañana", MEXICO, date_order)

    assert str(caught.value) == (
        f"No se entiende la hora «mañana» (se esperaba {order} hh:mm[:ss] o AAAA-MM-DD hh:mm[:ss])."
    )


@pytest.mark.django_db
def test_approved_people_are_found_by_any_of_their_addresses_in_this_workshop_only():
    from allauth.account.models import EmailAddress

    delegation = DelegationFactory()
    ana = ParticipantFactory(
        delegation=delegation,
        registration_status="approved",
        user__username="ana",
        user__email="Ana@Gob.MX",
        user__first_name="Ana",
        user__last_name="Pérez",
    )
    EmailAddress.objects.create(user=ana.user, email="Ana.Personal@Correo.org")
    ParticipantFactory(delegation=delegation, registration_status="pending")
    elsewhere = ParticipantFactory(registration_status="approved", user__username="luis")

    directory = _approved_by_email(workshop_id=delegation.workshop_id)

    assert directory == {
        "ana@gob.mx": (ana.pk, "Ana Pérez"),
        "ana.personal@correo.org": (ana.pk, "Ana Pérez"),
    }
    assert elsewhere.user.email.casefold() not in directory


@pytest.mark.parametrize(
    ("text", "minutes"), [("1,6", 2), ("62.4 min", 62), ("15 Minutos", 15), ("7 M.", 7)]
)
def test_plain_minutes_with_a_decimal_comma_or_point_and_a_unit(text, minutes):
    assert _parse_minutes(text) == minutes


def test_a_time_not_understood_is_quoted_up_to_40_characters():
    value = "x" * 40 + "EXTRA"

    with pytest.raises(ValueError, match="No se entiende la hora") as caught:
        _parse_time(value, MEXICO, "dmy")

    assert f"«{'x' * 40}»" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1:59:29", 119), ("1h 59m 29s", 119), ("45m 10s", 45), ("2 h", 120), ("90s", 2)],
)
def test_clock_and_teams_durations_are_rounded_to_whole_minutes(text, minutes):
    assert _parse_minutes(text) == minutes


def test_a_duration_not_understood_is_quoted_up_to_40_characters():
    with pytest.raises(ValueError, match="No se entiende la duración") as caught:
        _parse_minutes("y" * 40 + "EXTRA")

    assert str(caught.value) == f"No se entiende la duración «{'y' * 40}»."


@pytest.mark.parametrize("start", [b"PK\x03\x04", b"%PDF-1.7", b"\xd0\xcf\x11\xe0"])
def test_a_spreadsheet_or_pdf_is_not_read_as_a_csv(start):
    with pytest.raises(AttendanceFileError, match="parece una hoja") as caught:
        _decode(start + b"email\n")

    assert str(caught.value) == (
        "El archivo no es un CSV (parece una hoja de cálculo o un PDF). "
        "Exporte el informe como CSV."
    )


def test_a_utf16_report_is_read_whatever_its_byte_order():
    text = "\ufeffEmail,Nombre\nana@gob.mx,Ana Pérez\n"

    assert _decode(text.encode("utf-16-le")).endswith("Ana Pérez\n")
    assert _decode(text.encode("utf-16-be")).endswith("Ana Pérez\n")


def test_a_broken_utf16_report_says_it_cannot_be_read_as_text():
    with pytest.raises(AttendanceFileError, match="texto") as caught:
        _decode(b"\xff\xfeE\x00m")  # an odd number of bytes

    assert str(caught.value) == "El archivo no se puede leer como texto."


def test_bytes_neither_utf8_nor_windows_1252_are_read_as_latin1():
    assert _decode(b"email,nombre\na@x.org,\x81\n") == "email,nombre\na@x.org,\x81\n"


def test_the_table_starts_after_blank_lines_and_skips_blank_rows_before_the_first():
    header, rows = _table("\nEmail,Join Time\n\nana@x.org,2022-06-14 10:00\n")

    assert header == ["Email", "Join Time"]
    assert rows == [(4, ["ana@x.org", "2022-06-14 10:00"])]


@pytest.mark.parametrize(
    ("text", "columns"), [("\n", ""), ("Nombre," + "x" * 310, "Nombre," + "x" * 293)]
)
def test_no_email_column_names_the_first_line_up_to_300_characters(text, columns):
    with pytest.raises(AttendanceFileError, match="correo") as caught:
        _table(text)

    assert str(caught.value).endswith(f"Columnas del archivo: {columns}.")


@pytest.mark.django_db
def test_a_report_named_txt_in_any_case_is_read_and_another_name_quoted_to_100_characters():
    session = SessionFactory()
    data = b"Email,Join Time\nnadie@x.org,2022-06-14 10:00\n"

    preview = attendance_report_read(
        session=session, file_name="Zoom.TXT", data=data, zone_name="UTC"
    )

    assert preview.file_name == "Zoom.TXT"
    with pytest.raises(AttendanceFileError, match="no es un archivo CSV") as caught:
        attendance_report_read(
            session=session, file_name="z" * 100 + ".pdf", data=data, zone_name="UTC"
        )
    assert str(caught.value).startswith(f"«{'z' * 100}» no es un archivo CSV.")


@pytest.mark.django_db
def test_rows_that_cannot_be_read_or_leave_before_joining_are_listed_with_who_and_why():
    delegation = DelegationFactory()
    session = SessionFactory(workshop=delegation.workshop, number=1)
    other_session = SessionFactory(workshop=delegation.workshop, number=2)
    rosa = ParticipantFactory(
        delegation=delegation, registration_status="approved", user__email="rosa@x.org"
    )
    AttendanceFactory(participant=rosa, session=other_session, source="manual")
    data = (
        "Name,Email,Join Time,Leave Time\n"
        "Ana,ana@x.org,mañana,2022-06-14 10:00\n"
        "Luis,luis@x.org,2022-06-14 10:00,2022-06-14 09:59\n"
        "Eva,eva@x.org,2022-06-14 10:00,2022-06-14 10:00\n"
        "Rosa,rosa@x.org,2022-06-14 10:00,2022-06-14 11:00\n"
    ).encode()

    preview = attendance_report_read(
        session=session, file_name="zoom.csv", data=data, zone_name="UTC"
    )

    assert preview.invalid == [
        ReportProblem(
            2,
            "Ana",
            "ana@x.org",
            "No se entiende la hora «mañana» (se esperaba MM/DD/AAAA hh:mm[:ss] o "
            "AAAA-MM-DD hh:mm[:ss]).",
        ),
        ReportProblem(3, "Luis", "luis@x.org", "La hora de salida es anterior a la de entrada."),
    ]
    # Leaving at the very minute of joining is no error: that row is only unmatched.
    assert preview.unmatched == [
        ReportProblem(
            4, "Eva", "eva@x.org", "Ningún participante aprobado del taller tiene este correo."
        )
    ]
    # Rosa's manual attendance is of another session: this one's report is written for her.
    assert [(p.participant_id, p.minutes, p.kept_manual) for p in preview.people] == [
        (rosa.pk, 60, False)
    ]
