"""iCalendar (RFC 5545) export of a workshop's sessions."""

import datetime as dt
import zoneinfo
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from agenda.models import Workshop
from agenda.selectors import workshop_agenda
from agenda.timezones import zone_label
from crm_workshop.validators import single_line


def build_calendar(*, workshop: Workshop, zone_name: str) -> bytes:
    """The sessions of ``workshop`` as one VCALENDAR, times written in ``zone_name``.

    One VEVENT per session (stable UID, SUMMARY "label: title", DESCRIPTION listing the
    blocks with their times), DTSTART/DTEND carrying the full IANA name as TZID, and the
    matching VTIMEZONE. ``UTC`` is written with the ``Z`` suffix, as RFC 5545 requires.
    ``zone_name`` must be a valid IANA name (callers validate it; see
    ``agenda.timezones.resolve_viewer_zone``). Text follows the active language.

    Every title is written on one line (rows saved before titles refused line breaks would
    otherwise break NAME and SUMMARY, or fail to serialise); only DESCRIPTION has line breaks,
    which iCalendar escapes.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    sessions = workshop_agenda(workshop=workshop)
    host = urlsplit(settings.SITE_URL).hostname or "crm-workshop.invalid"
    calendar = Calendar.new(
        prodid="-//CRM//crm_workshop agenda//ES",
        name=single_line(workshop.title),
        uid=f"{workshop.slug}@{host}",
    )
    stamp = timezone.now().replace(microsecond=0)
    for session in sessions:
        calendar.add_component(
            Event.new(
                uid=f"{workshop.slug}-session-{session.number}@{host}",
                stamp=stamp,
                start=session.start.astimezone(zone),
                end=session.end.astimezone(zone),
                summary=single_line(f"{session.display_label}: {session.title}"),
                description=_session_description(session=session, zone=zone),
                url=settings.SITE_URL.rstrip("/")
                + reverse("agenda:session", kwargs={"number": session.number}),
            )
        )
    if sessions and zone_name != "UTC":
        first = min(session.start for session in sessions).astimezone(zone).date()
        last = max(session.end for session in sessions).astimezone(zone).date()
        calendar.add_component(_vtimezone(zone_name, first.year, last.year))
        # RFC 5545 lets VTIMEZONE come anywhere, but some clients want it before the events.
        calendar.subcomponents.insert(0, calendar.subcomponents.pop())
    return calendar.to_ical()


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
