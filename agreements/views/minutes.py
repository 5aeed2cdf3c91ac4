"""The minutes pages: staff render, follow and issue versions; participants download.

Who may see what (``agreements.rules``):

* staff (``can_manage_minutes``): every page here, and the download of any ready version;
* approved participants (delegates, observers, moderators): the download of *issued*
  versions only (``can_download_minutes``);
* anyone else signed in: 404 on every URL, whether the version exists or not;
* anonymous visitors: the sign-in page.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone
from agreements import minutes as service
from agreements import rules
from agreements.forms_minutes import MinutesIssueForm, MinutesRequestForm
from agreements.models import Minutes
from crm_workshop.access import allowed_or_404, signed_in
from crm_workshop.pdf import PdfRenderTimeout

# Staff (``rules.can_manage_minutes``) only; signed-in others get 404, anonymous visitors sign in.
staff_only = allowed_or_404(rules.can_manage_minutes)


def _version(pk) -> Minutes:
    return get_object_or_404(
        Minutes.objects.select_related("requested_by", "issued_by"),
        pk=pk,
        workshop=current_workshop(),
    )


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.email


@require_GET
@staff_only
def minutes_index(request):
    """The versions of the workshop's minutes, newest first, and the form for a new one.
    A fixed number of queries, however many versions."""
    workshop = current_workshop()
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    versions = list(
        Minutes.objects.filter(workshop=workshop)
        .select_related("requested_by")
        .order_by("-version")
    )
    for version in versions:
        version.requested_label = service.moment_label(version.requested_at, zone)
        version.requested_by_name = _person(version.requested_by)
    form = MinutesRequestForm(initial={"language": "en" if get_language() == "en" else "es"})
    return render(
        request,
        "agreements/minutes/index.html",
        {
            "workshop": workshop,
            "versions": versions,
            "form": form,
            "page_title": _("Acta del taller"),
        },
    )


@transaction.non_atomic_requests
@require_POST
@staff_only
def minutes_start(request):
    # Not in the request's transaction: the row is committed and the task published (or
    # found unpublishable) before the response, so the message can say which.
    workshop = current_workshop()
    form = MinutesRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elija el idioma del acta: español o inglés. No se pidió nada."))
        return redirect("staff:minutes")
    minutes, published = service.minutes_request(
        workshop=workshop, by=request.user, language=form.cleaned_data["language"]
    )
    if not published:
        messages.warning(
            request,
            _(
                "La versión %(version)s quedó en cola, pero el servidor de tareas no responde "
                "ahora: se generará en cuanto vuelva a estar disponible. El pedido no se pierde."
            )
            % {"version": minutes.version},
        )
    return redirect("staff:minutes_detail", pk=minutes.pk)


@require_GET
@staff_only
def minutes_detail(request, pk):
    minutes = _version(pk)
    workshop = minutes.workshop
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    progress = service.minutes_progress(minutes)
    context = {
        "workshop": workshop,
        "minutes": minutes,
        "progress": progress,
        "requested_label": service.moment_label(minutes.requested_at, zone),
        "requested_by_name": _person(minutes.requested_by),
        "page_title": _("Acta, versión %(version)s") % {"version": minutes.version},
    }
    if minutes.generated_at:
        context["generated_label"] = service.moment_label(minutes.generated_at, zone)
    if minutes.issued_at:
        context["issued_label"] = service.moment_label(minutes.issued_at, zone)
        context["issued_by_name"] = _person(minutes.issued_by)
    if progress["ready"]:
        context["size"] = _size(minutes)
    context["can_issue"] = (
        progress["ready"] and minutes.status == Minutes.Status.DRAFT and not _later_issued(minutes)
    )
    return render(request, "agreements/minutes/detail.html", context)


def _later_issued(minutes: Minutes) -> bool:
    return Minutes.objects.filter(
        workshop_id=minutes.workshop_id, status=Minutes.Status.ISSUED, version__gt=minutes.version
    ).exists()


def _size(minutes: Minutes) -> int | None:
    try:
        return minutes.pdf.size
    except (OSError, ValueError):
        return None


@never_cache
@require_GET
@staff_only
def minutes_progress(request, pk):
    return JsonResponse(service.minutes_progress(_version(pk)))


@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
@staff_only
def minutes_issue(request, pk):
    """The confirm step (GET: how many participants will be e-mailed), then the issue."""
    minutes = _version(pk)
    detail = redirect("staff:minutes_detail", pk=minutes.pk)
    if minutes.status == Minutes.Status.ISSUED:
        messages.info(request, _("Esta versión ya está emitida: no se envió nada de nuevo."))
        return detail
    if minutes.render_status != Minutes.RenderStatus.READY:
        messages.error(request, _("Solo se puede emitir una versión lista (generada sin errores)."))
        return detail
    if _later_issued(minutes):
        messages.error(
            request, _("Ya hay una versión posterior emitida: esta versión no se puede emitir.")
        )
        return detail
    recipients = service.issue_recipients(workshop_id=minutes.workshop_id).count()
    form = MinutesIssueForm(
        request.POST if request.method == "POST" else None,
        minutes=minutes,
        recipients=recipients,
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued, created = service.minutes_issue(minutes=minutes, by=request.user)
        except service.MinutesError as error:
            messages.error(request, error.message)
            return detail
        except PdfRenderTimeout:
            messages.error(
                request,
                _("La versión definitiva no terminó de generarse a tiempo; no se emitió nada."),
            )
            return detail
        messages.success(
            request,
            _(
                "Versión %(version)s emitida. Se enviará por correo a %(count)s participantes "
                "(una vez a cada persona)."
            )
            % {"version": issued.version, "count": len(created)},
        )
        return detail
    return render(
        request,
        "agreements/minutes/issue.html",
        {
            "workshop": minutes.workshop,
            "minutes": minutes,
            "form": form,
            "recipients": recipients,
            "page_title": _("Emitir el acta, versión %(version)s") % {"version": minutes.version},
        },
    )


@require_GET
@signed_in
def minutes_download(request, pk):
    """The PDF as an attachment, for whoever ``rules.can_download_minutes`` allows; 404 for
    anyone else (whether the version exists or not)."""
    minutes = Minutes.objects.filter(pk=pk).select_related("workshop").first()
    if minutes is None or not minutes.pdf or not rules.can_download_minutes(request.user, minutes):
        raise Http404
    try:
        handle = minutes.pdf.open("rb")
    except OSError as error:
        raise Http404 from error
    suffix = "" if minutes.status == Minutes.Status.ISSUED else "-borrador"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"acta-v{minutes.version}-{minutes.language}{suffix}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
