"""Every outgoing e-mail passes through here: the site's headers, then the real backend.

``EMAIL_BACKEND`` is :class:`EmailBackend`; it hands each message, prepared, to the backend
named by ``EMAIL_DELIVERY_BACKEND`` (SMTP, console… from ``EMAIL_URL``). Preparing means:

* ``Message-ID`` on the site's own domain (the host of ``SITE_URL``), not the machine's name;
* ``Date`` with a real UTC offset (``+0000``), never the "unknown zone" ``-0000``;
* the subject on one line, and when it is not plain ASCII, written as RFC 2047 encoded-words
  of at most 75 characters each (Django's own encoding can write 77);
* line breaks in addresses and extra headers collapsed, so no row can inject a header.

The caller's message object is not changed.
"""

import base64
import copy
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from crm_workshop.validators import single_line

# RFC 2047 §2: an encoded-word is at most 75 characters. Ours are "=?utf-8?b?" + base64 + "?=";
# 39 bytes of text make 52 base64 characters, 64 in all, which also leaves room for
# "Subject: " on the first line of 78 (RFC 5322), so no line starts empty.
_ENCODED_WORD_BYTES = 39


def site_domain() -> str:
    """The host of ``SITE_URL`` (``crm.example.org``), for Message-IDs."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def encode_subject(subject: str) -> str:
    """``subject`` as it goes on the wire: unchanged when plain ASCII, otherwise a run of
    UTF-8 base64 encoded-words of at most 75 characters, each holding whole characters."""
    if subject.isascii() and "=?" not in subject:
        return subject
    words, chunk = [], ""
    for character in subject:
        if len((chunk + character).encode()) > _ENCODED_WORD_BYTES:
            words.append(chunk)
            chunk = ""
        chunk += character
    words.append(chunk)
    return " ".join(
        f"=?utf-8?b?{base64.b64encode(word.encode()).decode('ascii')}?=" for word in words
    )


def prepare_message(message):
    """A copy of ``message`` with the site's headers (see the module docstring)."""
    prepared = copy.copy(message)
    headers = {name: single_line(value) for name, value in message.extra_headers.items()}
    present = {name.lower() for name in headers}
    if "date" not in present:
        headers["Date"] = format_datetime(timezone.localtime())
    if "message-id" not in present:
        headers["Message-ID"] = make_msgid(domain=site_domain())
    prepared.extra_headers = headers
    prepared.subject = encode_subject(single_line(message.subject))
    prepared.from_email = single_line(message.from_email)
    for field in ("to", "cc", "bcc", "reply_to"):
        setattr(prepared, field, [single_line(address) for address in getattr(message, field)])
    return prepared


class EmailBackend(BaseEmailBackend):
    """Prepares every message (see the module docstring), then delivers it through
    ``EMAIL_DELIVERY_BACKEND`` with the same options (host, port, timeout…)."""

    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently)
        delivery = settings.EMAIL_DELIVERY_BACKEND
        if delivery == f"{__name__}.{type(self).__name__}":
            raise ImproperlyConfigured("EMAIL_DELIVERY_BACKEND must name the real backend")
        self.delivery = get_connection(delivery, fail_silently=fail_silently, **kwargs)

    def open(self):
        return self.delivery.open()

    def close(self):
        return self.delivery.close()

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        return self.delivery.send_messages([prepare_message(m) for m in email_messages])
