"""Template helpers of the delegation's answer pages."""

from django import template
from django.http import Http404
from django.utils.formats import date_format, time_format
from django.utils.html import format_html

from agenda.selectors import agenda_cache_version, cache_call, cache_get, current_workshop
from agenda.timezones import utc_offset_label

register = template.Library()

# How long the header remembers whether a person answers for a delegation. The pages
# themselves always check; the header link may lag an approval by this much.
NAV_CACHE_SECONDS = 120


@register.filter
def zoned(value, zone):
    """``<time>14 de junio de 2022, 18:00</time> (America/El_Salvador, UTC−06:00)``:
    ``value`` in ``zone``, with the zone and its offset at that instant named."""
    if not value:
        return ""
    local = value.astimezone(zone)
    return format_html(
        '<time datetime="{}">{}, {}</time> <span class="zone-inline">({}, {})</span>',
        local.replace(microsecond=0).isoformat(),
        date_format(local, "DATE_FORMAT"),
        time_format(local, "H:i"),
        zone.key,
        utc_offset_label(zone, value),
    )


@register.simple_tag
def answers_for_delegation(user) -> bool:
    """Does ``user`` answer trigger questions for a delegation (an approved delegate of the
    current workshop)? Remembered for a while per person so that most pages run no query."""
    if user is None or not user.is_authenticated or user.is_staff:
        return False
    from consultations.rules import answering_participant

    key = f"consultations:nav:{user.pk}"
    cached = cache_get(key)
    if cached is not None:
        return cached == 1
    try:
        workshop = current_workshop(version=agenda_cache_version())
    except Http404:  # no published workshop: nothing to answer
        return False
    answers = answering_participant(user, workshop) is not None
    cache_call("set", key, 1 if answers else 0, NAV_CACHE_SECONDS)
    return answers
