"""The signed-in person's home page (``/home/``): where sign-in lands, by role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from agenda.selectors import current_workshop
from participants.models import Participant


@login_required
def home(request):
    workshop = current_workshop()
    participant = (
        Participant.objects.filter(user=request.user, workshop=workshop)
        .select_related("delegation__country", "organisation")
        .first()
    )
    return render(
        request,
        "participants/home.html",
        {"page_title": _("Mi espacio"), "workshop": workshop, "participant": participant},
    )
