"""The follow-up of the agreements after the workshop.

* ``/staff/agreements/`` (``staff:agreements_followup``): every agreement with its follow-up,
  filters, a form per agreement to record progress, and the export
  (``staff:agreements_export``, CSV or XLSX, with the same filters). Staff only
  (``rules.can_follow_up``), as every ``/staff/`` page: anonymous visitors sign in, other
  accounts get 403 (the same answer for every URL here, so nothing is revealed).
* ``/agreements/country/`` (``agreements:country``): an approved participant reads the
  agreements their country (or their organisation) is responsible for, with the follow-up
  and its dated notes. Pending and other accounts without the right get 404; staff without a
  registration are sent to their own page.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone, utc_offset_label
from agreements import followup as selectors
from agreements import rules
from agreements.forms_followup import FollowupEntryForm, FollowupFilterForm
from agreements.models import Agreement
from participants.models import Participant

EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def follow_up_required(view):
    """Anonymous → sign-in page; signed in without ``rules.can_follow_up`` → 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not rules.can_follow_up(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _list_url(query: dict[str, str], anchor: str = "") -> str:
    url = reverse("staff:agreements_followup")
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")


def _session_day(agreement: Agreement, workshop) -> dt.date:
    return agreement.session.start.astimezone(workshop.zone).date()


def _staff_page(request, *, workshop, filter_form, bound_form=None, status=200):
    """The list page; ``bound_form`` (an entry form sent with errors) takes its agreement's
    place so the errors and what was typed are shown."""
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    today = selectors.workshop_today(workshop)
    max_date = max(today, timezone.now().astimezone(zone).date())
    query = filter_form.query()
    back = urlencode(query)
    agreements = selectors.followup_agreements(
        workshop=workshop, filters=filter_form.filters(), today=today
    )
    for agreement in agreements:
        for entry in agreement.entries:
            entry.zone_offset = utc_offset_label(zone, entry.recorded_at)
        if agreement.status == Agreement.Status.WITHDRAWN:
            agreement.entry_form = None
        elif bound_form is not None and bound_form.agreement.pk == agreement.pk:
            agreement.entry_form = bound_form
        else:
            agreement.entry_form = FollowupEntryForm(
                agreement=agreement,
                today=today,
                max_date=max_date,
                min_date=_session_day(agreement, workshop),
                back=back,
            )
    return render(
        request,
        "agreements/followup/staff.html",
        {
            "page_title": _("Seguimiento de los acuerdos"),
            "workshop": workshop,
            "agreements": agreements,
            "overdue_count": sum(1 for agreement in agreements if agreement.overdue),
            "filter_form": filter_form,
            "filtered": filter_form.filters().active,
            "export_query": ("?" + back) if back else "",
            "today": today,
            "zone": zone,
            "zone_name": zone.key,
        },
        status=status,
    )


@require_GET
@follow_up_required
def followup_list(request):
    workshop = current_workshop()
    filter_form = FollowupFilterForm(request.GET or None, workshop=workshop)
    return _staff_page(request, workshop=workshop, filter_form=filter_form)


@require_POST
@follow_up_required
def record(request, pk: int):
    workshop = current_workshop()
    agreement = get_object_or_404(
        Agreement.objects.select_related("session"), pk=pk, workshop=workshop
    )
    prefix = f"agreement-{agreement.pk}"
    filter_form = FollowupFilterForm(
        QueryDict(request.POST.get(f"{prefix}-back", "")) or None, workshop=workshop
    )
    query = filter_form.query()
    anchor = f"agreement-{agreement.number}"
    if agreement.status == Agreement.Status.WITHDRAWN:
        messages.error(
            request,
            _("El acuerdo %(number)s fue retirado: no tiene seguimiento. No se registró nada.")
            % {"number": agreement.number},
        )
        return redirect(_list_url(query, anchor))
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    today = selectors.workshop_today(workshop)
    form = FollowupEntryForm(
        request.POST,
        agreement=agreement,
        today=today,
        max_date=max(today, timezone.now().astimezone(zone).date()),
        min_date=_session_day(agreement, workshop),
    )
    if not form.is_valid():
        messages.error(
            request,
            _(
                "No se registró nada para el acuerdo %(number)s: corrija lo señalado en su "
                "formulario."
            )
            % {"number": agreement.number},
        )
        return _staff_page(
            request, workshop=workshop, filter_form=filter_form, bound_form=form, status=400
        )
    data = form.cleaned_data
    entry = selectors.followup_record_once(
        agreement=agreement,
        by=request.user,
        status=data["status"],
        date=data["date"],
        note=data["note"],
    )
    if entry is None:
        messages.info(
            request,
            _(
                "Ese avance del acuerdo %(number)s ya estaba registrado (el mismo formulario "
                "enviado dos veces): no se repitió."
            )
            % {"number": agreement.number},
        )
    else:
        agreement.refresh_from_db(fields=["follow_up_status"])
        messages.success(
            request,
            _("Avance registrado para el acuerdo %(number)s. Su seguimiento queda en «%(status)s».")
            % {"number": agreement.number, "status": agreement.get_follow_up_status_display()},
        )
    return redirect(_list_url(query, anchor))


@require_GET
@follow_up_required
def export(request, fmt: str):
    if fmt not in EXPORT_CONTENT_TYPES:
        raise Http404
    workshop = current_workshop()
    filter_form = FollowupFilterForm(request.GET or None, workshop=workshop)
    if filter_form.is_bound and not filter_form.is_valid():
        # The page explains which filter is wrong; an export of something else would not.
        messages.error(request, _("Corrija los filtros: no se exportó nada."))
        return redirect(reverse("staff:agreements_followup") + "?" + request.GET.urlencode())
    today = selectors.workshop_today(workshop)
    agreements = selectors.followup_agreements(
        workshop=workshop, filters=filter_form.filters(), today=today
    )
    dataset = selectors.followup_dataset(agreements=agreements)
    response = HttpResponse(
        selectors.export_bytes(dataset, fmt), content_type=EXPORT_CONTENT_TYPES[fmt]
    )
    filename = "{name}-{day}.{fmt}".format(
        name=_("acuerdos-seguimiento"), day=today.isoformat(), fmt=fmt
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Participants ------------------------------------------------------------------------------


@require_GET
def country(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    workshop = current_workshop()
    participant = (
        Participant.objects.select_related("delegation__country", "organisation")
        .filter(
            user=request.user,
            workshop=workshop,
            registration_status=Participant.RegistrationStatus.APPROVED,
        )
        .first()
    )
    if participant is None:
        if rules.can_follow_up(request.user):
            return redirect("staff:agreements_followup")
        if not rules.can_view_agreements(request.user, workshop):
            raise Http404
    party = selectors.participant_party(participant)
    today = selectors.workshop_today(workshop)
    agreements = selectors.party_agreements(
        workshop=workshop,
        country_id=party.country_id,
        organisation_id=party.organisation_id,
        today=today,
    )
    return render(
        request,
        "agreements/followup/country.html",
        {
            "page_title": party.title,
            "workshop": workshop,
            "party": party.label,
            "has_party": party.exists,
            "agreements": agreements,
            "overdue_count": sum(1 for agreement in agreements if agreement.overdue),
            "today": today,
        },
    )
