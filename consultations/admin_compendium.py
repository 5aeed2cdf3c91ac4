"""Admin for the PDF compendia (read-only: the task writes them) and the "reopen" action on
answers, which asks for the reason and calls ``consultations.services.answer_reopen``.

Imported by the last line of ``consultations/admin.py`` (``AnswerAdmin`` exists by then).
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations.admin import AnswerAdmin
from consultations.forms_compile import REOPEN_REASON_MAX_CHARS
from consultations.models import Answer, Compendium
from consultations.services import ReopenError, answer_reopen
from crm_workshop.admin import format_moment


@admin.register(Compendium)
class CompendiumAdmin(admin.ModelAdmin):
    """What was rendered, by whom, with which hash; new ones are asked for on the
    compilation page (``/consultations/compile/``), which shows their progress."""

    list_display = (
        "__str__",
        "language",
        "status",
        "progress",
        "page_count",
        "requested_by",
        "requested",
        "finished",
        "links",
    )
    list_filter = ("status", "language", "workshop")
    list_select_related = ("workshop", "requested_by")
    ordering = ("-requested_at",)
    readonly_fields = (
        "workshop",
        "language",
        "status",
        "progress",
        "sha256",
        "page_count",
        "error",
        "attempts",
        "requested_by",
        "requested",
        "started_at",
        "finished",
        "links",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("solicitada el"), ordering="requested_at")
    def requested(self, obj) -> str:
        return format_moment(obj.requested_at, obj.workshop.time_zone)

    @admin.display(description=_("terminada el"), ordering="finished_at")
    def finished(self, obj) -> str:
        return format_moment(obj.finished_at, obj.workshop.time_zone)

    @admin.display(description=_("enlaces"))
    def links(self, obj) -> str:
        page = reverse("consultations:compendium", args=[obj.pk])
        if obj.status != Compendium.Status.DONE:
            return format_html('<a href="{}">{}</a>', page, _("ver el avance"))
        download = reverse("consultations:compendium_download", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            page,
            _("ver"),
            download,
            _("descargar el PDF"),
        )


class ReopenReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo de la reapertura"),
        max_length=REOPEN_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("La delegación lo verá en el historial de su respuesta."),
    )


@admin.action(
    description=_("Reabrir las respuestas enviadas seleccionadas"), permissions=["change"]
)
def reopen_answers(modeladmin, request, queryset):
    """Ask for one reason, then reopen every selected *submitted* answer with it; drafts in
    the selection are left as they are and counted in the message."""
    if not request.user.is_staff:
        return None
    form = ReopenReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        reopened = skipped = 0
        for answer in queryset.select_related("delegation__country", "question"):
            try:
                answer_reopen(answer=answer, by=request.user, reason=form.cleaned_data["reason"])
            except ReopenError:
                skipped += 1
            else:
                reopened += 1
        if reopened:
            modeladmin.message_user(
                request,
                ngettext(
                    "Se reabrió %(count)s respuesta.",
                    "Se reabrieron %(count)s respuestas.",
                    reopened,
                )
                % {"count": reopened},
                messages.SUCCESS,
            )
        if skipped:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)s respuesta seleccionada no estaba enviada y no se tocó.",
                    "%(count)s respuestas seleccionadas no estaban enviadas y no se tocaron.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Reabrir respuestas enviadas"),
        "opts": modeladmin.model._meta,
        "form": form,
        "answers": queryset.select_related("delegation__country", "question"),
        "action_name": "reopen_answers",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/consultations/answer/reopen.html", context)


AnswerAdmin.actions = [*(AnswerAdmin.actions or ()), reopen_answers]

# Keep Answer imported for readers looking for what the action acts on.
__all__ = ["Answer", "CompendiumAdmin", "reopen_answers"]
