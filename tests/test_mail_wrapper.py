"""``crm_workshop.mail``: what the wrapper backend keeps, adds and passes on, read from the bytes
a real SMTP server received (or from the failure a closed port gives).

The headers of point 10 themselves are in tests/test_mail_headers.py; here: a plain-ASCII subject
left alone, an ASCII subject that looks encoded, an encoded-word exactly at its size limit, the
caller's own Date and Message-ID, the header names' spelling, the domain without ``SITE_URL``,
and the options (``fail_silently``, host, port) reaching the delivery backend.
"""

import base64
import email
import email.policy
import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from crm_workshop.mail import EmailBackend
from tests.smtp_sink import free_port, smtp_sink  # noqa: F401 - registers the fixture

pytestmark = pytest.mark.django_db


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.fixture
def smtp_down(settings):
    """Django's SMTP backend, behind the wrapper, pointed at a port nobody listens on."""
    settings.EMAIL_BACKEND = "crm_workshop.mail.EmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings


def test_plain_ascii_subject_goes_out_unencoded(smtp_sink):  # noqa: F811
    mail.send_mail("Agenda of the technical exchange", "Text.", None, ["ana@example.org"])

    (raw,) = smtp_sink.raw
    assert b"Subject: Agenda of the technical exchange" in header_lines(raw)


def test_ascii_subject_that_looks_encoded_arrives_literally(smtp_sink):  # noqa: F811
    subject = "Re: =?utf-8?b?SG9sYQ==?= literal"

    mail.send_mail(subject, "Text.", None, ["ana@example.org"])

    (raw,) = smtp_sink.raw
    assert parsed(raw)["Subject"] == subject


def test_subject_of_exactly_39_bytes_is_one_encoded_word(smtp_sink):  # noqa: F811
    subject = "á" * 19 + "a"  # 38 + 1 bytes: the most one encoded-word holds
    assert len(subject.encode()) == 39

    mail.send_mail(subject, "Text.", None, ["ana@example.org"])

    (raw,) = smtp_sink.raw
    word = b"=?utf-8?b?" + base64.b64encode(subject.encode()) + b"?="
    assert b"Subject: " + word in header_lines(raw)
    assert parsed(raw)["Subject"] == subject


def test_callers_own_date_and_message_id_are_kept(smtp_sink):  # noqa: F811
    message = mail.EmailMessage(
        "Acta",
        "Text.",
        None,
        ["ana@example.org"],
        headers={"Date": "Tue, 01 Jun 2021 10:00:00 -0600", "Message-ID": "<acta-7@crm.example>"},
    )

    message.send()

    (raw,) = smtp_sink.raw
    received = parsed(raw)
    assert received.get_all("Date") == ["Tue, 01 Jun 2021 10:00:00 -0600"]
    assert received.get_all("Message-ID") == ["<acta-7@crm.example>"]


def test_added_date_and_message_id_are_spelt_as_usual(smtp_sink):  # noqa: F811
    mail.send_mail("Acta", "Text.", None, ["ana@example.org"])

    (raw,) = smtp_sink.raw
    names = [line.split(b":", 1)[0] for line in header_lines(raw) if b":" in line]
    assert sorted(n for n in names if n.lower() in (b"date", b"message-id")) == [
        b"Date",
        b"Message-ID",
    ]


def test_message_id_without_site_url_host_is_on_localhost(settings, smtp_sink):  # noqa: F811
    settings.SITE_URL = ""

    mail.send_mail("Acta", "Text.", None, ["ana@example.org"])

    (raw,) = smtp_sink.raw
    assert re.fullmatch(r"<[^@<>\s]+@localhost>", parsed(raw)["Message-ID"])


def test_delivery_backend_naming_the_wrapper_itself_is_refused(settings):
    settings.EMAIL_BACKEND = "crm_workshop.mail.EmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "crm_workshop.mail.EmailBackend"

    with pytest.raises(ImproperlyConfigured) as refused:
        mail.get_connection()

    assert str(refused.value) == "EMAIL_DELIVERY_BACKEND must name the real backend"


def test_fail_silently_reaches_the_delivery_backend(smtp_down):
    sent = mail.send_mail("Acta", "Text.", None, ["ana@example.org"], fail_silently=True)

    assert sent == 0


def test_backend_built_directly_reports_failures_by_default(smtp_down):
    message = mail.EmailMessage("Acta", "Text.", None, ["ana@example.org"])

    with pytest.raises(ConnectionRefusedError):
        EmailBackend().send_messages([message])


def test_connection_options_reach_the_delivery_backend(settings, smtp_sink):  # noqa: F811
    settings.EMAIL_PORT = free_port()  # the settings' server is down; the options name the sink
    connection = mail.get_connection(host=smtp_sink.host, port=smtp_sink.port)

    sent = mail.EmailMessage(
        "Acta", "Text.", None, ["ana@example.org"], connection=connection
    ).send()

    assert sent == 1
    assert [message["Subject"] for message in smtp_sink.messages] == ["Acta"]


def test_sending_no_message_sends_nothing(smtp_sink):  # noqa: F811
    assert mail.get_connection().send_messages([]) == 0
    assert smtp_sink.raw == []
