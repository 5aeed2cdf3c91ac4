"""Writes for participants: invitations (the row is the outbox, see DESIGN.md "Background work")."""

from __future__ import annotations

import logging
import smtplib
import zoneinfo

from celery.exceptions import Retry
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from agenda.ics import build_calendar, calendar_attachment
from agenda.timezones import utc_offset_label
from crm_workshop.broker import BrokerUnavailable, task_publish
from participants.models import Invitation

logger = logging.getLogger(__name__)

# After this many attempts a temporary failure is treated as permanent, so a row that can
# never leave (e.g. a mailbox full for weeks) stops being swept for ever.
INVITATION_MAX_ATTEMPTS = 20


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now (4xx, refused, timeout): retry later."""


def invitation_send(*, invitation_id: int) -> Invitation:
    """Deliver a ``queued`` invitation once and record the outcome on the row.

    Guarantees:

    * Only a ``queued`` row is sent; any other status is returned unchanged, so a second
      delivery of the task (or the outbox sweep racing a live task) sends nothing twice. The
      row is locked with ``SELECT ... FOR UPDATE`` for the whole send: a concurrent caller
      waits, then sees ``sent`` and does nothing.
    * Success: ``sent``, ``sent_at``, ``attempts + 1``, ``last_error`` cleared.
    * Temporary failure (SMTP 4xx, connection refused/reset, timeout): the row stays
      ``queued`` with ``attempts + 1`` and ``last_error``, and ``TemporaryDeliveryError`` is
      raised *after* that is committed, so the task can retry.
    * Permanent failure (SMTP 5xx): ``failed``, ``attempts + 1`` and ``last_error``.
    * A message that cannot be built or handed over (a template or header error, a zone the
      row names that does not exist…) fails the same way on every try: ``failed``,
      ``attempts + 1`` and ``last_error`` saying so, so staff see it and nothing retries it
      for ever. Database errors are not caught: nothing is recorded and the sweep retries.

    Crash window: the status update is committed immediately after the SMTP server accepts
    the message, in the same transaction that holds the lock. If the process dies between
    the server's "250 OK" and that commit, the row is still ``queued`` and will be sent
    again: delivery is at-least-once, and the window is one UPDATE + COMMIT wide. Sending
    *after* committing ``sent`` would turn that into at-most-once (a lost invitation), which
    is worse for an invitation. The guarantee holds only when called outside an enclosing
    transaction (a Celery worker): inside one, the commit happens when the caller's does.
    """
    temporary_error: Exception | None = None
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("workshop", "delegation__country")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.status != Invitation.Status.QUEUED:
            return invitation
        invitation.attempts += 1
        try:
            message = _invitation_message(invitation)
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            invitation.last_error = _describe(error)
            if _is_temporary(error) and invitation.attempts < INVITATION_MAX_ATTEMPTS:
                temporary_error = error
            else:
                invitation.status = Invitation.Status.FAILED
            logger.warning(
                "invitation %s: delivery to %s failed (attempt %s): %s",
                invitation.pk,
                invitation.email,
                invitation.attempts,
                invitation.last_error,
            )
        except DatabaseError:
            raise
        except Exception as error:  # whatever it is, retrying gives the same result
            invitation.status = Invitation.Status.FAILED
            invitation.last_error = gettext(
                "No se pudo preparar el mensaje (%(error)s). Reintentar no lo resolverá: "
                "corrija los datos y vuelva a poner la invitación en cola."
            ) % {"error": _describe_bug(error)}
            logger.exception(
                "invitation %s: the message could not be built or handed over (attempt %s)",
                invitation.pk,
                invitation.attempts,
            )
        else:
            invitation.status = Invitation.Status.SENT
            invitation.sent_at = timezone.now()
            invitation.last_error = ""
        invitation.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    if temporary_error is not None:
        raise TemporaryDeliveryError(invitation.last_error) from temporary_error
    return invitation


def invitation_queue(*, invitation: Invitation) -> None:
    """Ask a worker to send ``invitation`` once the current transaction commits.

    Never raises because the broker is down, and never keeps the caller waiting on it for
    more than about a second (``crm_workshop.broker.task_publish``): the row stays
    ``queued`` and the periodic outbox sweep (``participants.invitation_outbox_sweep``)
    enqueues it again later. Without a broker (tasks inline), a temporary SMTP failure is
    likewise left to the sweep instead of turning the caller's request into a 500.
    """
    invitation_id = invitation.pk
    transaction.on_commit(lambda: _publish_invitation_send(invitation_id=invitation_id))


def _publish_invitation_send(*, invitation_id: int) -> None:
    from participants.tasks import invitation_send_task

    try:
        task_publish(invitation_send_task, invitation_id=invitation_id)
    except BrokerUnavailable as error:
        logger.warning(
            "invitation %s stays queued: broker unavailable (%s); the outbox sweep will retry",
            invitation_id,
            error,
        )
    except (TemporaryDeliveryError, Retry) as error:
        # Only reached when tasks run inline (no broker), where Celery raises the retry
        # instead of scheduling it: the row already records the failure.
        logger.warning("invitation %s stays queued: %s", invitation_id, error)


def _describe(error: Exception) -> str:
    """``451 4.3.0 Try again later`` rather than the tuple smtplib puts in ``str()``."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace')}"
            for address, (code, reply) in error.recipients.items()
        )
    return str(error) or error.__class__.__name__


def _describe_bug(error: Exception, limit: int = 500) -> str:
    """``ZoneInfoNotFoundError: 'No time zone found with key Mars/Olympus'``, cut to ``limit``."""
    text = f"{error.__class__.__name__}: {error}"
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _is_temporary(error: Exception) -> bool:
    """SMTP 4xx and transport trouble can pass; 5xx replies and refusals cannot."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    # SMTPServerDisconnected, ConnectionRefusedError, TimeoutError and other OSErrors.
    return isinstance(error, OSError)


def _invitation_message(invitation: Invitation) -> EmailMultiAlternatives:
    """The invitation e-mail (text, HTML, and an .ics of the sessions) in the invitation's
    language, every time in the recipient country's zone (the workshop's when no country)."""
    workshop = invitation.workshop
    country = invitation.delegation.country if invitation.delegation_id else None
    zone_name = country.time_zone if country else workshop.time_zone
    zone = zoneinfo.ZoneInfo(zone_name)
    with translation.override(invitation.language):
        invitation_path = reverse("participants:invitation", args=[invitation.token])
        context = {
            "invitation": invitation,
            "workshop": workshop,
            "country": country,
            "zone_name": zone_name,
            "sessions": [
                _session_in_zone(session, zone) for session in workshop.sessions.order_by("number")
            ],
            "signup_url": f"{settings.SITE_URL.rstrip('/')}{invitation_path}",
            "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        }
        subject = " ".join(render_to_string("email/invitation_subject.txt", context).split())
        text_body = render_to_string("email/invitation_body.txt", context)
        html_body = render_to_string("email/invitation_body.html", context)
        calendar = build_calendar(workshop=workshop, zone_name=zone_name)
    # From: DEFAULT_FROM_EMAIL, Django's default sender.
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        to=[invitation.email],
        headers={"Content-Language": invitation.language},
    )
    message.attach_alternative(html_body, "text/html")
    message.attach(calendar_attachment(calendar=calendar, filename=f"{workshop.slug}.ics"))
    return message


def _session_in_zone(session, zone: zoneinfo.ZoneInfo) -> dict:
    start = session.start.astimezone(zone)
    end = session.end.astimezone(zone)
    return {
        "label": session.display_label,
        "title": session.title,
        "date": date_format(start),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "utc_offset": utc_offset_label(zone, start, ascii_minus=True),
    }
