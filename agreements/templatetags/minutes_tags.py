"""``{% home_minutes participant zone %}``: the participant home's card of issued minutes."""

from django import template
from django.template.defaultfilters import filesizeformat

from agreements.minutes import minutes_latest_issued, moment_label

register = template.Library()


@register.simple_tag
def home_minutes(participant, zone) -> dict | None:
    """The latest issued version of ``participant``'s workshop for the home page: the row,
    when it was issued (in ``zone``, named) and the file's size. One query (the size is read
    from storage, not the database); None when nothing is issued yet."""
    if participant is None:
        return None
    minutes = minutes_latest_issued(workshop_id=participant.workshop_id)
    if minutes is None:
        return None
    try:
        size = filesizeformat(minutes.pdf.size)
    except (OSError, ValueError):
        size = ""
    return {
        "minutes": minutes,
        "issued": moment_label(minutes.issued_at, zone) if minutes.issued_at else "",
        "size": size,
    }
