"""Point 10 of issue 5: every outgoing e-mail's headers, read from the bytes an SMTP server got.

Message-ID on the site's domain, a Date with a real offset, subject encoded-words of at most
75 characters (RFC 2047) that decode back to the subject. Invitations, allauth's mail and a
plain ``send_mail`` all pass through ``crm_workshop.mail``.
"""

import email
import email.policy
import re

import pytest
from django.core import mail

from participants import services
from tests.factories import CountryFactory, SessionFactory, UserFactory, WorkshopFactory
from tests.participants.factories import DelegationFactory, InvitationFactory
from tests.smtp_sink import smtp_sink  # noqa: F401 - registers the fixture

pytestmark = pytest.mark.django_db

SITE_URL = "https://crm.example.org"
LONG_TITLE = (
    "Intercambio técnico virtual sobre tráfico ilícito de migrantes: investigación, "
    "persecución penal y cooperación judicial transfronteriza"
)
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL


def header_block(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def assert_site_headers(raw: bytes, subject: str) -> None:
    """The checks of this module on one message as received."""
    headers = header_block(raw)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert re.fullmatch(r"<[^@<>\s]+@crm\.example\.org>", parsed["Message-ID"])
    date = parsed["Date"]
    assert re.search(r" [+-]\d{4}$", str(date)), date
    assert not str(date).endswith("-0000")
    assert date.datetime.utcoffset() is not None
    words = ENCODED_WORD.findall(headers)
    assert words, headers  # a non-ASCII subject must be encoded
    assert [word for word in words if len(word) > 75] == []
    assert parsed["Subject"] == subject
    assert [line for line in headers.split(b"\r\n") if len(line) > 78] == []


def test_invitation_headers_on_the_wire(smtp_sink):  # noqa: F811 - fixture imported above
    workshop = WorkshopFactory(title_es=LONG_TITLE)
    SessionFactory(workshop=workshop)
    country = CountryFactory(time_zone="America/Mexico_City")
    invitation = InvitationFactory(delegation=DelegationFactory(workshop=workshop, country=country))

    services.invitation_send(invitation_id=invitation.pk)

    (raw,) = smtp_sink.raw
    assert_site_headers(raw, f"Invitación: {LONG_TITLE}")


def test_send_mail_headers_on_the_wire(smtp_sink):  # noqa: F811 - fixture imported above
    subject = "Recordatorio: preguntas detonadoras — plazo del 10 de junio, 23:59 (San Salvador)"

    mail.send_mail(subject, "Texto.", None, ["ana@example.org"])

    (raw,) = smtp_sink.raw
    assert_site_headers(raw, subject)


def test_allauth_password_reset_headers_on_the_wire(client, smtp_sink):  # noqa: F811
    UserFactory(email="ana@example.org")

    response = client.post("/accounts/password/reset/", {"email": "ana@example.org"})

    assert response.status_code == 302
    (raw,) = smtp_sink.raw
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert_site_headers(raw, parsed["Subject"])
    assert "contraseña" in parsed["Subject"]
    # Named after the portal, never after the Host header the request came with.
    assert parsed["Subject"].startswith("[CRM] ")


def test_sending_leaves_the_callers_message_unchanged(smtp_sink):  # noqa: F811
    message = mail.EmailMessage("Invitación: título", "Texto.", None, ["ana@example.org"])

    message.send()

    assert (message.subject, message.extra_headers) == ("Invitación: título", {})
    assert len(smtp_sink.raw) == 1


def test_line_breaks_in_names_and_subject_are_collapsed(smtp_sink):  # noqa: F811
    mail.send_mail(
        "Invitación:\r\nIntercambio\u2028técnico",
        "Texto.",
        "Secretaría\nEjecutiva CRM <no-reply@crm.example.org>",
        ["Ana\rPérez <ana@example.org>"],
    )

    (message,) = smtp_sink.messages
    assert (message["Subject"], message["From"], message["To"]) == (
        "Invitación: Intercambio técnico",
        "Secretaría Ejecutiva CRM <no-reply@crm.example.org>",
        "Ana Pérez <ana@example.org>",
    )
