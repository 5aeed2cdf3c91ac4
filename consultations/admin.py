"""Admin for trigger questions, their assignment to countries, and the answers."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from crm_workshop.admin import (
    ReferenceZoneAdminMixin,
    format_moment,
)
from crm_workshop.forms import VersionCheckedForm, VersionedAdminMixin


class QuestionAssignmentInline(admin.TabularInline):
    model = QuestionAssignment
    extra = 0
    fields = ("country", "assigned_at")
    readonly_fields = ("assigned_at",)
    autocomplete_fields = ("country",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country")


@admin.register(TriggerQuestion)
class TriggerQuestionAdmin(ReferenceZoneAdminMixin, admin.ModelAdmin):
    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"

    list_display = (
        "code",
        "short_text",
        "session",
        "axis",
        "deadline_display",
        "assigned_count",
        "submitted_count",
        "is_example",
    )
    list_filter = ("workshop", "session", "axis", "is_example")
    list_select_related = ("workshop", "session", "axis")
    search_fields = ("code", "text_es", "text_en")
    ordering = ("workshop", "session__number", "order")
    autocomplete_fields = ("workshop", "session", "axis")
    inlines = (QuestionAssignmentInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                assignments_total=Count("assignments", distinct=True),
                submitted_total=Count(
                    "answers", filter=Q(answers__status=Answer.Status.SUBMITTED), distinct=True
                ),
            )
        )

    @admin.display(description=_("texto (español)"), ordering="text_es")
    def short_text(self, obj) -> str:
        return obj.text_es[:90]

    @admin.display(description=_("fecha límite de respuesta"), ordering="deadline")
    def deadline_display(self, obj) -> str:
        return format_moment(obj.deadline, obj.workshop.time_zone)

    @admin.display(description=_("países asignados"), ordering="assignments_total")
    def assigned_count(self, obj) -> int:
        return obj.assignments_total

    @admin.display(description=_("respuestas enviadas"), ordering="submitted_total")
    def submitted_count(self, obj) -> int:
        return obj.submitted_total


@admin.register(Answer)
class AnswerAdmin(VersionedAdminMixin, ReferenceZoneAdminMixin, SimpleHistoryAdmin):
    zone_path = "question__workshop__time_zone"
    parent_field = "question"
    parent_zone_path = "workshop__time_zone"
    form = VersionCheckedForm

    list_display = (
        "question_code",
        "country",
        "status",
        "version",
        "edited_by",
        "submitted",
        "updated",
    )
    list_filter = ("status", "question__workshop", "question__session", "delegation__country")
    list_select_related = ("question__workshop", "delegation__country", "edited_by")
    search_fields = ("text", "question__code", "delegation__country__name_es")
    ordering = ("question__session__number", "question__order", "delegation__country__name_es")
    autocomplete_fields = ("question", "delegation", "edited_by", "submitted_by")
    readonly_fields = ("version", "created_at", "updated_at")

    @admin.display(description=_("pregunta"), ordering="question__code")
    def question_code(self, obj) -> str:
        return obj.question.code

    @admin.display(description=_("país"), ordering="delegation__country__name_es")
    def country(self, obj) -> str:
        return str(obj.delegation.country)

    @admin.display(description=pgettext_lazy("respuesta", "enviada el"), ordering="submitted_at")
    def submitted(self, obj) -> str:
        return format_moment(obj.submitted_at, obj.question.workshop.time_zone)

    @admin.display(description=_("actualizada el"), ordering="updated_at")
    def updated(self, obj) -> str:
        return format_moment(obj.updated_at, obj.question.workshop.time_zone)

    def save_model(self, request, obj, form, change):
        obj.edited_by = request.user
        super().save_model(request, obj, form, change)


import consultations.admin_compendium  # noqa: E402, F401 - Compendium admin, Answer reopen action
