"""``/agreements/``: the workshop's agreements, session by session.

Who may read (``agreements.rules.can_view_agreements``): approved participants of any role,
the moderators of the workshop's sessions, staff. Anybody else signed in gets 404 (nothing
is revealed); an anonymous visitor is sent to sign in.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone
from agreements import rules, selectors
from agreements.templatetags.live_tags import remember_may_see_agreements


def agreements_reader(view):
    """Anonymous visitors sign in; signed-in people without ``can_view_agreements`` get
    404. The view receives the current workshop as ``workshop``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        workshop = current_workshop()
        allowed = rules.can_view_agreements(request.user, workshop)
        remember_may_see_agreements(request, allowed)
        if not allowed:
            raise Http404
        return view(request, *args, workshop=workshop, **kwargs)

    return wrapped


def viewer_zone(request, workshop):
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    return zone


@require_GET
@agreements_reader
def index(request, *, workshop):
    sessions = selectors.workshop_agreements(workshop=workshop)
    for session in sessions:
        record = selectors.record_of(session)
        session.is_closed = record is not None and record.is_closed
    return render(
        request,
        "agreements/index.html",
        {
            "page_title": _("Acuerdos"),
            "workshop": workshop,
            "sessions": sessions,
            "zone": viewer_zone(request, workshop),
            "now": timezone.now(),
        },
    )
