"""The admin's "send invitations" action and its progress panel (issue 6, point 3)."""

import pytest
from django.contrib.auth.models import Permission

from participants.models import Invitation, User

CHANGELIST = "/admin/participants/invitation/"
PROGRESS = "/admin/participants/invitation/progress/"


@pytest.fixture
def drafts(demo):
    mx = demo.delegations.get(country_id="MX")
    return [
        Invitation.objects.create(
            workshop=demo,
            email=f"invitada{n}@gob.mx",
            full_name=f"Invitada {n}",
            delegation=mx,
            status=Invitation.Status.DRAFT,
        )
        for n in range(3)
    ]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """POST the action; the e-mails leave on commit (inline tasks: no broker in tests)."""

    def post(client, invitations):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                CHANGELIST,
                {"action": "send_invitations", "_selected_action": [i.pk for i in invitations]},
            )

    return post


def test_send_queues_drafts_and_each_email_arrives_once(drafts, people, client_as, smtp_sink, send):
    client = client_as(people["staff"])

    response = send(client, drafts)

    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "invitada0@gob.mx",
        "invitada1@gob.mx",
        "invitada2@gob.mx",
    ]
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}

    send(client, drafts)  # a second click sends nothing again

    assert len(smtp_sink.messages) == 3


def test_send_retries_failed_and_leaves_sent_alone(drafts, people, client_as, smtp_sink, send):
    Invitation.objects.filter(pk=drafts[0].pk).update(status="failed", attempts=3, last_error="550")
    Invitation.objects.filter(pk=drafts[1].pk).update(status="queued")

    send(client_as(people["staff"]), drafts)

    assert sorted(m["To"] for m in smtp_sink.messages) == ["invitada0@gob.mx", "invitada2@gob.mx"]
    failed_then_sent = Invitation.objects.get(pk=drafts[0].pk)
    assert (failed_then_sent.status, failed_then_sent.attempts) == ("sent", 1)
    assert Invitation.objects.get(pk=drafts[1].pk).status == "queued"  # the sweep's


def test_progress_panel_and_json_show_the_batch(drafts, people, client_as, smtp_sink, send):
    client = client_as(people["staff"])
    send(client, drafts[:2])

    data = client.get(PROGRESS).json()
    page = client.get(CHANGELIST).content.decode()

    assert data == {
        "scope": "batch",
        "counts": {"draft": 0, "queued": 0, "sent": 2, "failed": 0, "accepted": 0},
        "total": 2,
        "done": 2,
        "percent": 100,
        "waiting": 0,
    }
    assert '<progress id="invitation-progress-bar" max="100" value="100"' in page
    assert "2 de 2 procesadas (100 %)" in page
    assert "js/invitation_progress.js" in page


def test_progress_without_a_batch_counts_the_workshop(drafts, people, client_as):
    data = client_as(people["staff"]).get(PROGRESS).json()

    assert data["scope"] == "workshop"
    assert data["counts"]["draft"] == 3
    assert data["percent"] == 0


def test_send_needs_the_change_permission(drafts, client_as, smtp_sink, send):
    clerk = User.objects.create_user(username="clerk", email="clerk@x.org", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_invitation"))

    response = send(client_as(clerk), drafts)

    assert response.status_code == 403
    assert set(Invitation.objects.values_list("status", flat=True)) == {"draft"}
    assert smtp_sink.messages == []


def test_progress_endpoint_needs_the_view_permission(drafts, client_as):
    clerk = User.objects.create_user(username="clerk", email="clerk@x.org", is_staff=True)

    assert client_as(clerk).get(PROGRESS).status_code == 403


@pytest.mark.parametrize("role", ["anonymous", "pending", "delegate", "observer", "moderator"])
def test_progress_endpoint_is_closed_to_non_staff(people, client_as, role):
    response = client_as(people[role]).get(PROGRESS)

    assert response.status_code == 302
    assert "login" in response.url


def test_secretariat_group_grants_import_and_send(demo, people):
    staff = people["staff"]

    assert staff.has_perm("participants.add_invitation")
    assert staff.has_perm("participants.change_invitation")


def test_send_from_a_list_filtered_to_drafts_reports_exact_counts(
    drafts, people, client_as, smtp_sink, django_capture_on_commit_callbacks
):
    from django.contrib.messages import get_messages

    Invitation.objects.filter(pk=drafts[1].pk).update(status="queued")
    client = client_as(people["staff"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST + "?status__exact=draft",
            {"action": "send_invitations", "_selected_action": [i.pk for i in drafts]},
        )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 invitaciones en cola de envío."
    ]


def test_send_with_one_already_queued_says_it_was_skipped(
    drafts, people, client_as, smtp_sink, django_capture_on_commit_callbacks
):
    from django.contrib.messages import get_messages

    Invitation.objects.filter(pk=drafts[1].pk).update(status="queued")
    client = client_as(people["staff"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "send_invitations", "_selected_action": [i.pk for i in drafts]},
        )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 invitaciones en cola de envío.",
        "1 invitación seleccionada no se envió: ya estaba en cola, enviada o aceptada.",
    ]
