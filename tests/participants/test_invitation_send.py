"""Invitation e-mails through a real local SMTP server: content, idempotence, retries, outbox."""

import datetime as dt
import logging
import re

import pytest
from celery.signals import task_retry
from django.utils import timezone

from crm_workshop.celery import app as celery_app
from participants import services
from participants.models import Invitation
from participants.tasks import invitation_outbox_sweep_task, invitation_send_task
from tests.factories import CountryFactory, SessionFactory, WorkshopFactory, local
from tests.participants.factories import DelegationFactory, InvitationFactory
from tests.smtp_sink import free_port, html_body, plain_body

SITE_URL = "https://crm.example.org"
CLOSED_BROKER_URL = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(settings):
    """Two sessions written in San Salvador time (UTC-6), 14 and 15 June 2022, 10:00-12:00."""
    settings.SITE_URL = SITE_URL
    workshop = WorkshopFactory(
        title_es="Intercambio técnico sobre tráfico ilícito de migrantes",
        title_en="Technical exchange on the smuggling of migrants",
        time_zone="America/El_Salvador",
    )
    SessionFactory(
        workshop=workshop,
        number=1,
        title_es="Tendencias",
        title_en="Trends",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 12),
    )
    SessionFactory(
        workshop=workshop,
        number=2,
        title_es="Cooperación",
        title_en="Cooperation",
        start=local(2022, 6, 15, 10),
        end=local(2022, 6, 15, 12),
    )
    return workshop


@pytest.fixture
def mexico(workshop):
    country = CountryFactory(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    return DelegationFactory(workshop=workshop, country=country)


@pytest.fixture
def celery_inline():
    """Tasks run in-process, whatever CELERY_BROKER_URL the suite was started with."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def celery_retries_inline():
    """apply() follows autoretries inline only when task errors are not propagated."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield celery_app
    celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing goes to a closed port (Celery reads CELERY_BROKER_URL from the env first)."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_BROKER_URL)
    conf.task_always_eager = False
    conf.broker_url = CLOSED_BROKER_URL
    _reset_broker_pools()
    yield celery_app
    conf.task_always_eager, conf.broker_url = previous
    _reset_broker_pools()


def _reset_broker_pools():
    # Forget (never close: kombu shares them per URL) the pools made for the other URL.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def test_invitation_send_queued_delivers_once_with_link_and_zone(mexico, smtp_sink):
    invitation = InvitationFactory(delegation=mexico, email="enlace@sre.gob.mx")

    result = services.invitation_send(invitation_id=invitation.pk)

    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert message["To"] == "enlace@sre.gob.mx"
    # .strip(): the stdlib parser keeps the blank before a folded first line of the header.
    assert message["Subject"].strip() == (
        "Invitación: Intercambio técnico sobre tráfico ilícito de migrantes"
    )
    link = f"{SITE_URL}/invitation/{invitation.token}/"
    # Mexico City was UTC-5 in June 2022: 10:00 in San Salvador is 11:00 there.
    first = "14 de junio de 2022, 11:00\N{EN DASH}13:00 (America/Mexico_City, UTC-05:00)"
    second = "15 de junio de 2022, 11:00\N{EN DASH}13:00 (America/Mexico_City, UTC-05:00)"
    for body in (plain_body(message), html_body(message)):
        assert link in body
        assert first in body
        assert second in body
        assert "Esta invitación es para la delegación de México." in body
    assert "Sesión 1: Tendencias" in plain_body(message)
    [calendar] = list(message.iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == f"{mexico.workshop.slug}.ics"
    ics = calendar.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert ics.count("BEGIN:VEVENT") == 2
    assert "DTSTART;TZID=America/Mexico_City:20220614T110000" in ics
    assert (result.status, result.attempts, result.last_error) == ("sent", 1, "")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.sent_at is not None


def test_invitation_send_english_uses_en_link_and_english_content(mexico, smtp_sink):
    invitation = InvitationFactory(delegation=mexico, language="en")

    services.invitation_send(invitation_id=invitation.pk)

    message = smtp_sink.messages[0]
    assert "Technical exchange on the smuggling of migrants" in message["Subject"]
    assert message["Content-Language"] == "en"
    body = plain_body(message)
    assert f"{SITE_URL}/en/invitation/{invitation.token}/" in body
    assert "June 14, 2022, 11:00\N{EN DASH}13:00 (America/Mexico_City, UTC-05:00)" in body
    assert ": Trends" in body
    assert "Tendencias" not in body
    assert '<html lang="en">' in html_body(message)


def test_invitation_send_without_delegation_uses_workshop_zone(workshop, smtp_sink):
    invitation = InvitationFactory(
        delegation=None, workshop=workshop, role="observer", email="observa@oim.int"
    )

    services.invitation_send(invitation_id=invitation.pk)

    body = plain_body(smtp_sink.messages[0])
    assert "14 de junio de 2022, 10:00\N{EN DASH}12:00 (America/El_Salvador, UTC-06:00)" in body
    assert "delegación de" not in body


def test_invitation_send_twice_sends_one_message(mexico, smtp_sink):
    invitation = InvitationFactory(delegation=mexico)

    services.invitation_send(invitation_id=invitation.pk)
    second = services.invitation_send(invitation_id=invitation.pk)

    assert len(smtp_sink.messages) == 1
    assert (second.status, second.attempts) == ("sent", 1)


def test_invitation_send_not_queued_sends_nothing(mexico, smtp_sink):
    invitation = InvitationFactory(delegation=mexico, status="failed", attempts=3)

    result = services.invitation_send(invitation_id=invitation.pk)

    assert smtp_sink.messages == []
    assert (result.status, result.attempts) == ("failed", 3)


def test_invitation_send_smtp_451_stays_queued_and_raises_temporary(mexico, smtp_sink):
    invitation = InvitationFactory(delegation=mexico)
    smtp_sink.fail_next(1, "451 4.3.0 Try again later")

    with pytest.raises(services.TemporaryDeliveryError, match="451"):
        services.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("queued", 1)
    assert invitation.last_error == "451 4.3.0 Try again later"
    assert invitation.sent_at is None
    assert smtp_sink.messages == []


def test_invitation_send_smtp_550_marks_failed(mexico, smtp_sink):
    invitation = InvitationFactory(delegation=mexico)
    smtp_sink.fail_next(1, "550 5.1.1 Mailbox unavailable")

    result = services.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert (result.status, invitation.status, invitation.attempts) == ("failed", "failed", 1)
    assert invitation.last_error == "550 5.1.1 Mailbox unavailable"
    assert smtp_sink.messages == []


def test_invitation_send_smtp_server_down_stays_queued(mexico, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    invitation = InvitationFactory(delegation=mexico)

    with pytest.raises(services.TemporaryDeliveryError):
        services.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("queued", 1)
    assert "refused" in invitation.last_error.lower()


def test_invitation_send_task_retries_temporary_failures_until_sent(
    mexico, smtp_sink, celery_retries_inline
):
    invitation = InvitationFactory(delegation=mexico)
    smtp_sink.fail_next(2, "451 4.3.0 Try again later")

    # apply() runs the task here and follows its autoretries inline, without the countdown.
    result = invitation_send_task.apply(kwargs={"invitation_id": invitation.pk})

    assert result.get() == "sent"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts, invitation.last_error) == ("sent", 3, "")
    assert smtp_sink.rejected == 2
    assert len(smtp_sink.messages) == 1


def test_invitation_send_task_gives_up_after_max_retries(mexico, smtp_sink, celery_retries_inline):
    invitation = InvitationFactory(delegation=mexico)
    smtp_sink.fail_next(50, "421 4.7.0 Too busy")

    result = invitation_send_task.apply(kwargs={"invitation_id": invitation.pk})

    assert result.state == "FAILURE"
    assert isinstance(result.result, services.TemporaryDeliveryError)
    invitation.refresh_from_db()
    # The first try plus max_retries=8 retries; the row stays queued for the outbox sweep.
    assert (invitation.status, invitation.attempts) == ("queued", 9)
    assert smtp_sink.messages == []


def test_invitation_send_task_retries_later_never_sooner_than_30_s(
    mexico, smtp_sink, celery_retries_inline
):
    countdowns = []

    def record(sender=None, reason=None, **kwargs):
        countdowns.append(reason.when)

    task_retry.connect(record, sender=invitation_send_task, weak=False)
    invitation = InvitationFactory(delegation=mexico)
    smtp_sink.fail_next(6, "451 4.3.0 Try again later")
    try:
        result = invitation_send_task.apply(kwargs={"invitation_id": invitation.pk})
    finally:
        task_retry.disconnect(record, sender=invitation_send_task)

    assert result.get() == "sent"
    assert len(countdowns) == 6
    # Doubling windows: [30, 60], [60, 120], [120, 240], [240, 480], then capped at 900.
    windows = [(30, 60), (60, 120), (120, 240), (240, 480), (450, 900), (450, 900)]
    outside = [
        (seconds, (low, high))
        for seconds, (low, high) in zip(countdowns, windows, strict=True)
        if not low <= seconds <= high
    ]
    assert outside == []


def test_invitation_send_task_missing_row_returns_quietly(smtp_sink):
    result = invitation_send_task.apply(kwargs={"invitation_id": 987654})

    assert result.get() is None
    assert smtp_sink.messages == []


def test_invitation_outbox_sweep_twice_sends_each_mail_once(mexico, smtp_sink, celery_inline):
    stale = [
        InvitationFactory(delegation=mexico, email="uno@example.org"),
        InvitationFactory(delegation=mexico, email="dos@example.org"),
    ]
    InvitationFactory(delegation=mexico, email="reciente@example.org")  # too recent to sweep
    sent = InvitationFactory(
        delegation=mexico, email="enviada@example.org", status="sent", sent_at=timezone.now()
    )
    Invitation.objects.filter(pk__in=[i.pk for i in [*stale, sent]]).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )

    first = invitation_outbox_sweep_task.apply().get()
    second = invitation_outbox_sweep_task.apply().get()

    assert (first, second) == (2, 0)
    assert sorted(m["To"] for m in smtp_sink.messages) == ["dos@example.org", "uno@example.org"]
    statuses = dict(Invitation.objects.values_list("email", "status"))
    assert statuses == {
        "uno@example.org": "sent",
        "dos@example.org": "sent",
        "reciente@example.org": "queued",
        "enviada@example.org": "sent",
    }


def test_invitation_queue_sends_only_after_commit(
    mexico, smtp_sink, celery_inline, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(delegation=mexico)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.invitation_queue(invitation=invitation)
        assert smtp_sink.messages == []

    assert len(callbacks) == 1
    assert len(smtp_sink.messages) == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_invitation_queue_broker_down_keeps_row_queued(
    mexico, smtp_sink, broker_down, django_capture_on_commit_callbacks, caplog
):
    invitation = InvitationFactory(delegation=mexico)

    with (
        caplog.at_level(logging.WARNING, logger="participants.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.invitation_queue(invitation=invitation)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("queued", 0)
    assert smtp_sink.messages == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "participants.services"]
    assert len(warnings) == 1
    assert re.fullmatch(
        rf"invitation {invitation.pk} stays queued: broker unavailable "
        r"\(.*127\.0\.0\.1:1\b.*\); the outbox sweep will retry",
        warnings[0],
    ), warnings[0]


def test_invitation_queue_inline_temporary_failure_does_not_raise(
    mexico, smtp_sink, celery_inline, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(delegation=mexico)
    smtp_sink.fail_next(50, "451 4.3.0 Try again later")

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_queue(invitation=invitation)

    # Inline, Celery raises the retry instead of waiting: one attempt, the sweep does the rest.
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("queued", 1)
    assert invitation.last_error == "451 4.3.0 Try again later"
    assert smtp_sink.messages == []
