"""Session reminders (issue 6, point 5): beat e-mails approved participants before each
session, once per person and session whatever happens, to a real SMTP sink.

The clock is set to 13 June 2022, 11:00 in San Salvador (17:00 UTC): session 1 starts the next
day at 10:00 there (in 23 h, within the default 24 h lead), session 2 the day after.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from participants import notifications
from participants.models import Notification, Participant
from participants.tasks import (
    notification_outbox_sweep_task,
    notification_send_task,
    session_reminders_task,
)
from tests.admin_factories import DelegationFactory, ParticipantFactory
from tests.factories import CountryFactory, SessionFactory, UserFactory, WorkshopFactory, local
from tests.smtp_sink import html_body, plain_body

SITE_URL = "https://crm.example.org"
NOW = local(2022, 6, 13, 11)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def workshop(settings, clock):
    settings.SITE_URL = SITE_URL
    return WorkshopFactory(
        title_es="Intercambio técnico sobre tráfico ilícito de migrantes",
        title_en="Technical exchange on the smuggling of migrants",
        time_zone="America/El_Salvador",
        webinar_url="https://webinar.example.org/crm",
    )


@pytest.fixture
def sessions(workshop):
    first = SessionFactory(
        workshop=workshop,
        number=1,
        label_es="Sesión virtual 1",
        label_en="Virtual session 1",
        title_es="Tendencias",
        title_en="Trends",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 12),
        conference_url="https://zoom.example.org/j/111",
    )
    second = SessionFactory(
        workshop=workshop,
        number=2,
        title_es="Cooperación",
        title_en="Cooperation",
        start=local(2022, 6, 15, 10),
        end=local(2022, 6, 15, 12),
    )
    return first, second


@pytest.fixture
def mexico(workshop):
    country = CountryFactory(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    return DelegationFactory(workshop=workshop, country=country)


@pytest.fixture
def people(mexico):
    """Approved: ana (es), bob (en), eva (en, Madrid). Pending: pepe. Rejected: rita."""

    def person(username, status, **user):
        return ParticipantFactory(
            delegation=mexico,
            registration_status=status,
            user=UserFactory(username=username, first_name=username.title(), **user),
        )

    return {
        "ana": person("ana", "approved", language="es"),
        "bob": person("bob", "approved", language="en"),
        "eva": person("eva", "approved", language="en", time_zone="Europe/Madrid"),
        "pepe": person("pepe", "pending"),
        "rita": person("rita", "rejected"),
    }


@pytest.fixture
def beat(django_capture_on_commit_callbacks):
    """``beat()`` runs the reminder task as beat would; the e-mails leave after its commit
    (``deliver=False``: the rows are written, the worker dies before sending)."""

    def run(*, deliver: bool = True) -> int:
        with django_capture_on_commit_callbacks(execute=deliver):
            return session_reminders_task.apply().get()

    return run


def _recipients(sink) -> list[str]:
    return sorted(message["To"] for message in sink.messages)


APPROVED = ["ana@example.org", "bob@example.org", "eva@example.org"]


# --- Once per person and session --------------------------------------------------------------


def test_two_beats_in_a_row_send_one_reminder_each(beat, sessions, people, smtp_sink):
    first = beat()
    second = beat()

    assert (first, second) == (3, 0)
    assert _recipients(smtp_sink) == APPROVED
    rows = Notification.objects.order_by("participant__user__username")
    assert [
        (n.participant.user.username, n.kind, n.dedupe_key, n.session, n.status) for n in rows
    ] == [
        (name, "session_reminder", f"session-{sessions[0].pk}", sessions[0], "sent")
        for name in ("ana", "bob", "eva")
    ]


def test_pending_and_rejected_get_no_reminder(beat, sessions, people, smtp_sink):
    beat()

    assert not Notification.objects.filter(
        participant__in=[people["pepe"], people["rita"]]
    ).exists()
    assert "pepe@example.org" not in _recipients(smtp_sink)


def test_approved_after_first_beat_gets_theirs_at_the_next(beat, sessions, people, smtp_sink):
    beat()
    Participant.objects.filter(pk=people["pepe"].pk).update(registration_status="approved")

    assert beat() == 1

    assert _recipients(smtp_sink) == [*APPROVED, "pepe@example.org"]


def test_task_delivered_twice_sends_one_email(beat, sessions, people, smtp_sink):
    beat()
    notification = Notification.objects.get(participant=people["ana"])

    assert notification_send_task.apply(kwargs={"notification_id": notification.pk}).get() == (
        "sent"
    )

    assert _recipients(smtp_sink) == APPROVED


def test_worker_died_before_sending_row_is_sent_once_by_the_sweep(
    beat, sessions, people, smtp_sink, clock
):
    # The beat wrote the rows but the worker died before sending: nothing was queued.
    beat(deliver=False)
    assert smtp_sink.messages == []

    clock.shift(dt.timedelta(minutes=6))
    assert notification_outbox_sweep_task.apply().get() == 3
    assert beat() == 0
    assert notification_outbox_sweep_task.apply().get() == 0

    assert _recipients(smtp_sink) == APPROVED


# --- Which sessions -----------------------------------------------------------------------------


def test_session_beyond_the_lead_gets_nothing_until_it_is_due(
    beat, sessions, people, smtp_sink, clock
):
    beat()
    assert set(Notification.objects.values_list("session", flat=True)) == {sessions[0].pk}

    clock.move_to(local(2022, 6, 14, 10, 30))  # session 1 under way; session 2 in 23.5 h
    assert beat() == 3

    assert Notification.objects.filter(session=sessions[1]).count() == 3
    assert len(smtp_sink.messages) == 6


def test_lead_hours_setting_moves_the_window(beat, sessions, people, smtp_sink, settings):
    settings.SESSION_REMINDER_LEAD_HOURS = 48

    assert beat() == 6

    settings.SESSION_REMINDER_LEAD_HOURS = 22
    assert notifications.sessions_due_for_reminder() == []


def test_session_already_started_gets_none(beat, sessions, people, smtp_sink, clock):
    clock.move_to(local(2022, 6, 14, 10, 1))  # session 1 started a minute ago
    Participant.objects.filter(pk=people["pepe"].pk).update(registration_status="approved")

    beat()

    assert not Notification.objects.filter(session=sessions[0]).exists()


def test_reminder_not_sent_before_the_session_ended_is_never_sent(
    beat, sessions, people, smtp_sink, clock
):
    beat(deliver=False)  # e.g. SMTP down all day: the rows wait in the outbox

    clock.move_to(local(2022, 6, 14, 11))  # under way: the link to join is still useful
    ana = Notification.objects.get(participant=people["ana"])
    assert notifications.notification_send(notification_id=ana.pk).status == "sent"

    clock.move_to(local(2022, 6, 14, 12))  # ended
    bob = Notification.objects.get(participant=people["bob"])
    result = notifications.notification_send(notification_id=bob.pk)

    assert (result.status, result.attempts) == ("failed", 1)
    assert result.last_error == (
        "La sesión terminó antes de que el recordatorio pudiera enviarse; ya no se envía."
    )
    assert _recipients(smtp_sink) == ["ana@example.org"]


def test_reminder_of_participant_no_longer_approved_is_not_sent(beat, sessions, people, smtp_sink):
    beat(deliver=False)
    Participant.objects.filter(pk=people["ana"].pk).update(registration_status="rejected")

    ana = Notification.objects.get(participant=people["ana"])
    result = notifications.notification_send(notification_id=ana.pk)

    assert result.status == "failed"
    assert result.last_error == "La inscripción ya no está aprobada; el recordatorio no se envía."
    assert smtp_sink.messages == []


# --- The e-mail ---------------------------------------------------------------------------------


def test_reminder_email_in_spanish_with_session_zone_and_links(beat, sessions, people, smtp_sink):
    beat()

    message = next(m for m in smtp_sink.messages if m["To"] == "ana@example.org")
    assert message["Subject"].strip() == (
        "Recordatorio: Sesión virtual 1, 14 de junio de 2022, 11:00 (America/Mexico_City)"
    )
    assert message["Content-Language"] == "es"
    for body in (plain_body(message), html_body(message)):
        assert "Estimado/a Ana:" in body
        assert "Sesión virtual 1: Tendencias" in body
        # Mexico City was UTC-5 in June 2022.
        assert "14 de junio de 2022, 11:00\N{EN DASH}13:00 (America/Mexico_City, UTC-05:00)" in body
        assert "https://zoom.example.org/j/111" in body
        assert "https://webinar.example.org/crm" not in body
        assert f"{SITE_URL}/home/" in body
    assert '<a href="https://zoom.example.org/j/111">' in html_body(message)


def test_reminder_email_in_english_in_her_own_zone(beat, sessions, people, smtp_sink):
    beat()

    message = next(m for m in smtp_sink.messages if m["To"] == "eva@example.org")
    assert message["Subject"].strip() == (
        "Reminder: Virtual session 1, June 14, 2022, 18:00 (Europe/Madrid)"
    )
    body = plain_body(message)
    assert "Dear Eva," in body
    assert "Virtual session 1: Trends" in body
    assert "June 14, 2022, 18:00\N{EN DASH}20:00 (Europe/Madrid, UTC+02:00)" in body
    assert "Link to join:" in body
    assert f"{SITE_URL}/en/home/" in body
    assert '<html lang="en">' in html_body(message)


def test_reminder_without_session_link_uses_the_webinar_link(
    beat, sessions, people, smtp_sink, clock
):
    clock.move_to(local(2022, 6, 14, 11))  # only session 2 is due

    beat()

    body = plain_body(next(m for m in smtp_sink.messages if m["To"] == "ana@example.org"))
    assert "Sesión 2: Cooperación" in body
    assert "https://webinar.example.org/crm" in body


def test_reminder_without_any_link_points_to_home(beat, sessions, people, smtp_sink, clock):
    sessions[1].workshop.__class__.objects.update(webinar_url="")
    clock.move_to(local(2022, 6, 14, 11))

    beat()

    body = plain_body(next(m for m in smtp_sink.messages if m["To"] == "ana@example.org"))
    assert "El enlace de conexión estará en su página personal" in body
    assert "Enlace de conexión:" not in body


def test_reminder_times_follow_now(sessions, people, smtp_sink):
    """The window is computed from the real clock, not from a cached value."""
    assert notifications.sessions_due_for_reminder(now=timezone.now()) == [sessions[0]]
    assert notifications.sessions_due_for_reminder(now=local(2022, 6, 14, 10, 30)) == [sessions[1]]
