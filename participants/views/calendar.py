"""The approved participant's own .ics (``/home/calendar.ics``): the sessions with the link."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from agenda.ics import build_calendar
from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone
from participants.models import Participant


@require_GET
@login_required
def calendar(request):
    """The sessions of the current workshop in the reader's zone, with the conference link.

    Only for a participant whose registration is approved: anyone else signed in (pending,
    rejected, staff without a registration) gets 404, as if the file did not exist; anonymous
    readers are sent to sign in. The file is personal (it carries the conference link), so it
    is never stored by a shared cache or kept by the browser.
    """
    workshop = current_workshop()
    approved = Participant.objects.filter(
        user=request.user,
        workshop=workshop,
        registration_status=Participant.RegistrationStatus.APPROVED,
    ).exists()
    if not approved:
        raise Http404
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    body = build_calendar(workshop=workshop, zone_name=zone.key, with_conference_link=True)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(workshop.slug)}.ics"'
    patch_cache_control(response, private=True, no_store=True)
    return response
