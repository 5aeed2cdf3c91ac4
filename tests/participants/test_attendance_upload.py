"""Uploading the webinar platform's participant report: read, preview, confirm, refuse."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.attendance import (
    AttendanceFileError,
    attendance_report_read,
    attendance_report_record,
    attendance_totals,
    preview_dumps,
)
from participants.models import Attendance, AttendanceReport, Participant
from tests.conftest import ROLES

UTC = dt.UTC
UPLOAD = "admin:participants_attendance_upload"

# Zoom's "Participants" export (English): a meeting summary, a blank line, then the people.
# 10:02 in San Salvador (the workshop's zone, UTC-6) is 16:02 UTC.
ZOOM_EN = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,CRM,06/14/2022 09:55:00 AM,06/14/2022 12:05:00 PM,org@x.org,130,5\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Delegada México,Delegada.MX@crm-workshop.test,06/14/2022 10:02:10 AM,"
    "06/14/2022 10:40:00 AM,38,No\n"
    "Delegado SV,delegado.sv@crm-workshop.test,06/14/2022 10:00:00 AM,06/14/2022 12:00:00 PM,"
    "120,No\n"
    "Delegada México,delegada.mx@crm-workshop.test,06/14/2022 10:45:00 AM,"
    "06/14/2022 11:58:30 AM,74,No\n"
    '=HYPERLINK("http://x"),intruso@example.org,06/14/2022 10:10:00 AM,'
    "06/14/2022 10:20:00 AM,10,Yes\n"
    "Pendiente,pendiente.mx@crm-workshop.test,06/14/2022 10:00:00 AM,06/14/2022 10:30:00 AM,30,No\n"
    "Teléfono,,06/14/2022 10:00:00 AM,06/14/2022 10:05:00 AM,5,Yes\n"
)


@pytest.fixture
def session(demo):
    return demo.sessions.get(number=1)


@pytest.fixture
def staff(people, client_as):
    return client_as(people["staff"])


def participant(email):
    return Participant.objects.get(user__email=email)


def upload(client, session, content, name="participants.csv", **extra):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        reverse(UPLOAD),
        {
            "session": session.pk,
            "report": SimpleUploadedFile(name, data, content_type="text/csv"),
            "time_zone": extra.get("time_zone", ""),
            "date_order": extra.get("date_order", "mdy"),
        },
    )


def preview_token(response) -> str:
    return re.search(r'name="preview" value="([^"]+)"', response.content.decode()).group(1)


def test_upload_zoom_report_merges_reconnections_and_lists_unmatched(people, session, staff):
    response = upload(staff, session, ZOOM_EN)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/participants/attendance/preview.html"
    preview = response.context["preview"]
    assert preview.rows_total == 6
    assert preview.rows_matched == 3
    assert [(p.label, p.rows, p.minutes) for p in preview.people] == [
        ("Delegada México (demo)", 2, 112),
        ("Delegado El Salvador (demo)", 1, 120),
    ]
    assert [(row.line, row.email) for row in preview.unmatched] == [
        (8, "intruso@example.org"),
        (9, "pendiente.mx@crm-workshop.test"),
        (10, ""),
    ]
    assert Attendance.objects.count() == 0  # a preview writes nothing

    result = staff.post(reverse(UPLOAD), {"preview": preview_token(response)})

    report = AttendanceReport.objects.get()
    assert result.status_code == 302
    assert result["Location"] == reverse(
        "admin:participants_attendance_upload_result", args=[report.pk]
    )
    mexico = Attendance.objects.get(participant=participant("delegada.mx@crm-workshop.test"))
    assert (mexico.session, mexico.attended, mexico.source, mexico.recorded_by) == (
        session,
        True,
        Attendance.Source.REPORT,
        people["staff"],
    )
    assert mexico.joined_at == dt.datetime(2022, 6, 14, 16, 2, 10, tzinfo=UTC)
    assert mexico.left_at == dt.datetime(2022, 6, 14, 17, 58, 30, tzinfo=UTC)
    assert mexico.minutes == 112
    assert (report.rows_total, report.rows_matched, report.uploaded_by) == (6, 3, people["staff"])
    assert report.unmatched == [
        {
            "line": 8,
            "name": '=HYPERLINK("http://x")',
            "email": "intruso@example.org",
            "reason": "Ningún participante aprobado del taller tiene este correo.",
        },
        {
            "line": 9,
            "name": "Pendiente",
            "email": "pendiente.mx@crm-workshop.test",
            "reason": "Ningún participante aprobado del taller tiene este correo.",
        },
        {"line": 10, "name": "Teléfono", "email": "", "reason": "Sin correo electrónico."},
    ]
    page = staff.get(result["Location"])
    assert page.status_code == 200
    assert "intruso@example.org" in page.content.decode()
    assert "=HYPERLINK(&quot;http://x&quot;)" in page.content.decode()


def test_upload_spanish_zoom_cp1252_day_first_with_a_m(session, staff):
    content = (
        "Nombre (nombre original);Correo electrónico del usuario;Hora de entrada;"
        "Hora de salida;Duración (minutos)\n"
        "Delegada;delegada.mx@crm-workshop.test;14/06/2022 10:02 a. m.;"
        "14/06/2022 12:01 p. m.;119\n"
    ).encode("cp1252")

    response = upload(staff, session, content, date_order="dmy", time_zone="America/Mexico_City")

    [person] = response.context["preview"].people
    assert person.joined_at == "2022-06-14T15:02:00+00:00"  # Mexico City was UTC-5
    assert person.left_at == "2022-06-14T17:01:00+00:00"
    assert person.minutes == 119


def test_upload_teams_utf16_tabs_with_hms_durations(session, staff):
    content = (
        "1. Summary\n"
        "Meeting title\tCRM\n"
        "\n"
        "2. Participants\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tRole\n"
        "Delegado SV\t6/14/22, 10:00:05 AM\t6/14/22, 11:30:00 AM\t1h 29m 55s\t"
        "DELEGADO.SV@crm-workshop.test\tAttendee\n"
        "\n"
        "3. In-Meeting Activities\n"
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
    ).encode("utf-16")

    response = upload(staff, session, content)

    preview = response.context["preview"]
    assert preview.rows_total == 1
    [person] = preview.people
    assert (person.joined_at, person.minutes) == ("2022-06-14T16:00:05+00:00", 90)


@pytest.mark.parametrize(
    ("joined", "expected"),
    [
        ("2022-06-14 10:02:00", "2022-06-14T16:02:00+00:00"),
        ("2022-06-14T10:02", "2022-06-14T16:02:00+00:00"),
        ("2022-06-14T10:02:00-05:00", "2022-06-14T15:02:00+00:00"),  # an offset is honoured
        ("06/14/2022 22:02", "2022-06-15T04:02:00+00:00"),
        ("6/14/2022 10:02 PM", "2022-06-15T04:02:00+00:00"),
    ],
)
def test_upload_time_formats(session, joined, expected):
    content = f"Email,Join Time\ndelegada.mx@crm-workshop.test,{joined}\n".encode()

    preview = attendance_report_read(
        session=session, file_name="r.csv", data=content, zone_name="America/El_Salvador"
    )

    assert preview.people[0].joined_at == expected


def test_upload_without_duration_counts_the_span(session):
    content = (
        b"Email,Join Time,Leave Time\n"
        b"delegada.mx@crm-workshop.test,2022-06-14 10:00,2022-06-14 11:15\n"
    )

    preview = attendance_report_read(
        session=session, file_name="r.csv", data=content, zone_name="America/El_Salvador"
    )

    assert preview.people[0].minutes == 75


def test_upload_unparsable_time_needs_consent_then_is_stored_with_reason(session, staff):
    content = (
        "Email,Join Time,Leave Time,Duration (Minutes)\n"
        "delegada.mx@crm-workshop.test,14/06/2022 10:00,06/14/2022 11:00 AM,60\n"
        "delegado.sv@crm-workshop.test,06/14/2022 10:00 AM,06/14/2022 11:00 AM,sesenta\n"
        "observador@crm-workshop.test,06/14/2022 10:00 AM,06/14/2022 11:00 AM,60\n"
    )
    response = upload(staff, session, content)
    invalid = response.context["preview"].invalid
    assert [(row.line, row.reason) for row in invalid] == [
        (
            2,
            "No se entiende la hora «14/06/2022 10:00» (se esperaba MM/DD/AAAA hh:mm[:ss] o "
            "AAAA-MM-DD hh:mm[:ss]).",
        ),
        (3, "No se entiende la duración «sesenta»."),
    ]
    token = preview_token(response)

    refused = staff.post(reverse(UPLOAD), {"preview": token})

    assert refused.status_code == 200
    assert "El archivo tiene 2 filas con errores." in refused.content.decode()
    assert Attendance.objects.count() == 0
    assert AttendanceReport.objects.count() == 0

    staff.post(reverse(UPLOAD), {"preview": token, "only_valid": "on"})

    assert list(Attendance.objects.values_list("participant__user__email", flat=True)) == [
        "observador@crm-workshop.test"
    ]
    assert [row["line"] for row in AttendanceReport.objects.get().unmatched] == [2, 3]


def test_upload_keeps_manual_record_and_replaces_earlier_report(people, session, staff):
    mexico = participant("delegada.mx@crm-workshop.test")
    salvador = participant("delegado.sv@crm-workshop.test")
    Attendance.objects.create(
        participant=mexico, session=session, attended=False, source=Attendance.Source.MANUAL
    )
    Attendance.objects.create(
        participant=salvador, session=session, source=Attendance.Source.REPORT, minutes=5
    )

    response = upload(staff, session, ZOOM_EN)
    assert [p.kept_manual for p in response.context["preview"].people] == [True, False]
    assert "Se mantiene el registro a mano" in response.content.decode()
    staff.post(reverse(UPLOAD), {"preview": preview_token(response)})

    kept = Attendance.objects.get(participant=mexico)
    assert (kept.attended, kept.source, kept.minutes) == (False, Attendance.Source.MANUAL, None)
    replaced = Attendance.objects.get(participant=salvador)
    assert (replaced.minutes, replaced.recorded_by) == (120, people["staff"])


def test_upload_tampered_preview_writes_nothing(session, staff):
    response = upload(staff, session, ZOOM_EN)

    result = staff.post(reverse(UPLOAD), {"preview": preview_token(response)[:-2] + "xx"})

    assert result.status_code == 302
    assert result["Location"] == reverse(UPLOAD)
    assert Attendance.objects.count() == 0


def test_upload_participant_unapproved_between_preview_and_confirm(session, people, staff):
    response = upload(staff, session, ZOOM_EN)
    Participant.objects.filter(user__email="delegado.sv@crm-workshop.test").update(
        registration_status=Participant.RegistrationStatus.REJECTED
    )

    staff.post(reverse(UPLOAD), {"preview": preview_token(response)})

    assert list(Attendance.objects.values_list("participant__user__email", flat=True)) == [
        "delegada.mx@crm-workshop.test"
    ]
    assert AttendanceReport.objects.get().unmatched[0]["reason"] == (
        "Ya no es participante aprobado/a del taller."
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "informe.xlsx",
            b"PK\x03\x04rest",
            "«informe.xlsx» no es un archivo CSV. Exporte el informe de la plataforma como CSV.",
        ),
        (
            "informe.csv",
            b"PK\x03\x04rest",
            "El archivo no es un CSV (parece una hoja de cálculo o un PDF). Exporte el informe "
            "como CSV.",
        ),
        ("informe.csv", b"Email\x00\x01\x02", "El archivo no es un CSV: contiene datos binarios."),
        ("informe.csv", b"   \n", "El archivo está vacío."),
        (
            "informe.csv",
            b"Name,Join Time\nAna,2022-06-14 10:00\n",
            "No se encuentra la columna del correo electrónico (p. ej. «Email», «User Email» o "
            "«Correo electrónico»). Columnas del archivo: Name,Join Time.",
        ),
    ],
)
def test_upload_refuses_files_that_are_not_reports(session, staff, name, content, message):
    response = upload(staff, session, content, name=name)

    assert response.status_code == 200
    assert response.context["form"].errors == {"report": [message]}
    assert AttendanceReport.objects.count() == 0


def test_upload_refuses_file_over_the_limit(session, staff, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024

    response = upload(staff, session, b"Email\n" + b"a@b.c\n" * 200_000)

    assert response.context["form"].errors == {
        "report": ["El archivo pesa más de 1 MB, el máximo permitido."]
    }
    with pytest.raises(AttendanceFileError):
        attendance_report_read(
            session=session, file_name="r.csv", data=b"x" * (1024 * 1024 + 1), zone_name="UTC"
        )


def test_upload_refuses_unknown_zone(session, staff):
    response = upload(staff, session, ZOOM_EN, time_zone="Mars/Olympus")

    assert list(response.context["form"].errors) == ["time_zone"]


def test_upload_in_english(session, staff):
    response = staff.post(
        "/en" + reverse(UPLOAD),
        {
            "session": session.pk,
            "report": SimpleUploadedFile("r.csv", b"Name\nAna\n", content_type="text/csv"),
            "date_order": "mdy",
        },
    )

    assert (
        response.context["form"].errors["report"][0].startswith("The e-mail column cannot be found")
    )


def test_attendance_totals_by_country_and_session(demo, session, people):
    service = attendance_report_read(
        session=session,
        file_name="r.csv",
        data=ZOOM_EN.encode(),
        zone_name="America/El_Salvador",
    )
    attendance_report_record(preview=service, user=people["staff"])
    Attendance.objects.create(
        participant=participant("observador@crm-workshop.test"), session=session
    )
    Attendance.objects.create(
        participant=participant("delegado.sv@crm-workshop.test"),
        session=demo.sessions.get(number=2),
        attended=False,
    )

    assert attendance_totals(workshop=demo) == {("MX", 1): 1, ("SV", 1): 1}


def test_preview_token_round_trip_is_compact(session):
    preview = attendance_report_read(
        session=session, file_name="r.csv", data=ZOOM_EN.encode(), zone_name="UTC"
    )

    assert len(preview_dumps(preview)) < 2000


@pytest.mark.parametrize("role", ROLES)
def test_upload_page_by_role(role, people, client_as):
    response = client_as(people[role]).get(reverse(UPLOAD))

    if role == "staff":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "login" in response["Location"]
