"""/staff/: the Secretaría's page, staff only, behind the admin's second factor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Attendance, Invitation, Participant
from tests.admin_factories import StaffUserFactory, activate_totp
from tests.factories import UserFactory
from tests.participants.homes_helpers import add_member

PAGE = "/staff/"

pytestmark = pytest.mark.django_db


def test_staff_url_name():
    assert reverse("staff:dashboard") == PAGE


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("pending", 403),
        ("delegate", 403),
        ("focal_point_other", 403),
        ("observer", 403),
        ("moderator", 403),
        ("staff", 200),
    ],
)
def test_staff_page_answers_each_role(people, client_as, role, status):
    response = client_as(people[role]).get(PAGE)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == "/accounts/login/?next=/staff/"


def test_staff_page_sends_staff_without_authenticator_to_totp_setup(demo, client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(StaffUserFactory())

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_page_english_prefix_is_gated_too(demo, client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(StaffUserFactory())

    response = client.get("/en/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/totp/activate/"


def test_staff_page_asks_for_code_when_session_skipped_the_second_factor(demo, client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    staff = StaffUserFactory()
    activate_totp(staff)
    client.force_login(staff)

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fstaff%2F"


def test_staff_page_gate_leaves_non_staff_to_the_403(demo, client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(UserFactory())

    assert client.get(PAGE).status_code == 403


def test_staff_page_gate_does_not_touch_the_homes(people, client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(people["staff"])

    assert client.get("/home/delegation/").status_code == 200


def _registrations_row(html: str, country: str) -> str:
    table = html.split('class="table table-sm table-bordered align-middle staff-registrations"')[1]
    return table.split(f">{country}</a>")[1].split("</tr>")[0]


def test_staff_page_counts_registrations_per_country_and_profile(people, client_as, demo):
    add_member(demo, country="MX", n=1, profile="investigation")
    add_member(demo, country="MX", n=2, profile="investigation", status="pending")
    add_member(demo, country="MX", n=3, profile="protection", status="rejected")

    html = client_as(people["staff"]).get(PAGE).content.decode()

    cells = [
        " ".join(cell.split("</td>")[0].split())
        for cell in _registrations_row(html, "México").split("<td")[1:]
    ]
    assert cells == [
        # investigation: 1 approved, 1 pending
        '> 1 <span class="staff-pending">(1 pendiente)</span>',
        # migration control: the demo delegate
        "> 1",
        # protection: the pending account of the people fixture; the rejected one is not
        # counted, and nobody approved: a gap
        'class="staff-gap"> 0 <span class="staff-pending">(1 pendiente)</span> '
        '<span class="badge staff-gap-badge">Falta</span>',
        "> 0",
        '>2 <span class="staff-pending">(2 pendientes)</span>',
    ]


def test_staff_page_gaps_are_written_not_only_coloured(people, client_as):
    html = client_as(people["staff"]).get(PAGE).content.decode()

    # 11 member countries times 3 expected profiles, minus SV investigation and MX migration.
    assert html.count(">Falta</span>") == 31
    assert html.count('class="staff-gap"') == 31
    assert "<caption>" in html
    assert '<th scope="col">Investigación y judicialización</th>' in html


def test_staff_page_lists_invitations_by_status_with_admin_links(people, client_as, demo):
    mexico = demo.delegations.get(country_id="MX")
    for n, status in enumerate(["draft", "queued", "failed", "failed"]):
        Invitation.objects.create(
            workshop=demo, delegation=mexico, email=f"i{n}@example.org", status=status
        )

    html = client_as(people["staff"]).get(PAGE).content.decode()

    table = html.split("staff-invitations")[1].split("</table>")[0]
    rows = [
        " ".join(row.split("</tr>")[0].split())
        for row in table.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    ]
    assert rows == [
        '<th scope="row"><a href="/admin/participants/invitation/?status__exact=draft">'
        'Sin enviar</a></th> <td class="text-end">1</td>',
        '<th scope="row"><a href="/admin/participants/invitation/?status__exact=queued">'
        'En cola</a></th> <td class="text-end">1</td>',
        '<th scope="row"><a href="/admin/participants/invitation/?status__exact=sent">'
        'Enviada</a></th> <td class="text-end">0</td>',
        '<th scope="row"><a href="/admin/participants/invitation/?status__exact=failed">'
        'Fallida</a></th> <td class="text-end">2</td>',
        '<th scope="row"><a href="/admin/participants/invitation/?status__exact=accepted">'
        'Aceptada</a></th> <td class="text-end">0</td>',
    ]


def test_staff_page_lists_pending_approvals_with_links_to_the_admin(people, client_as):
    pending = Participant.objects.get(user=people["pending"])

    html = client_as(people["staff"]).get(PAGE).content.decode()

    assert "Inscripción por aprobar (1)" in html
    assert (
        f'href="/admin/participants/participant/{pending.pk}/change/">Pendiente México</a>' in html
    )
    assert 'href="/admin/participants/participant/?registration_status__exact=pending"' in html


def test_staff_page_totals_attendance_per_country_and_session(people, client_as, demo):
    first, second = demo.sessions.order_by("number")
    mexico = Participant.objects.get(user=people["delegate"])
    salvador = Participant.objects.get(user=people["focal_point_other"])
    observer = Participant.objects.get(user=people["observer"])
    Attendance.objects.create(participant=mexico, session=first)
    Attendance.objects.create(participant=mexico, session=second)
    Attendance.objects.create(participant=salvador, session=first)
    Attendance.objects.create(participant=observer, session=second)
    Attendance.objects.create(
        participant=Participant.objects.get(user=people["moderator"]), session=first, attended=False
    )

    html = client_as(people["staff"]).get(PAGE).content.decode()

    table = html.split("staff-attendance")[1].split("</table>")[0]

    def row(label):
        cells = table.split(f">{label}</th>")[1].split("</tr>")[0]
        return [c.split("</td>")[0] for c in cells.split('<td class="text-end">')[1:]]

    assert row("México") == ["1", "1", "2"]
    assert row("El Salvador") == ["1", "0", "1"]
    assert row("Belice") == ["0", "0", "0"]
    assert row("Organizaciones (observadores y moderación)") == ["0", "1", "1"]
    totals = table.split("<tfoot>")[1]
    assert [c.split("</td>")[0] for c in totals.split('<td class="text-end">')[1:]] == [
        "2",
        "2",
        "4",
    ]


def test_staff_header_marks_the_panel_as_current(people, client_as):
    html = client_as(people["staff"]).get(PAGE).content.decode()

    assert 'href="/staff/" aria-current="page">Panel</a>' in html
    assert ">Administración</a>" in html
    assert ">Mi espacio</a>" not in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_staff_page_query_count_does_not_grow_with_rows(people, client_as, demo):
    client = client_as(people["staff"])
    one = _queries(client)
    sessions = list(demo.sessions.all())
    for country in ["MX", "SV", "GT", "HN", "CR"]:
        for n in range(6):
            member = add_member(
                demo,
                country=country,
                n=n,
                profile=["investigation", "protection"][n % 2],
                status=["approved", "pending"][n % 2],
            )
            Attendance.objects.create(participant=member, session=sessions[n % 2])
            Invitation.objects.create(
                workshop=demo,
                delegation=member.delegation,
                email=f"inv{n}.{country}@example.org",
                status=["queued", "failed", "draft"][n % 3],
            )

    many = _queries(client)

    # session, user, workshop, the dashboard's 6 reads, and the site's own per-request reads.
    assert one == many == 11
