"""``/home/preferences/``: a signed-in person changes their names, zone and language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agenda.selectors import current_workshop, zone_choices
from crm_workshop.signin.adapters import home_url_for, set_language_cookie
from participants.forms import PreferencesForm
from participants.models import Participant


def _default_zone(user) -> str:
    """The zone a blank preference means: the country of their delegation, else the
    workshop's (see ``agenda.timezones.resolve_viewer_zone``), else UTC."""
    try:
        workshop = current_workshop()
    except Http404:
        return "UTC"
    country_zone = (
        Participant.objects.filter(user=user, workshop=workshop, delegation__isnull=False)
        .values_list("delegation__country__time_zone", flat=True)
        .first()
    )
    return country_zone or workshop.time_zone


@never_cache
@login_required
def preferences(request):
    form = PreferencesForm(
        request.POST or None, instance=request.user, default_zone=_default_zone(request.user)
    )
    if request.method == "POST" and form.is_valid():
        user = form.save()
        with translation.override(user.language):
            messages.success(request, _("Sus preferencias se han guardado."))
        response = redirect(home_url_for(user))
        set_language_cookie(response, user.language)
        return response
    return render(
        request,
        "participants/preferences.html",
        {"page_title": _("Preferencias"), "form": form, "zone_names": zone_choices()},
    )
