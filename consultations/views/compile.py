"""The compilation of submitted answers: per question, exports, the PDF compendium, reopening.

Who may see what (``consultations.rules``):

* staff (``can_compile``): every page here;
* a moderator: the index and the question pages of the sessions they moderate
  (``can_read_submitted_answers``), submitted answers only; nothing else;
* anyone else signed in (delegates of any country, observers, pending accounts): 404 on
  every URL, whether the object exists or not;
* anonymous visitors: the sign-in page (the same redirect for every URL here, so it tells
  nothing about what exists).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone, utc_offset_label
from consultations import compile as compilation
from consultations import rules
from consultations.forms_compile import CompendiumForm, ReopenForm
from consultations.models import Answer, Compendium, TriggerQuestion
from consultations.services import ReopenError
from consultations.services import answer_reopen as reopen_service
from crm_workshop.access import allowed_or_404, signed_in

EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Staff (``rules.can_compile``) only; signed-in others get 404, anonymous visitors sign in.
staff_only = allowed_or_404(rules.can_compile)


def _moderates(user, workshop) -> bool:
    return user.is_active and user.moderated_sessions.filter(workshop=workshop).exists()


@require_GET
@signed_in
def compile_index(request):
    workshop = current_workshop()
    staff = rules.can_compile(request.user)
    if not staff and not _moderates(request.user, workshop):
        raise Http404
    questions = list(compilation.compile_questions(workshop=workshop, user=request.user))
    context = {
        "workshop": workshop,
        "questions": questions,
        "is_staff": staff,
        "page_title": _("Compilación de respuestas"),
    }
    if staff:
        context["compendium_form"] = CompendiumForm(
            initial={"language": "en" if get_language() == "en" else "es"}
        )
        context["compendia"] = list(
            Compendium.objects.filter(workshop=workshop).select_related("requested_by")[:5]
        )
    return render(request, "consultations/compile_index.html", context)


@require_GET
@signed_in
def question_answers(request, code):
    workshop = current_workshop()
    question = (
        TriggerQuestion.objects.select_related("session", "axis")
        .filter(workshop=workshop, code=code)
        .first()
    )
    if question is None or not rules.can_read_submitted_answers(request.user, question):
        raise Http404
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    block = compilation.question_blocks(questions=[question], zone=zone)[0]
    staff = rules.can_compile(request.user)
    if staff:
        for row in block.answered:
            row.reopen_form = ReopenForm(answer=row.answer)
    return render(
        request,
        "consultations/compile_question.html",
        {
            "workshop": workshop,
            "question": question,
            "compiled": block,
            "zone_name": zone.key,
            "is_staff": staff,
            "page_title": _("Respuestas a %(code)s") % {"code": question.code},
        },
    )


@require_POST
@staff_only
def answer_reopen(request, pk):
    workshop = current_workshop()
    answer = get_object_or_404(
        Answer.objects.select_related("question"), pk=pk, question__workshop=workshop
    )
    back = reverse("consultations:question_answers", args=[answer.question.code])
    form = ReopenForm(request.POST, answer=answer)
    if not form.is_valid():
        messages.error(request, _("Indique el motivo de la reapertura; no se reabrió nada."))
        return redirect(f"{back}#answer-{answer.pk}")
    try:
        reopen_service(answer=answer, by=request.user, reason=form.cleaned_data["reason"])
    except ReopenError as error:
        messages.error(request, error.message)
        return redirect(f"{back}#answer-{answer.pk}")
    messages.success(
        request,
        _(
            "La respuesta de %(country)s se reabrió: la delegación puede editarla y volver a "
            "enviarla."
        )
        % {"country": answer.delegation.country},
    )
    return redirect(back)


@require_GET
@staff_only
def export(request, fmt):
    if fmt not in EXPORT_CONTENT_TYPES:
        raise Http404
    workshop = current_workshop()
    dataset = compilation.submitted_answers_dataset(workshop=workshop)
    response = HttpResponse(
        compilation.export_bytes(dataset, fmt), content_type=EXPORT_CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="respuestas-enviadas.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@transaction.non_atomic_requests
@require_POST
@staff_only
def compendium_start(request):
    # Not in the request's transaction: the row is committed and the task published (or
    # found unpublishable) before the response, so the message says which.
    workshop = current_workshop()
    form = CompendiumForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elija el idioma del compendio: español o inglés."))
        return redirect("consultations:compile")
    compendium, published = compilation.compendium_request(
        workshop=workshop, language=form.cleaned_data["language"], by=request.user
    )
    if not published:
        messages.warning(
            request,
            _(
                "El compendio quedó en cola, pero el servidor de tareas no responde ahora: "
                "se generará cuando vuelva a estar disponible."
            ),
        )
    return redirect("consultations:compendium", pk=compendium.pk)


def _compendium(pk) -> Compendium:
    return get_object_or_404(
        Compendium.objects.select_related("requested_by"), pk=pk, workshop=current_workshop()
    )


@require_GET
@staff_only
def compendium(request, pk):
    item = _compendium(pk)
    workshop = item.workshop
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    return render(
        request,
        "consultations/compendium.html",
        {
            "workshop": workshop,
            "compendium": item,
            "progress": compilation.compendium_progress(item),
            "requested_by_name": compilation.person_name(item.requested_by),
            "zone": zone,
            "zone_name": zone.key,
            "zone_offset": utc_offset_label(zone, item.requested_at),
            "page_title": _("Compendio de respuestas n.º %(number)s") % {"number": item.pk},
        },
    )


@never_cache
@require_GET
@staff_only
def compendium_progress(request, pk):
    return JsonResponse(compilation.compendium_progress(_compendium(pk)))


@require_GET
@staff_only
def compendium_download(request, pk):
    item = _compendium(pk)
    if item.status != Compendium.Status.DONE or not item.file:
        raise Http404
    language = item.language
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"compendio-respuestas-{item.pk}-{language}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
