"""What an invitation's send tells staff and operators, and what it puts on the wire.

The warnings logged for a temporary SMTP failure, a message that cannot be built and a retry
left to the outbox sweep (exact texts: operators search for them); the reason recorded on the
row, cut to a readable length; the signup link when ``SITE_URL`` ends in a slash; the
``Content-Language`` header as a server receives it; the .ics attachment's type; the queries a
send costs and the columns it writes.
A real SMTP server on 127.0.0.1 (tests/smtp_sink.py) receives the messages.
"""

import logging
import mimetypes
import re

import pytest

from crm_workshop.celery import app as celery_app
from participants import services
from participants.models import Country
from tests.factories import CountryFactory, SessionFactory, WorkshopFactory, local
from tests.participants.factories import DelegationFactory, InvitationFactory

pytestmark = pytest.mark.django_db

TEMPORARY = "451 4.3.0 Try again later"


@pytest.fixture
def invitation(settings):
    """A queued Spanish invitation to a workshop with one session, for Mexico's delegation."""
    settings.SITE_URL = "https://crm.example.org"
    workshop = WorkshopFactory(title_es="Intercambio técnico", time_zone="America/El_Salvador")
    SessionFactory(
        workshop=workshop, number=1, start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12)
    )
    country = CountryFactory(time_zone="America/Mexico_City")
    return InvitationFactory(
        delegation=DelegationFactory(workshop=workshop, country=country),
        email="ana@example.org",
        language="es",
    )


@pytest.fixture
def celery_inline():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = previous


def service_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "participants.services"]


def test_invitation_send_temporary_failure_logs_row_address_attempt_and_reply(
    invitation, smtp_sink, caplog
):
    smtp_sink.fail_next(1, TEMPORARY)

    with (
        caplog.at_level(logging.WARNING, logger="participants.services"),
        pytest.raises(services.TemporaryDeliveryError),
    ):
        services.invitation_send(invitation_id=invitation.pk)

    assert service_warnings(caplog) == [
        f"invitation {invitation.pk}: delivery to ana@example.org failed (attempt 1): {TEMPORARY}"
    ]


def test_invitation_send_unbuildable_message_logs_row_and_attempt(invitation, smtp_sink, caplog):
    Country.objects.filter(pk=invitation.delegation.country_id).update(time_zone="Mars/Olympus")

    with caplog.at_level(logging.WARNING, logger="participants.services"):
        services.invitation_send(invitation_id=invitation.pk)

    assert service_warnings(caplog) == [
        f"invitation {invitation.pk}: the message could not be built or handed over (attempt 1)"
    ]
    assert smtp_sink.messages == []


def test_invitation_queue_inline_temporary_failure_logs_the_reason(
    invitation, smtp_sink, celery_inline, django_capture_on_commit_callbacks, caplog
):
    smtp_sink.fail_next(50, TEMPORARY)

    with (
        caplog.at_level(logging.WARNING, logger="participants.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.invitation_queue(invitation=invitation)

    # Inline, Celery raises the retry (its countdown has jitter) instead of scheduling it.
    *_, last = service_warnings(caplog)
    assert re.fullmatch(
        rf"invitation {invitation.pk} stays queued: "
        rf"Retry in \d+s: TemporaryDeliveryError\('{TEMPORARY}'\)",
        last,
    )


def test_describe_bug_keeps_a_reason_of_exactly_the_limit():
    error = ValueError("x" * 488)  # "ValueError: " + 488 = 500 characters

    assert services._describe_bug(error) == "ValueError: " + "x" * 488


def test_describe_bug_cuts_a_longer_reason_to_the_limit_with_an_ellipsis():
    error = ValueError("x" * 489)  # 501 characters

    assert services._describe_bug(error) == "ValueError: " + "x" * 487 + "\N{HORIZONTAL ELLIPSIS}"


def test_invitation_signup_link_with_site_url_ending_in_slash_has_one_slash(
    invitation, smtp_sink, settings
):
    settings.SITE_URL = "https://crm.example.org/"

    services.invitation_send(invitation_id=invitation.pk)

    (raw,) = smtp_sink.raw
    link = f"https://crm.example.org/invitation/{invitation.token}/".encode()
    assert link in raw
    assert b"https://crm.example.org//" not in raw


def test_invitation_content_language_header_on_the_wire(invitation, smtp_sink):
    services.invitation_send(invitation_id=invitation.pk)

    (raw,) = smtp_sink.raw
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert b"Content-Language: es" in headers


def test_invitation_send_reads_the_row_workshop_and_country_in_one_query(
    invitation, smtp_sink, django_assert_num_queries
):
    with django_assert_num_queries(7) as captured:
        services.invitation_send(invitation_id=invitation.pk)

    assert len(smtp_sink.messages) == 1
    # The outcome writes only the delivery columns: an edit of the row's other fields made
    # meanwhile (SQLite has no row lock) is not overwritten with the values read before.
    (update,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    set_part = update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assert re.findall(r'"(\w+)" =', set_part) == ["status", "attempts", "last_error", "sent_at"]


def test_invitation_calendar_is_text_calendar_without_system_mime_types(
    invitation, smtp_sink, monkeypatch
):
    # As in a slim container image without /etc/mime.types: Python alone does not know .ics.
    monkeypatch.setattr(mimetypes, "_db", mimetypes.MimeTypes())
    assert mimetypes.guess_type("agenda.ics") == (None, None)

    services.invitation_send(invitation_id=invitation.pk)

    (message,) = smtp_sink.messages
    (attachment,) = list(message.iter_attachments())
    assert (attachment.get_content_type(), attachment.get_filename()) == (
        "text/calendar",
        f"{invitation.workshop.slug}.ics",
    )
