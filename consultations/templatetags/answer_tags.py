"""Template helpers of the delegation's answer pages."""

import time

from django import template
from django.http import Http404
from django.utils.formats import date_format, time_format
from django.utils.html import format_html

from agenda.selectors import agenda_cache_version, current_workshop
from agenda.timezones import utc_offset_label

register = template.Library()

# The header's "Questions" link needs to know whether the reader answers for a delegation.
# Asking the database on every page would cost a query per page, so the answer is kept in
# the reader's session for a while; the pages themselves always check, and refresh it.
NAV_SESSION_KEY = "consultations_nav"
NAV_SECONDS = 120


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


def _remembered(session, user) -> dict | None:
    remembered = session.get(NAV_SESSION_KEY) if session is not None else None
    if (
        isinstance(remembered, dict)
        and remembered.get("user") == user.pk
        and 0 <= time.time() - remembered.get("at", 0) < NAV_SECONDS
    ):
        return remembered
    return None


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
    """Keep in the session whether ``request.user`` answers for a delegation (see above);
    the session is written only when that changed or is due for a refresh."""
    session = getattr(request, "session", None)
    if session is None:
        return
    remembered = _remembered(session, request.user)
    if remembered is None or remembered.get("answers") != answers:
        session[NAV_SESSION_KEY] = {"user": request.user.pk, "answers": answers, "at": time.time()}


@register.simple_tag(takes_context=True)
def answers_for_delegation(context) -> bool:
    """Does the reader answer trigger questions for a delegation (an approved delegate of the
    current workshop)? Remembered in the session for ``NAV_SECONDS``, so that most pages
    run no query for it; it may lag an approval by that much."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return False
    participant = context.get("participant")
    if participant is not None and getattr(participant, "user_id", None) == user.pk:
        # The page already loaded the reader's registration (home, answer pages): no query.
        return _is_answering(participant, user)
    remembered = _remembered(getattr(request, "session", None), user)
    if remembered is not None:
        return bool(remembered.get("answers"))
    from consultations.rules import answering_participant

    try:
        workshop = current_workshop(version=agenda_cache_version())
    except Http404:  # no published workshop: nothing to answer
        return False
    answers = answering_participant(user, workshop) is not None
    remember_answers_for_delegation(request, answers)
    return answers
