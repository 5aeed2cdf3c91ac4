"""iCalendar (RFC 5545) export of a workshop's sessions, as an iTIP (RFC 5546) PUBLISH.

Why PUBLISH and not REQUEST: the same bytes serve the public feed (/agenda.ics), the
invitation e-mail and the participant's own calendar. A REQUEST names the invitee as ATTENDEE
and asks the client for an answer (Outlook and Thunderbird show Accept/Decline and mail an
iTIP REPLY to the ORGANIZER); we have no mailbox that reads replies, registration happens on
the portal, and a feed cannot name an attendee at all. PUBLISH with an ORGANIZER is the iTIP
method for "here is an event, put it in your calendar": Outlook opens it as an appointment to
save, Thunderbird offers "Add", Google Calendar imports it. The e-mail part carrying it must
say the same method (``text/calendar; method=PUBLISH``, see ``calendar_attachment``).
"""

import datetime as dt
import zoneinfo
from email.mime.text import MIMEText
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import SafeMIMEText
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress

from agenda.models import Session, Workshop
from agenda.selectors import workshop_agenda
from agenda.timezones import zone_label
from crm_workshop.validators import single_line

METHOD = "PUBLISH"


def build_calendar(
    *, workshop: Workshop, zone_name: str, with_conference_link: bool = False
) -> bytes:
    """The sessions of ``workshop`` as one VCALENDAR, times written in ``zone_name``.

    An iTIP PUBLISH (``METHOD:PUBLISH``) that Outlook, Google Calendar and Thunderbird import
    as events: one VEVENT per session with a stable UID (the same session keeps the same UID
    in every file, so a second import updates rather than duplicates), DTSTAMP (when this file
    was made), ORGANIZER (the Secretaría: address and name of ``DEFAULT_FROM_EMAIL``),
    SEQUENCE (``session_sequence``), STATUS (TENTATIVE while the workshop's agenda is
    preliminary, CONFIRMED once final: a preliminary agenda's times may still move, and
    clients show tentative events as such), SUMMARY "label: title", DESCRIPTION listing the
    blocks with their times, DTSTART/DTEND carrying the full IANA name as TZID, and the
    matching VTIMEZONE before the events. ``UTC`` is written with the ``Z`` suffix, as
    RFC 5545 requires. ``zone_name`` must be a valid IANA name (callers validate it; see
    ``agenda.timezones.resolve_viewer_zone``). Text follows the active language.

    The conference link is written (LOCATION, URL and the first line of DESCRIPTION) only
    when ``with_conference_link`` is true, which only the approved participant's own
    calendar asks for; the public feed and the invitation never carry it.

    Every title is written on one line (rows saved before titles refused line breaks would
    otherwise break NAME and SUMMARY, or fail to serialise); only DESCRIPTION has line breaks,
    which iCalendar escapes.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    sessions = workshop_agenda(workshop=workshop)
    host = urlsplit(settings.SITE_URL).hostname or "crm-workshop.invalid"
    calendar = Calendar.new(
        prodid="-//CRM//crm_workshop agenda//ES",
        method=METHOD,
        name=single_line(workshop.title),
        uid=f"{workshop.slug}@{host}",
    )
    stamp = timezone.now().replace(microsecond=0)
    organizer = _organizer()
    status = "TENTATIVE" if workshop.is_preliminary else "CONFIRMED"
    for session in sessions:
        page_url = settings.SITE_URL.rstrip("/") + reverse(
            "agenda:session", kwargs={"number": session.number}
        )
        description = _session_description(session=session, zone=zone)
        link = conference_link(session) if with_conference_link else ""
        if link:
            description = _("Enlace de la videoconferencia: %(url)s") % {"url": link} + (
                "\n\n" + description
            )
        calendar.add_component(
            Event.new(
                uid=f"{workshop.slug}-session-{session.number}@{host}",
                stamp=stamp,
                sequence=session_sequence(session),
                status=status,
                organizer=organizer,
                start=session.start.astimezone(zone),
                end=session.end.astimezone(zone),
                summary=single_line(f"{session.display_label}: {session.title}"),
                description=description,
                location=link or None,
                url=link or page_url,
            )
        )
    if sessions and zone_name != "UTC":
        first = min(session.start for session in sessions).astimezone(zone).date()
        last = max(session.end for session in sessions).astimezone(zone).date()
        calendar.add_component(_vtimezone(zone_name, first.year, last.year))
        # RFC 5545 lets VTIMEZONE come anywhere, but some clients want it before the events.
        calendar.subcomponents.insert(0, calendar.subcomponents.pop())
    return calendar.to_ical()


def calendar_attachment(*, calendar: bytes, filename: str) -> MIMEText:
    """The e-mail part for ``build_calendar``'s bytes: ``text/calendar; charset="utf-8";
    method=PUBLISH`` as an attachment named ``filename``.

    iTIP over e-mail (RFC 6047) wants the part's ``method`` parameter to equal the METHOD
    inside; Outlook otherwise shows a plain attachment instead of an appointment. (Django's
    ``attach(name, content, mimetype)`` cannot carry parameters in ``mimetype``.)
    """
    part = SafeMIMEText(calendar.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", METHOD)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def conference_link(session: Session) -> str:
    """The session's own conference link, else the workshop's webinar link ("" if neither).

    Reserved to approved participants: callers decide who may see it."""
    return session.conference_url or session.workshop.webinar_url


def session_sequence(session: Session) -> int:
    """SEQUENCE of the session's VEVENT: its stored revision (``Session.ics_sequence``),
    raised by one each time the session moves, so a re-sent or re-downloaded calendar is a
    *later* revision of the same UID, as RFC 5546 asks, and an unchanged one is the same."""
    return session.ics_sequence


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = single_line(name) or _("Secretaría Ejecutiva")
    return organizer


@lru_cache(maxsize=64)
def _vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """VTIMEZONE covering the years of the sessions (computing it is slow; it never changes)."""
    return Timezone.from_tzinfo(
        zoneinfo.ZoneInfo(zone_name),
        tzid=zone_name,
        first_date=dt.date(first_year, 1, 1),
        last_date=dt.date(last_year + 1, 1, 1),
    )


def _session_description(*, session, zone: zoneinfo.ZoneInfo) -> str:
    lines = [
        _("Horarios en %(zone)s.") % {"zone": zone_label(zone, session.start)},
        "",
    ]
    for item in session.items.all():
        start = item.start.astimezone(zone).strftime("%H:%M")
        end = item.end.astimezone(zone).strftime("%H:%M")
        lines.append(f"{start}\u2013{end} {single_line(item.title)}")  # en dash
        for segment in item.segments.all():
            minutes = f" ({segment.duration_minutes} min)" if segment.duration_minutes else ""
            lines.append(f"  · {single_line(segment.title)}{minutes}")
    return "\n".join(lines)
