"""Which time zone a viewer sees the agenda in, and how a zone is named on the page."""

import datetime as dt
import zoneinfo

from django.utils.translation import gettext as _

from crm_workshop.timezones import is_valid_zone

# Longest zone name echoed back in a notice: IANA names are far shorter, so anything longer
# is junk and is not worth repeating to the reader.
_MAX_ECHOED_LENGTH = 64


def resolve_viewer_zone(
    *, requested: str | None, user, workshop
) -> tuple[zoneinfo.ZoneInfo, str | None]:
    """The zone to show times in, and a notice when the requested zone was rejected.

    Order: a valid ``requested`` IANA name (``?tz=``); else the signed-in user's own zone;
    else the zone of the country of their delegation in ``workshop``; else the workshop's
    reference zone. ``requested=None`` means "not asked"; any other value that is not an
    IANA zone name (including ``""``) falls back to the workshop's zone with a notice, never
    an exception.
    """
    if requested is not None:
        if is_valid_zone(requested):
            return zoneinfo.ZoneInfo(requested), None
        shown = requested[:_MAX_ECHOED_LENGTH]
        notice = _(
            "«%(requested)s» no es una zona horaria válida. Se muestran los horarios en la "
            "zona de referencia del taller, %(zone)s."
        ) % {"requested": shown, "zone": workshop.time_zone}
        return workshop.zone, notice
    user_zone = _user_zone_name(user=user, workshop=workshop)
    if user_zone:
        return zoneinfo.ZoneInfo(user_zone), None
    return workshop.zone, None


def _user_zone_name(*, user, workshop) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    if is_valid_zone(user.time_zone):
        return user.time_zone
    from participants.models import Participant

    country_zone = (
        Participant.objects.filter(user=user, workshop=workshop, delegation__isnull=False)
        .values_list("delegation__country__time_zone", flat=True)
        .first()
    )
    return country_zone if is_valid_zone(country_zone) else None


def utc_offset_label(zone: zoneinfo.ZoneInfo, at: dt.datetime, *, ascii_minus: bool = False) -> str:
    """``UTC−05:00``: the zone's offset at the instant ``at`` (historic rules from tzdata).

    Pages write U+2212 MINUS SIGN; ``ascii_minus`` gives ``UTC-05:00`` for plain-text e-mail.
    """
    offset = at.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else ("-" if ascii_minus else "\u2212")
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone_label(zone: zoneinfo.ZoneInfo, at: dt.datetime) -> str:
    """``America/Mexico_City (UTC-05:00)``: the IANA name and its offset at ``at``."""
    return f"{zone.key} ({utc_offset_label(zone, at)})"
