"""The notifications' admin: a read-only outbox with filters and "requeue failed"."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Notification
from participants.rules import secretariat_permissions
from tests.admin_factories import ParticipantFactory
from tests.conftest import ROLES
from tests.factories import UserFactory

CHANGELIST = "admin:participants_notification_changelist"

pytestmark = pytest.mark.django_db


def _notification(**fields) -> Notification:
    participant = fields.pop("participant", None) or ParticipantFactory(
        registration_status="approved"
    )
    fields.setdefault("kind", Notification.Kind.REGISTRATION_APPROVED)
    fields.setdefault("dedupe_key", f"decision-{participant.pk}")
    return Notification.objects.create(participant=participant, **fields)


@pytest.mark.parametrize("role", ROLES)
def test_notification_changelist_by_role(people, client_as, role):
    _notification(
        participant=people["delegate"].participations.get(),
        status="failed",
        last_error="550 5.1.1 Mailbox unavailable",
    )

    response = client_as(people[role]).get(reverse(CHANGELIST))

    if role == "staff":
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1
        assert "550 5.1.1 Mailbox unavailable" in response.text
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_secretariat_group_holds_view_and_change_of_notifications(demo):
    codenames = set(secretariat_permissions().values_list("codename", flat=True))
    assert {"view_notification", "change_notification"} <= codenames
    group = Group.objects.get(permissions__codename="view_notification")
    assert group.permissions.filter(codename="change_notification").exists()


def test_notification_admin_is_read_only(people, client_as):
    notification = _notification(participant=people["delegate"].participations.get())
    client = client_as(people["staff"])

    add = client.get(reverse("admin:participants_notification_add"))
    change = client.get(reverse("admin:participants_notification_change", args=[notification.pk]))
    posted = client.post(
        reverse("admin:participants_notification_change", args=[notification.pk]),
        {"status": "sent"},
    )
    delete = client.get(reverse("admin:participants_notification_delete", args=[notification.pk]))

    assert add.status_code == 403
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
    assert posted.status_code == 403
    assert delete.status_code == 403
    notification.refresh_from_db()
    assert notification.status == "queued"


def test_notification_changelist_filters_by_status_kind_and_session(people, client_as):
    participant = people["delegate"].participations.get()
    session = participant.workshop.sessions.order_by("number").first()
    reminder = _notification(
        participant=participant,
        kind="session_reminder",
        dedupe_key=f"session-{session.pk}",
        session=session,
        status="failed",
    )
    _notification(participant=participant, status="sent", sent_at=session.start)
    client = client_as(people["staff"])

    for query in (
        "status__exact=failed",
        "kind__exact=session_reminder",
        f"session__id__exact={session.pk}",
    ):
        response = client.get(reverse(CHANGELIST) + "?" + query)
        assert [n.pk for n in response.context["cl"].result_list] == [reminder.pk], query


def test_requeue_failed_sends_only_failed_again(
    people, client_as, smtp_sink, django_capture_on_commit_callbacks
):
    participant = people["delegate"].participations.get()
    failed = _notification(participant=participant, status="failed", attempts=3, last_error="550")
    sent = _notification(
        participant=participant,
        kind="registration_rejected",
        dedupe_key="decision-old",
        status="sent",
        sent_at=participant.registered_at,
        attempts=1,
    )
    client = client_as(people["staff"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "requeue_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert [str(m) for m in response.context["messages"]] == [
        "1 notificación fallida vuelve a estar en cola."
    ]
    assert [m["To"] for m in smtp_sink.messages] == [people["delegate"].email]
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 1, "")
    assert (sent.status, sent.attempts) == ("sent", 1)


def test_notification_changelist_query_count_does_not_grow(
    people, client_as, django_assert_num_queries
):
    client = client_as(people["staff"])
    _notification(participant=people["delegate"].participations.get())
    client.get(reverse(CHANGELIST))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(CHANGELIST))
    for _index in range(30):
        _notification(participant=ParticipantFactory(user=UserFactory()))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 31
