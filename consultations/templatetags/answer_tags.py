"""Template helpers of the delegation's answer pages."""

from django import template
from django.utils.formats import date_format, time_format
from django.utils.html import format_html

from agenda.timezones import utc_offset_label

register = template.Library()

# The header's "Questions" link needs to know whether the reader answers for a delegation.
# Asking the database on every page would cost a query per page, so the answer is noted in
# the session at sign-in (consultations.signals) and refreshed by every page that loads the
# reader's registration anyway (home, the answer pages).
NAV_SESSION_KEY = "consultations_nav"


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


def _is_answering(participant, user) -> bool:
    """The test of ``consultations.rules.answering_participant`` on ``user``'s loaded
    registration."""
    from participants.models import Participant

    return (
        participant.role == Participant.Role.DELEGATE
        and participant.registration_status == Participant.RegistrationStatus.APPROVED
        and participant.delegation_id is not None
        and user.is_active
    )


def remember_answers_for_delegation(request, answers: bool) -> None:
    """Note in the session whether ``request.user`` answers for a delegation (see above);
    the session is written only when that changed."""
    session = getattr(request, "session", None)
    if session is None:
        return
    value = {"user": request.user.pk, "answers": answers}
    if session.get(NAV_SESSION_KEY) != value:
        session[NAV_SESSION_KEY] = value


@register.simple_tag(takes_context=True)
def answers_for_delegation(context) -> bool:
    """Does the reader answer trigger questions for a delegation (an approved delegate of the
    current workshop)? Read from the page's own registration of the reader, else from the
    session; never a query. It may lag an approval until the person's next sign-in or
    visit of their home page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return False
    participant = context.get("participant")
    if participant is not None and getattr(participant, "user_id", None) == user.pk:
        answers = _is_answering(participant, user)
        remember_answers_for_delegation(request, answers)
        return answers
    session = getattr(request, "session", None)
    remembered = session.get(NAV_SESSION_KEY) if session is not None else None
    return (
        isinstance(remembered, dict)
        and remembered.get("user") == user.pk
        and bool(remembered.get("answers"))
    )
