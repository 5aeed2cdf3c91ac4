"""participants.notifications called directly: who reviewed a decision, which decisions and
reminders are written, in what order, for which workshop, and what the log says when the
broker cannot take a notification (the admin and beat tests see these only through e-mails)."""

import datetime as dt
import logging

import pytest

from agenda.models import Workshop
from crm_workshop.broker import BrokerUnavailable
from participants import notifications
from participants.models import Country, Notification, Participant
from participants.notifications import (
    registration_decision_notify,
    registration_review,
    session_reminders_create,
    sessions_due_for_reminder,
)
from participants.services import TemporaryDeliveryError
from tests.admin_factories import DelegationFactory, ParticipantFactory, StaffUserFactory
from tests.factories import SessionFactory, WorkshopFactory, local
from tests.smtp_sink import plain_body

pytestmark = pytest.mark.django_db

NOW = local(2022, 6, 13, 11)  # long before the real clock: every call passes ``now``


def _session(workshop, number, start):
    return SessionFactory(
        workshop=workshop, number=number, start=start, end=start + dt.timedelta(hours=2)
    )


def test_review_records_the_reviewer_on_the_rows_and_the_returned_objects(
    django_capture_on_commit_callbacks,
):
    pending = [ParticipantFactory(registration_status="pending") for _ in range(2)]
    reviewer = StaffUserFactory(username="revisora")

    with django_capture_on_commit_callbacks(execute=False):
        changed = registration_review(
            participants=Participant.objects.filter(pk__in=[p.pk for p in pending]),
            status="approved",
            reviewer=reviewer,
        )

    assert [p.reviewed_by for p in changed] == [reviewer, reviewer]
    assert list(Participant.objects.values_list("reviewed_by__username", flat=True)) == [
        "revisora",
        "revisora",
    ]


def test_decision_notify_skips_pending_and_unreviewed_and_goes_on_with_the_rest(
    django_capture_on_commit_callbacks,
):
    now = dt.datetime(2022, 6, 1, 9, tzinfo=dt.UTC)
    pending = ParticipantFactory(registration_status="pending", reviewed_at=now)
    unreviewed = ParticipantFactory(registration_status="approved", reviewed_at=None)
    approved = ParticipantFactory(registration_status="approved", reviewed_at=now)
    rejected = ParticipantFactory(registration_status="rejected", reviewed_at=now)

    with django_capture_on_commit_callbacks(execute=False):
        created = registration_decision_notify(
            participants=[pending, unreviewed, approved, rejected]
        )

    assert [(n.participant, n.kind, n.dedupe_key) for n in created] == [
        (approved, "registration_approved", "decision-2022-06-01T09:00:00+00:00"),
        (rejected, "registration_rejected", "decision-2022-06-01T09:00:00+00:00"),
    ]
    assert Notification.objects.count() == 2


def test_sessions_due_come_by_start_with_their_workshop(django_assert_num_queries):
    workshop = WorkshopFactory()
    later = _session(workshop, 1, NOW + dt.timedelta(hours=20))
    sooner = _session(workshop, 2, NOW + dt.timedelta(hours=2))
    _session(workshop, 3, NOW + dt.timedelta(hours=30))  # beyond the 24-hour lead

    with django_assert_num_queries(1):
        due = sessions_due_for_reminder(now=NOW)
        workshops = [session.workshop for session in due]

    assert due == [sooner, later]
    assert workshops == [workshop, workshop]


def test_reminders_are_written_for_the_time_given_and_only_in_the_session_workshop(
    django_capture_on_commit_callbacks,
):
    ours = DelegationFactory()
    theirs = DelegationFactory()
    session = _session(ours.workshop, 1, NOW + dt.timedelta(hours=3))
    _session(theirs.workshop, 1, NOW + dt.timedelta(days=3))  # not due
    first = ParticipantFactory(delegation=ours, registration_status="approved")
    second = ParticipantFactory(delegation=ours, registration_status="approved")
    ParticipantFactory(delegation=theirs, registration_status="approved")

    with django_capture_on_commit_callbacks(execute=False):
        created = session_reminders_create(now=NOW)

    assert [(n.participant, n.session, n.dedupe_key) for n in created] == [
        (first, session, f"session-{session.pk}"),
        (second, session, f"session-{session.pk}"),
    ]


def test_a_second_run_reads_who_was_reminded_in_one_query_per_session(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    delegation = DelegationFactory()
    _session(delegation.workshop, 1, NOW + dt.timedelta(hours=3))
    for _ in range(4):
        ParticipantFactory(delegation=delegation, registration_status="approved")
    with django_capture_on_commit_callbacks(execute=False):
        assert len(session_reminders_create(now=NOW)) == 4

    # The due sessions, the approved participants without this reminder (none), and the
    # savepoint and its release of the (empty) transaction: no per-person get_or_create.
    with django_assert_num_queries(4), django_capture_on_commit_callbacks(execute=False):
        assert session_reminders_create(now=NOW) == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            BrokerUnavailable("connection refused"),
            "notification 41 stays queued: broker unavailable (connection refused); "
            "the outbox sweep will retry",
        ),
        (
            TemporaryDeliveryError("451 try later"),
            "notification 41 stays queued: 451 try later",
        ),
    ],
)
def test_a_notification_the_broker_cannot_take_is_logged_as_staying_queued(
    monkeypatch, caplog, error, message
):
    def publish(task, **kwargs):
        assert kwargs == {"notification_id": 41}
        raise error

    monkeypatch.setattr(notifications, "task_publish", publish)

    with caplog.at_level(logging.WARNING, logger="participants.notifications"):
        notifications._publish_notification_send(notification_id=41)

    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.WARNING, message)]


# --- The message ------------------------------------------------------------------------------


def _approved_notification(**participant):
    participant = ParticipantFactory(registration_status="approved", **participant)
    return Notification.objects.create(
        participant=participant, kind="registration_approved", dedupe_key="decision-x"
    )


def test_links_in_the_message_have_one_slash_after_a_site_url_ending_in_one(settings):
    settings.SITE_URL = "https://crm.example.org/"

    message = notifications.notification_message(_approved_notification())

    assert "https://crm.example.org/home/" in message.body
    assert "https://crm.example.org//home/" not in message.body


def test_zone_is_the_user_s_then_the_delegation_country_s_then_the_workshop_s():
    workshop = WorkshopFactory(time_zone="America/Costa_Rica")
    mexico = DelegationFactory(
        workshop=workshop, country__iso_code="MX", country__time_zone="America/Mexico_City"
    )
    no_zone = DelegationFactory(workshop=workshop, country__iso_code="GT", country__time_zone="")
    own = ParticipantFactory(delegation=mexico, user__time_zone="Europe/Madrid")
    country = ParticipantFactory(delegation=mexico, user__time_zone="")
    country_without_zone = ParticipantFactory(delegation=no_zone, user__time_zone="")
    observer = ParticipantFactory(
        workshop=workshop, role="observer", delegation=None, user__time_zone=""
    )

    assert [
        notifications.participant_zone_name(p)
        for p in (own, country, country_without_zone, observer)
    ] == ["Europe/Madrid", "America/Mexico_City", "America/Costa_Rica", "America/Costa_Rica"]


def test_sending_reads_the_notification_with_its_people_in_one_query(
    smtp_sink, django_assert_num_queries
):
    notification = _approved_notification()

    with django_assert_num_queries(SEND_QUERIES):
        notifications.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == "sent"


# Savepoint, the locked read with participant, user, workshop, delegation and country joined,
# the workshop's sessions for the message, the update, release.
SEND_QUERIES = 5


# --- Sending: attempts, reasons and log lines ---------------------------------------------------


@pytest.mark.parametrize(("attempts_before", "status"), [(18, "queued"), (19, "failed")])
def test_the_twentieth_temporary_failure_is_final(smtp_sink, attempts_before, status):
    notification = _approved_notification()
    Notification.objects.filter(pk=notification.pk).update(attempts=attempts_before)
    smtp_sink.fail_next(1, "451 4.3.0 Try again later")

    if status == "queued":
        with pytest.raises(TemporaryDeliveryError):
            notifications.notification_send(notification_id=notification.pk)
    else:
        notifications.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (status, attempts_before + 1)


def test_a_failed_delivery_is_logged_with_the_address_and_attempt(smtp_sink, caplog):
    notification = _approved_notification(user__email="ana@gob.mx")
    smtp_sink.fail_next(1, "550 5.1.1 Mailbox unavailable")

    with caplog.at_level(logging.INFO, logger="participants.notifications"):
        notifications.notification_send(notification_id=notification.pk)

    assert [r.getMessage() for r in caplog.records] == [
        f"notification {notification.pk}: delivery to ana@gob.mx failed (attempt 1): "
        "550 5.1.1 Mailbox unavailable"
    ]


def test_an_obsolete_notification_is_logged_with_its_reason(smtp_sink, caplog):
    notification = _approved_notification()
    Participant.objects.update(registration_status="rejected")

    with caplog.at_level(logging.INFO, logger="participants.notifications"):
        notifications.notification_send(notification_id=notification.pk)

    assert [r.getMessage() for r in caplog.records] == [
        f"notification {notification.pk} not sent: La decisión sobre la inscripción cambió "
        "después; este aviso ya no se envía."
    ]


def test_an_unbuildable_message_is_failed_for_good_and_logged(smtp_sink, caplog):
    notification = _approved_notification(user__time_zone="")
    Country.objects.update(time_zone="Mars/X")
    Workshop.objects.update(time_zone="Mars/X")

    with caplog.at_level(logging.INFO, logger="participants.notifications"):
        result = notifications.notification_send(notification_id=notification.pk)

    assert result.last_error == (
        "No se pudo preparar el mensaje (ZoneInfoNotFoundError: 'No time zone found with key "
        "Mars/X'). Reintentar no lo resolverá: corrija los datos y vuelva a poner la "
        "notificación en cola."
    )
    assert [r.getMessage() for r in caplog.records] == [
        f"notification {notification.pk}: the message could not be built or handed over (attempt 1)"
    ]


def test_sending_a_reminder_reads_session_and_country_with_the_row(
    smtp_sink, django_assert_num_queries
):
    participant = ParticipantFactory(
        registration_status="approved",
        user__time_zone="",
        delegation__country__iso_code="MX",
        delegation__country__time_zone="America/Mexico_City",
    )
    session = _session(participant.workshop, 1, dt.datetime(2099, 6, 14, 16, tzinfo=dt.UTC))
    notification = Notification.objects.create(
        participant=participant, kind="session_reminder", dedupe_key="s", session=session
    )

    # Savepoint, the locked read with everything joined, the update, release.
    with django_assert_num_queries(4):
        notifications.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == "sent"
    assert "America/Mexico_City" in plain_body(smtp_sink.messages[0])
