"""The e-mail that announces an issued version of the minutes (``MINUTES_ISSUED``).

It goes through the participants' outbox (``participants.notifications``): one
``Notification`` per approved participant and version (``dedupe_key`` ``minutes-<pk>``,
unique per person), sent by a task after the commit, swept again if the broker lost it. This
module tells that outbox how to build the message and when it no longer makes sense, without
``participants`` importing ``agreements`` (``register`` is called from
``AgreementsConfig.ready``).

The message carries the download link (the file is behind sign-in: only approved participants
may download it) and the SHA-256, not the file: the PDF of a two-day workshop weighs hundreds
of kilobytes, sent to every participant, and the outbox builds text/HTML messages only; the
hash lets anyone check that a copy forwarded to them is the issued one.
"""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext

from agreements.models import Minutes
from participants import notifications as outbox
from participants.models import Notification, Participant

KEY_PATTERN = re.compile(r"minutes-(\d+)")


def _minutes_of(notification: Notification) -> Minutes | None:
    match = KEY_PATTERN.fullmatch(notification.dedupe_key)
    if match is None:
        return None
    return Minutes.objects.filter(pk=int(match.group(1))).first()


def obsolete_reason(notification: Notification) -> str | None:
    """Why this queued notification should not be sent any more, or None."""
    participant = notification.participant
    if participant.registration_status != Participant.RegistrationStatus.APPROVED:
        return gettext("La inscripción ya no está aprobada; el aviso no se envía.")
    minutes = _minutes_of(notification)
    if minutes is None or minutes.status != Minutes.Status.ISSUED:
        return gettext("Esa versión del acta ya no existe o no está emitida; el aviso no se envía.")
    newer = Minutes.objects.filter(
        workshop_id=minutes.workshop_id, status=Minutes.Status.ISSUED, version__gt=minutes.version
    ).exists()
    if newer:
        return gettext(
            "Se emitió después una versión más reciente del acta; este aviso no se envía."
        )
    return None


def _size(minutes: Minutes) -> str:
    try:
        return filesizeformat(minutes.pdf.size)
    except (OSError, ValueError):
        return ""


def message_context(notification: Notification, zone: zoneinfo.ZoneInfo) -> dict:
    """The version, its link, SHA-256, pages and size, and when it was issued (in ``zone``,
    named), in the active (recipient's) language."""
    from agreements.minutes import moment_label

    minutes = _minutes_of(notification)
    site = settings.SITE_URL.rstrip("/")
    issued_at = minutes.issued_at
    return {
        "minutes": minutes,
        "version": minutes.version,
        "minutes_language": minutes.get_language_display(),
        "download_url": f"{site}{reverse('minutes:download', args=[minutes.pk])}",
        "sha256": minutes.sha256,
        "page_count": minutes.page_count,
        "size": _size(minutes),
        # Plain-text e-mail: an ASCII minus in the offset, as the other notifications write it.
        "issued_at": moment_label(issued_at, zone).replace("\u2212", "-") if issued_at else "",
    }


def register() -> None:
    """Tell the participants' outbox how to build and when to drop this kind."""
    outbox.OBSOLETE_CHECKS[Notification.Kind.MINUTES_ISSUED] = obsolete_reason
    outbox.MESSAGE_CONTEXTS[Notification.Kind.MINUTES_ISSUED] = message_context
