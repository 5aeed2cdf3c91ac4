"""Attendance recorded by hand in the admin: the add/change form and "record a session"."""

import pytest
from django.urls import reverse

from participants.attendance import attendance_record_manual
from participants.models import Attendance, AttendanceReport, Participant
from tests.admin_factories import ParticipantFactory
from tests.conftest import ROLES
from tests.factories import SessionFactory, WorkshopFactory

RECORD = "admin:participants_attendance_record"


@pytest.fixture
def session(demo):
    return demo.sessions.get(number=1)


@pytest.fixture
def staff(people, client_as):
    return client_as(people["staff"])


def participant(email):
    return Participant.objects.get(user__email=email)


def test_admin_add_records_manual_attendance_by_the_signed_in_staff(people, session, staff):
    mexico = participant("delegada.mx@crm-workshop.test")

    response = staff.post(
        reverse("admin:participants_attendance_add"),
        {
            "session": session.pk,
            "participant": mexico.pk,
            "attended": "on",
            "joined_at_0": "2022-06-14",
            "joined_at_1": "10:05",
            "left_at_0": "",
            "left_at_1": "",
            "minutes": "90",
        },
    )

    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.participant, attendance.session, attendance.attended) == (
        mexico,
        session,
        True,
    )
    assert (attendance.source, attendance.recorded_by) == (
        Attendance.Source.MANUAL,
        people["staff"],
    )
    # The form reads times in the workshop's zone (San Salvador, UTC-6).
    assert attendance.joined_at.isoformat() == "2022-06-14T16:05:00+00:00"


def test_admin_change_of_a_report_record_makes_it_manual(people, session, staff):
    attendance = Attendance.objects.create(
        participant=participant("delegada.mx@crm-workshop.test"),
        session=session,
        source=Attendance.Source.REPORT,
        minutes=30,
    )

    staff.post(
        reverse("admin:participants_attendance_change", args=[attendance.pk]),
        {
            "session": session.pk,
            "participant": attendance.participant_id,
            "joined_at_0": "",
            "joined_at_1": "",
            "left_at_0": "",
            "left_at_1": "",
            "minutes": "30",
        },
    )

    attendance.refresh_from_db()
    assert (attendance.attended, attendance.source, attendance.recorded_by) == (
        False,
        Attendance.Source.MANUAL,
        people["staff"],
    )


def test_admin_add_refuses_participant_of_another_workshop(session, staff):
    stranger = ParticipantFactory(registration_status=Participant.RegistrationStatus.APPROVED)

    response = staff.post(
        reverse("admin:participants_attendance_add"),
        {"session": session.pk, "participant": stranger.pk, "attended": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["participant"] == [
        "Esta persona no participa en el taller de esa sesión."
    ]
    assert Attendance.objects.count() == 0


def test_record_view_lists_approved_participants_only(people, session, staff):
    Attendance.objects.create(
        participant=participant("delegado.sv@crm-workshop.test"), session=session
    )

    response = staff.get(reverse(RECORD), {"session": session.pk})

    assert response.status_code == 200
    listed = [row["participant"].user.email for row in response.context["rows"]]
    assert sorted(listed) == [
        "delegada.mx@crm-workshop.test",
        "delegada.sv@crm-workshop.test",
        "delegado.sv@crm-workshop.test",
        "moderador@crm-workshop.test",
        "observador@crm-workshop.test",
    ]
    page = response.content.decode()
    sv = participant("delegado.sv@crm-workshop.test").pk
    assert f'value="{sv}" id="attended-{sv}" checked' in page
    assert "pendiente.mx@crm-workshop.test" not in page


def test_record_view_saves_ticks_and_unticks_in_one_go(people, session, staff):
    mexico = participant("delegada.mx@crm-workshop.test")
    salvador = participant("delegado.sv@crm-workshop.test")
    observer = participant("observador@crm-workshop.test")
    pending = participant("pendiente.mx@crm-workshop.test")
    report = Attendance.objects.create(
        participant=salvador, session=session, source=Attendance.Source.REPORT, minutes=80
    )

    response = staff.post(
        reverse(RECORD),
        {"session": session.pk, "attended": [str(mexico.pk), str(observer.pk), str(pending.pk)]},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse(RECORD)}?session={session.pk}"
    rows = {
        a.participant_id: (a.attended, a.source, a.recorded_by)
        for a in Attendance.objects.filter(session=session)
    }
    assert rows == {
        mexico.pk: (True, Attendance.Source.MANUAL, people["staff"]),
        observer.pk: (True, Attendance.Source.MANUAL, people["staff"]),
        salvador.pk: (False, Attendance.Source.MANUAL, people["staff"]),  # unticked: absent
    }
    report.refresh_from_db()
    assert report.minutes == 80  # the report's figures stay
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Sesión 1: 2 marcadas como presentes, 1 como ausentes."]


def test_record_twice_changes_nothing_the_second_time(people, session):
    mexico = participant("delegada.mx@crm-workshop.test")
    first = attendance_record_manual(
        session=session, attended_ids={mexico.pk}, user=people["staff"]
    )

    again = attendance_record_manual(
        session=session, attended_ids={mexico.pk}, user=people["staff"]
    )

    assert (first, again) == ((1, 0), (0, 0))
    assert Attendance.objects.count() == 1


def test_record_view_other_session_unknown_id_shows_picker(people, staff):
    response = staff.get(reverse(RECORD), {"session": "999999"})

    assert response.status_code == 200
    assert response.context["session"] is None
    assert response.context["rows"] == []


@pytest.mark.parametrize("role", ROLES)
def test_record_view_by_role(role, people, session, client_as):
    response = client_as(people[role]).get(reverse(RECORD), {"session": session.pk})

    if role == "staff":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_record_post_by_role_writes_only_for_staff(role, people, session, client_as):
    mexico = participant("delegada.mx@crm-workshop.test")

    client_as(people[role]).post(
        reverse(RECORD), {"session": session.pk, "attended": [str(mexico.pk)]}
    )

    assert Attendance.objects.count() == (1 if role == "staff" else 0)


def _approved(workshop, count):
    for _ in range(count):
        ParticipantFactory(
            delegation__workshop=workshop,
            registration_status=Participant.RegistrationStatus.APPROVED,
        )


@pytest.mark.parametrize("count", [1, 40])
def test_record_view_query_count_does_not_grow(count, people, staff, django_assert_num_queries):
    workshop = WorkshopFactory()
    session = SessionFactory(workshop=workshop, number=1)
    _approved(workshop, count)
    staff.get(reverse(RECORD), {"session": session.pk})  # warm the session and caches

    with django_assert_num_queries(QUERIES_RECORD_PAGE):
        response = staff.get(reverse(RECORD), {"session": session.pk})

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 40])
def test_attendance_changelist_query_count_does_not_grow(
    count, people, staff, django_assert_num_queries
):
    workshop = WorkshopFactory()
    session = SessionFactory(workshop=workshop, number=1)
    _approved(workshop, count)
    for person in Participant.objects.filter(workshop=workshop):
        Attendance.objects.create(participant=person, session=session)
    url = reverse("admin:participants_attendance_changelist")
    staff.get(url)

    with django_assert_num_queries(QUERIES_CHANGELIST):
        response = staff.get(url)

    assert response.context["cl"].result_count == count


def test_report_admin_is_read_only_and_shows_unmatched_rows(people, session, staff):
    report = AttendanceReport.objects.create(
        session=session,
        file_name="zoom.csv",
        uploaded_by=people["staff"],
        rows_total=3,
        rows_matched=1,
        unmatched=[
            {"line": 4, "name": "=1+1", "email": "x@example.org", "reason": "Sin participante."}
        ],
    )

    change = staff.get(reverse("admin:participants_attendancereport_change", args=[report.pk]))
    add = staff.get(reverse("admin:participants_attendancereport_add"))

    assert change.status_code == 200
    page = change.content.decode()
    assert "x@example.org" in page
    assert "=1+1" in page
    assert 'name="_save"' not in page
    assert add.status_code == 403


QUERIES_RECORD_PAGE = 9
QUERIES_CHANGELIST = 11
