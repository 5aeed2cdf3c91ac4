"""Admin for trigger questions, their assignment to countries, and the answers."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consultations.distribution import (
    DistributionError,
    distributable_countries,
    questions_distribute,
)
from consultations.models import Answer, QuestionAssignment, QuestionDistribution, TriggerQuestion
from consultations.services import deadline_extend
from consultations.staff_forms import DistributeForm
from crm_workshop.admin import (
    ReferenceZoneAdminMixin,
    ReferenceZoneInlineMixin,
    format_moment,
)
from crm_workshop.forms import VersionCheckedForm, VersionedAdminMixin
from participants.models import Notification

# How many past changes of a country's deadline the inline lists.
EXTENSION_HISTORY_ROWS = 5


class AssignmentForm(forms.ModelForm):
    extension_reason = forms.CharField(
        label=_("motivo de la prórroga"),
        required=False,
        max_length=100,
        help_text=_("Se guarda en el historial con quién y cuándo."),
    )

    class Meta:
        model = QuestionAssignment
        fields = ("country", "deadline_extended_to")


class QuestionAssignmentInline(ReferenceZoneInlineMixin, admin.TabularInline):
    """One row per country the question was sent to: its extension, if any, and the history
    of that extension (who, when, why). An extension is written by
    ``consultations.services.deadline_extend`` (see ``TriggerQuestionAdmin.save_formset``)."""

    model = QuestionAssignment
    form = AssignmentForm
    extra = 0
    fields = (
        "country",
        "distribution",
        "deadline_extended_to",
        "extension_reason",
        "extension_history",
    )
    readonly_fields = ("distribution", "extension_history")
    autocomplete_fields = ("country",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "question__workshop")

    @admin.display(description=_("historial de la fecha límite"))
    def extension_history(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        zone = obj.question.workshop.time_zone
        records = list(obj.history.select_related("history_user").order_by("-history_id"))
        rows = []
        for record, previous in zip(records, [*records[1:], None], strict=True):
            if previous is None and record.deadline_extended_to is None:
                continue
            if previous is not None and (
                previous.deadline_extended_to == record.deadline_extended_to
            ):
                continue
            until = (
                format_moment(record.deadline_extended_to, zone)
                if record.deadline_extended_to
                else gettext("sin prórroga")
            )
            rows.append(
                (
                    until,
                    record.history_user or "—",
                    format_moment(record.history_date, zone),
                    record.history_change_reason or "—",
                )
            )
        if not rows:
            return "—"
        return format_html(
            '<ul class="extension-history">{}</ul>',
            format_html_join(
                "",
                "<li>{} · {} · {} · {}</li>",
                rows[:EXTENSION_HISTORY_ROWS],
            ),
        )


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
    actions = ("distribute_questions",)

    class Media:
        css = {"all": ["css/admin_distribution.css"]}  # the inline's deadline history

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

    def save_formset(self, request, form, formset, change):
        if formset.model is not QuestionAssignment:
            return super().save_formset(request, form, formset, change)
        # A changed deadline goes through the service: it locks the row and keeps who and
        # why in the history. Everything else (a new country, a deletion) is saved as usual.
        with transaction.atomic():
            extended = []
            for inline_form in formset.initial_forms:
                if (
                    inline_form in formset.deleted_forms
                    or "deadline_extended_to" not in inline_form.changed_data
                ):
                    continue
                extended.append(inline_form)
                # The service writes the deadline (one history row, with the reason); the
                # formset saves the row only if something else changed too.
                for name in ("deadline_extended_to", "extension_reason"):
                    if name in inline_form.changed_data:
                        inline_form.changed_data.remove(name)
                inline_form.instance.deadline_extended_to = inline_form.initial.get(
                    "deadline_extended_to"
                )
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            for instance in instances:
                instance._history_user = request.user
                instance.save()
            formset.save_m2m()
            for inline_form in extended:
                deadline_extend(
                    assignment=inline_form.instance,
                    until=inline_form.cleaned_data["deadline_extended_to"],
                    by=request.user,
                    reason=inline_form.cleaned_data.get("extension_reason", ""),
                )
        return None

    # --- Distribution --------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        # Django's changelist ignores an action the user may not run (it shows the list
        # again); distributing is refused outright, so a forged POST gets a plain 403.
        if (
            request.method == "POST"
            and request.POST.get("action") == "distribute_questions"
            and not self.has_change_permission(request)
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Distribuir a países…"), permissions=["change"])
    def distribute_questions(self, request, queryset):
        """Ask for the countries (intermediate page), then distribute and notify."""
        questions = list(queryset.select_related("workshop", "session", "axis"))
        if len({question.workshop_id for question in questions}) != 1:
            self.message_user(
                request,
                gettext(
                    "Las preguntas elegidas son de talleres distintos: distribúyalas por separado."
                ),
                messages.ERROR,
            )
            return None
        workshop = questions[0].workshop
        countries = distributable_countries(workshop=workshop)
        if "apply" in request.POST:
            form = DistributeForm(request.POST, countries=countries)
            if form.is_valid():
                try:
                    distribution, notified = questions_distribute(
                        questions=questions,
                        countries=form.cleaned_data["countries"],
                        by=request.user,
                    )
                except DistributionError as error:
                    self.message_user(request, error.message, messages.ERROR)
                    return None
                self.message_user(
                    request,
                    ngettext(
                        "%(distribution)s: %(questions)d preguntas a %(countries)d países. "
                        "Se escribirá a %(count)d persona.",
                        "%(distribution)s: %(questions)d preguntas a %(countries)d países. "
                        "Se escribirá a %(count)d personas.",
                        notified,
                    )
                    % {
                        "distribution": distribution,
                        "questions": len(questions),
                        "countries": len(form.cleaned_data["countries"]),
                        "count": notified,
                    },
                    messages.SUCCESS,
                )
                return None
        else:
            form = DistributeForm(countries=countries)
        zone = workshop.time_zone
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Distribuir preguntas a países"),
            "opts": self.model._meta,
            "form": form,
            "questions": [
                {
                    "pk": question.pk,
                    "code": question.code,
                    "text": question.text_es,
                    "is_example": question.is_example,
                    "deadline": format_moment(question.deadline, zone),
                }
                for question in questions
            ],
            "reference_zone": zone,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/consultations/triggerquestion/distribute.html", context
        )


@admin.register(QuestionDistribution)
class QuestionDistributionAdmin(admin.ModelAdmin):
    """What was sent to whom, and by whom: read-only (distributing is the questions' action)."""

    list_display = (
        "__str__",
        "created",
        "created_by",
        "question_count",
        "country_count",
        "notification_count",
    )
    list_select_related = ("workshop", "created_by")
    list_filter = ("workshop",)
    fields = ("workshop", "created", "created_by", "question_list", "country_list")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        notified = (
            Notification.objects.filter(
                kind=Notification.Kind.QUESTIONS_DISTRIBUTED,
                dedupe_key=Concat(Value("distribution-"), Cast(OuterRef("pk"), CharField())),
            )
            .order_by()
            .values("kind")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                questions_total=Count("questions", distinct=True),
                countries_total=Count("countries", distinct=True),
                notifications_total=Coalesce(Subquery(notified), 0),
            )
        )

    @admin.display(description=_("distribuida el"), ordering="created_at")
    def created(self, obj) -> str:
        return format_moment(obj.created_at, obj.workshop.time_zone)

    @admin.display(description=_("preguntas"), ordering="questions_total")
    def question_count(self, obj) -> int:
        return obj.questions_total

    @admin.display(description=_("países"), ordering="countries_total")
    def country_count(self, obj) -> int:
        return obj.countries_total

    @admin.display(description=_("correos"), ordering="notifications_total")
    def notification_count(self, obj) -> int:
        return obj.notifications_total

    @admin.display(description=_("preguntas"))
    def question_list(self, obj) -> str:
        return ", ".join(obj.questions.order_by("code").values_list("code", flat=True)) or "—"

    @admin.display(description=_("países"))
    def country_list(self, obj) -> str:
        return ", ".join(str(country) for country in obj.countries.all()) or "—"


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
