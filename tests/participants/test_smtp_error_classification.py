"""Which SMTP failures an invitation retries and which end it, and what staff read in last_error.

A minimal SMTP server on 127.0.0.1 answers with the exact reply under test (any code, a
refused recipient, bytes that are not UTF-8), which aiosmtpd's sink cannot do.
"""

from __future__ import annotations

import errno
import os
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from participants import services
from participants.models import Invitation
from tests.factories import WorkshopFactory
from tests.participants.factories import DelegationFactory, InvitationFactory
from tests.smtp_sink import free_port

pytestmark = pytest.mark.django_db


class ScriptedSmtp(socketserver.ThreadingTCPServer):
    """Answers every command with 250 except RCPT (``rcpt_reply``) and the end of DATA."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, *, rcpt_reply: bytes, data_reply: bytes) -> None:
        self.rcpt_reply, self.data_reply = rcpt_reply, data_reply
        super().__init__(("127.0.0.1", port), _ScriptedSession)


class _ScriptedSession(socketserver.StreamRequestHandler):
    timeout = 5

    def handle(self) -> None:
        self.wfile.write(b"220 scripted ESMTP\r\n")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"RCPT":
                self.wfile.write(self.server.rcpt_reply + b"\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.wfile.write(self.server.data_reply + b"\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@contextmanager
def scripted_smtp(
    settings, *, rcpt_reply: bytes = b"250 ok", data_reply: bytes = b"250 queued"
) -> Iterator[None]:
    server = ScriptedSmtp(free_port(), rcpt_reply=rcpt_reply, data_reply=data_reply)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def invitation(settings):
    settings.SITE_URL = "https://crm.example.org"
    workshop = WorkshopFactory(time_zone="America/El_Salvador")
    return InvitationFactory(
        delegation=DelegationFactory(workshop=workshop), email="enlace@example.org"
    )


def send(invitation) -> Invitation:
    """invitation_send, whether it ends the row or raises for a retry; the row as stored."""
    with suppress(services.TemporaryDeliveryError):
        services.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    return invitation


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (b"400 4.0.0 Busy", Invitation.Status.QUEUED),
        (b"499 4.9.9 Busy", Invitation.Status.QUEUED),
        (b"500 5.0.0 Rejected", Invitation.Status.FAILED),
        (b"399 Odd reply", Invitation.Status.FAILED),
    ],
)
def test_invitation_send_data_reply_code_decides_retry(settings, invitation, reply, status):
    with scripted_smtp(settings, data_reply=reply):
        stored = send(invitation)

    assert (stored.status, stored.attempts, stored.last_error) == (status, 1, reply.decode())


def test_invitation_send_temporary_reply_raises_for_the_task_to_retry(settings, invitation):
    with (
        scripted_smtp(settings, data_reply=b"421 4.7.0 Try later"),
        pytest.raises(services.TemporaryDeliveryError, match=r"^421 4\.7\.0 Try later$"),
    ):
        services.invitation_send(invitation_id=invitation.pk)


def test_invitation_send_reply_not_in_utf8_is_kept_readable(settings, invitation):
    with scripted_smtp(settings, data_reply=b"554 5.6.0 Nachricht ung\xfcltig"):
        stored = send(invitation)

    assert stored.status == Invitation.Status.FAILED
    assert stored.last_error == "554 5.6.0 Nachricht ung\ufffdltig"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (b"400 4.0.0 Busy", Invitation.Status.QUEUED),
        (b"450 4.2.1 Mailbox busy", Invitation.Status.QUEUED),
        (b"499 4.9.9 Busy", Invitation.Status.QUEUED),
        (b"500 5.0.0 Rejected", Invitation.Status.FAILED),
        (b"550 5.1.1 No such user", Invitation.Status.FAILED),
    ],
)
def test_invitation_send_refused_recipient_names_address_and_reply(
    settings, invitation, reply, status
):
    with scripted_smtp(settings, rcpt_reply=reply):
        stored = send(invitation)

    assert (stored.status, stored.attempts) == (status, 1)
    assert stored.last_error == f"enlace@example.org: {reply.decode()}"


def test_invitation_send_refused_recipient_in_latin1_is_kept_readable(settings, invitation):
    with scripted_smtp(settings, rcpt_reply=b"550 5.1.1 Empf\xe4nger unbekannt"):
        stored = send(invitation)

    assert stored.last_error == "enlace@example.org: 550 5.1.1 Empf\ufffdnger unbekannt"


def test_invitation_send_server_down_records_the_system_error(settings, invitation):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 5

    stored = send(invitation)

    refused = f"[Errno {errno.ECONNREFUSED}] {os.strerror(errno.ECONNREFUSED)}"
    assert (stored.status, stored.attempts, stored.last_error) == ("queued", 1, refused)


@pytest.mark.parametrize(
    ("attempts_before", "status"),
    [(18, Invitation.Status.QUEUED), (19, Invitation.Status.FAILED)],
)
def test_invitation_send_temporary_failure_on_the_last_attempt_fails(
    settings, invitation, attempts_before, status
):
    Invitation.objects.filter(pk=invitation.pk).update(attempts=attempts_before)

    with scripted_smtp(settings, data_reply=b"451 4.3.0 Try again later"):
        stored = send(invitation)

    assert (stored.status, stored.attempts) == (status, attempts_before + 1)
    assert stored.last_error == "451 4.3.0 Try again later"
