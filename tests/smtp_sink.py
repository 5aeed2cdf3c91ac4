"""A real SMTP server on 127.0.0.1 for tests: messages land in a list, replies can be errors.

Use the ``smtp_sink`` fixture (import it into the test module, or register it in a
conftest). It points Django's SMTP backend at the sink for the test and yields an
:class:`SmtpSink`.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

OK_REPLY = "250 2.0.0 OK: queued"

# aiosmtpd logs every SMTP command at INFO; a failing test's output should show our logs.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    """A TCP port nothing listens on right now (also handy as a "server down" address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """Collects what it receives; can answer the next N messages with an SMTP error."""

    host = "127.0.0.1"

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # the accepted messages' bytes as they arrived
        self.rejected = 0
        self.data_received = threading.Event()  # set when any message's DATA arrives
        self._replies: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    def fail_next(
        self, count: int, reply: str = "451 4.3.0 Try again later", *, hold_seconds: float = 0
    ) -> None:
        """Answer the next ``count`` messages with ``reply`` (e.g. ``550 5.1.1 No such user``),
        after keeping the client waiting ``hold_seconds`` (to kill a sender in flight)."""
        with self._lock:
            self._replies.extend([(reply, hold_seconds)] * count)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd hook
        self.data_received.set()
        with self._lock:
            reply, hold_seconds = self._replies.pop(0) if self._replies else (None, 0)
        if hold_seconds:
            await asyncio.sleep(hold_seconds)
        if reply is not None:
            with self._lock:
                self.rejected += 1
            return reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.raw.append(envelope.content)
        return OK_REPLY


@contextmanager
def running_smtp_sink() -> Iterator[SmtpSink]:
    """Start an aiosmtpd server in a thread on a free port; stop it on exit."""
    sink = SmtpSink(free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port, ready_timeout=10)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    """A running sink, with Django's SMTP backend pointed at it for this test."""
    with running_smtp_sink() as sink:
        # Through crm_workshop.mail, as every message goes in production.
        settings.EMAIL_BACKEND = "crm_workshop.mail.EmailBackend"
        settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield sink


def plain_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
