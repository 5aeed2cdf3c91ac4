"""The Secretaría's follow-up of the answers (``/staff/consultations/``) and its reminders.

Staff only (``staff_required``: anonymous → sign-in, others → 403), behind the same second
factor as the admin. A reminder is a POST from a button of the page; the page's nonce makes
a double click or a resent form remind once (``consultations.notifications``).
"""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone
from consultations.followup import consultation_followup
from consultations.notifications import ReminderError, answers_remind
from consultations.staff_forms import REMIND_ALL, RemindForm
from participants.views.staff import staff_required


@require_GET
@staff_required
def followup(request):
    workshop = current_workshop()
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    data = consultation_followup(workshop=workshop, zone=zone)
    return render(
        request,
        "staff/consultations.html",
        {
            **data,
            "page_title": _("Seguimiento de las preguntas detonadoras"),
            "workshop": workshop,
            "nonce": uuid.uuid4().hex,
            "remind_all": REMIND_ALL,
        },
    )


@require_POST
@staff_required
def remind(request):
    workshop = current_workshop()
    data = consultation_followup(workshop=workshop, zone=workshop.zone)
    remindable = {row.country.pk for row in data["remindable"]}
    form = RemindForm(request.POST, choices=remindable)
    if not form.is_valid():
        messages.error(
            request,
            _(
                "No se envió ningún recordatorio: ese país ya no tiene respuestas pendientes "
                "con plazo abierto, o no tiene delegados aprobados."
            )
            if "country" in form.errors
            else _("El formulario caducó; vuelva a cargar la página."),
        )
        return redirect("staff:consultations")
    country = form.cleaned_data["country"]
    country_ids = remindable if country == REMIND_ALL else {country}
    try:
        created = answers_remind(
            workshop=workshop,
            country_ids=country_ids,
            nonce=form.cleaned_data["nonce"],
            by=request.user,
        )
    except ReminderError as error:
        messages.error(request, error.message)
        return redirect("staff:consultations")
    if created:
        messages.success(
            request,
            ngettext(
                "Recordatorio en camino: se escribirá a %(count)d persona.",
                "Recordatorio en camino: se escribirá a %(count)d personas.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(
            request,
            _(
                "Este recordatorio ya se había enviado (el mismo formulario dos veces): no se "
                "escribe de nuevo a nadie."
            ),
        )
    return redirect("staff:consultations")
