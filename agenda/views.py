"""Public pages: the workshop overview, the agenda in the viewer's zone, the iCalendar feed."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agenda import selectors
from agenda.ics import build_calendar
from agenda.page_cache import public_page, request_agenda_version
from agenda.timezones import resolve_viewer_zone, utc_offset_label
from crm_workshop.i18n import active_content_language


def _zone_choices(*, version: int, zone_key: str) -> list[tuple[str, str]]:
    key = selectors.agenda_cache_key("zones", version, active_content_language())
    choices = selectors.cache_get(key)
    if choices is None:
        choices = selectors.zone_choices()
        selectors.cache_call("set", key, choices, selectors.AGENDA_CACHE_TIMEOUT)
    if zone_key not in {value for value, _label in choices}:
        choices = [(zone_key, zone_key), *choices]
    return choices


def _viewer_zone(request, workshop):
    return resolve_viewer_zone(
        requested=request.GET.get("tz"), user=request.user, workshop=workshop
    )


def _zone_context(*, workshop, zone, version: int, reference) -> dict:
    """What a page showing times needs to name its zone and let the reader change it."""
    return {
        "zone": zone,
        "zone_name": zone.key,
        "zone_offset": utc_offset_label(zone, reference) if reference else "",
        "zone_choices": _zone_choices(version=version, zone_key=zone.key),
        # Carried into links (session pages, .ics) only when it differs from the default.
        "tz_query": "?" + urlencode({"tz": zone.key}) if zone.key != workshop.time_zone else "",
    }


def _rendered_agenda(*, workshop, version: int, zone, session_number: int | None) -> dict:
    """The agenda's HTML in ``zone`` and the active language, from the cache when possible.

    Returns ``{"count", "title", "intro", "body"}`` (``count`` = sessions found). Only what is
    the same for every reader is in it: the caller adds the user-dependent parts.
    """
    key = selectors.agenda_cache_key(
        "page",
        version,
        workshop.pk,
        "all" if session_number is None else f"session-{session_number}",
        active_content_language(),
        zone.key,
    )
    cached = selectors.cache_get(key)
    if cached is not None:
        return cached
    sessions = selectors.workshop_agenda(workshop=workshop, session_number=session_number)
    for session in sessions:
        session.zone_offset = utc_offset_label(zone, session.start)
    heading = str(sessions[0]) if sessions and session_number is not None else ""
    context = {
        "workshop": workshop,
        "sessions": sessions,
        "single_session": heading,
        **_zone_context(
            workshop=workshop,
            zone=zone,
            version=version,
            reference=sessions[0].start if sessions else None,
        ),
    }
    rendered = {
        "count": len(sessions),
        "title": f"{heading or _('Agenda')} · {workshop.title}",
        "intro": render_to_string("agenda/_agenda_intro.html", context),
        "body": render_to_string("agenda/_agenda_body.html", context),
    }
    selectors.cache_call("set", key, rendered, selectors.AGENDA_CACHE_TIMEOUT)
    return rendered


def _agenda_page(request, *, session_number: int | None):
    version = request_agenda_version(request)
    workshop = selectors.current_workshop(version=version)
    zone, notice = _viewer_zone(request, workshop)
    rendered = _rendered_agenda(
        workshop=workshop, version=version, zone=zone, session_number=session_number
    )
    if session_number is not None and not rendered["count"]:
        raise Http404("No such session")
    context = {
        "page_title": rendered["title"],
        # Rendered by our own autoescaping templates (see _rendered_agenda).
        "intro_html": mark_safe(rendered["intro"]),  # noqa: S308
        "body_html": mark_safe(rendered["body"]),  # noqa: S308
        "zone_notice": notice,
    }
    return render(request, "agenda/agenda.html", context)


def _rendered_home(*, workshop, version: int, zone) -> dict:
    """The overview's HTML in ``zone`` and the active language, from the cache when possible.

    Returns ``{"title", "intro", "body"}``, like ``_rendered_agenda``: only what is the same
    for every reader (the caller adds the header and the invalid-zone notice).
    """
    key = selectors.agenda_cache_key(
        "home", version, workshop.pk, active_content_language(), zone.key
    )
    cached = selectors.cache_get(key)
    if cached is not None:
        return cached
    overview = selectors.workshop_overview(workshop=workshop)
    sessions = overview["sessions"]
    for session in sessions:
        session.zone_offset = utc_offset_label(zone, session.start)
    context = {
        "workshop": workshop,
        **overview,
        **_zone_context(
            workshop=workshop,
            zone=zone,
            version=version,
            reference=sessions[0].start if sessions else None,
        ),
    }
    rendered = {
        "title": workshop.title,
        "intro": render_to_string("agenda/_home_intro.html", context),
        "body": render_to_string("agenda/_home_body.html", context),
    }
    selectors.cache_call("set", key, rendered, selectors.AGENDA_CACHE_TIMEOUT)
    return rendered


@require_GET
@public_page
def home(request):
    version = request_agenda_version(request)
    workshop = selectors.current_workshop(version=version)
    zone, notice = _viewer_zone(request, workshop)
    rendered = _rendered_home(workshop=workshop, version=version, zone=zone)
    context = {
        "page_title": rendered["title"],
        # Rendered by our own autoescaping templates (see _rendered_home).
        "intro_html": mark_safe(rendered["intro"]),  # noqa: S308
        "body_html": mark_safe(rendered["body"]),  # noqa: S308
        "zone_notice": notice,
    }
    return render(request, "agenda/home.html", context)


@require_GET
@public_page
def agenda(request):
    return _agenda_page(request, session_number=None)


@require_GET
@public_page
def session(request, number: int):
    return _agenda_page(request, session_number=number)


@require_GET
def ics(request):
    workshop = selectors.current_workshop()
    zone, _notice = _viewer_zone(request, workshop)
    body = build_calendar(workshop=workshop, zone_name=zone.key)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(workshop.slug)}.ics"'
    return response
