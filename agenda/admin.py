"""Admin for the programme: workshop, axes, objectives, sessions, blocks, segments, speakers.

Times in changelists are shown in the workshop's reference zone with the zone named; change
forms read and write them in that zone (``ReferenceZoneAdminMixin``).
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agenda.models import (
    AgendaItem,
    Axis,
    Objective,
    Participation,
    Segment,
    Session,
    Speaker,
    Workshop,
    WorkshopPartner,
)
from crm_workshop.admin import (
    ReferenceZoneAdminMixin,
    ReferenceZoneInlineMixin,
    format_dated_span,
    format_time_span,
)


def minutes_label(minutes: int) -> str:
    return gettext("%(minutes)d min") % {"minutes": minutes}


# --- Workshop ---------------------------------------------------------------------------------


# A link typed without its scheme ("meet.example.org/crm") is taken as https, as browsers do
# (and as Django 6 will by default).
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class WorkshopPartnerInline(admin.TabularInline):
    model = WorkshopPartner
    extra = 0
    autocomplete_fields = ("organisation",)
    fields = ("order", "organisation", "role_es", "role_en")


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0
    fields = ("number", "title_es", "title_en", "prioritised")


class ObjectiveInline(admin.StackedInline):
    model = Objective
    extra = 0
    fields = ("order", "text_es", "text_en", "axes")
    filter_horizontal = ("axes",)


class SessionInline(ReferenceZoneInlineMixin, admin.TabularInline):
    formfield_overrides = HTTPS_URL_FIELDS
    model = Session
    extra = 0
    fields = ("number", "label_es", "title_es", "start", "end", "conference_url")
    show_change_link = True


@admin.register(Workshop)
class WorkshopAdmin(ReferenceZoneAdminMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    zone_path = "time_zone"

    list_display = (
        "title_es",
        "organiser",
        "modality",
        "reference_zone_display",
        "agenda_status",
        "is_published",
        "session_count",
    )
    list_filter = ("agenda_status", "modality", "is_published", "time_zone_confirmed")
    list_select_related = ("organiser",)
    search_fields = ("title_es", "title_en", "slug")
    ordering = ("-id",)
    prepopulated_fields = {"slug": ("title_es",)}
    autocomplete_fields = ("organiser",)
    inlines = (WorkshopPartnerInline, ObjectiveInline, AxisInline, SessionInline)
    fieldsets = (
        (None, {"fields": ("slug", "title_es", "title_en", "organiser", "is_published")}),
        (
            _("Formato y horario"),
            {
                "fields": (
                    "modality",
                    "format_es",
                    "format_en",
                    "time_zone",
                    "time_zone_confirmed",
                    "agenda_status",
                    "webinar_url",
                )
            },
        ),
        (
            _("Contenido"),
            {
                "classes": ("collapse",),
                "fields": (
                    "methodology_es",
                    "methodology_en",
                    "target_audience_es",
                    "target_audience_en",
                    "expected_outcome_es",
                    "expected_outcome_en",
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sessions_total=Count("sessions"))

    @admin.display(description=_("zona horaria de referencia"), ordering="time_zone")
    def reference_zone_display(self, obj) -> str:
        if obj.time_zone_confirmed:
            return obj.time_zone
        return gettext("%(zone)s (sin confirmar)") % {"zone": obj.time_zone}

    @admin.display(description=_("sesiones"), ordering="sessions_total")
    def session_count(self, obj) -> int:
        return obj.sessions_total


@admin.register(Axis)
class AxisAdmin(admin.ModelAdmin):
    list_display = ("number", "title_es", "prioritised", "workshop")
    list_filter = ("workshop", "prioritised")
    list_select_related = ("workshop",)
    search_fields = ("title_es", "title_en")
    ordering = ("workshop", "number")
    autocomplete_fields = ("workshop",)


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("order", "short_text", "workshop")
    list_filter = ("workshop",)
    list_select_related = ("workshop",)
    search_fields = ("text_es", "text_en")
    ordering = ("workshop", "order")
    autocomplete_fields = ("workshop",)
    filter_horizontal = ("axes",)

    @admin.display(description=_("texto (español)"), ordering="text_es")
    def short_text(self, obj) -> str:
        return obj.text_es[:100]


# --- Sessions and agenda blocks ---------------------------------------------------------------


class AgendaItemInline(ReferenceZoneInlineMixin, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ("order", "start", "end", "kind", "secondary_kind", "title_es", "title_en")
    show_change_link = True


@admin.register(Session)
class SessionAdmin(ReferenceZoneAdminMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"

    list_display = ("number", "title_es", "schedule", "duration", "item_count", "workshop")
    list_display_links = ("number", "title_es")
    list_filter = ("workshop",)
    list_select_related = ("workshop",)
    search_fields = ("title_es", "title_en", "label_es")
    ordering = ("workshop", "number")
    autocomplete_fields = ("workshop",)
    filter_horizontal = ("axes",)
    inlines = (AgendaItemInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(items_total=Count("items"))

    @admin.display(description=_("horario"), ordering="start")
    def schedule(self, obj) -> str:
        return format_dated_span(obj.start, obj.end, obj.workshop.time_zone)

    @admin.display(description=_("duración"))
    def duration(self, obj) -> str:
        return minutes_label(obj.duration_minutes)

    @admin.display(description=_("bloques"), ordering="items_total")
    def item_count(self, obj) -> int:
        return obj.items_total


class SegmentInline(admin.StackedInline):
    model = Segment
    extra = 0
    fields = ("order", "title_es", "title_en", "duration_minutes", "countries")
    autocomplete_fields = ("countries",)
    show_change_link = True


class BlockParticipationInline(admin.TabularInline):
    """Speakers and moderators of the block as a whole."""

    model = Participation
    fk_name = "agenda_item"
    extra = 0
    fields = ("order", "role", "speaker", "status")
    autocomplete_fields = ("speaker",)
    verbose_name = _("ponente o moderación del bloque")
    verbose_name_plural = _("ponentes y moderación del bloque")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker__organisation")


@admin.register(AgendaItem)
class AgendaItemAdmin(ReferenceZoneAdminMixin, admin.ModelAdmin):
    zone_path = "session__workshop__time_zone"
    parent_field = "session"
    parent_zone_path = "workshop__time_zone"

    list_display = ("order", "title_es", "schedule", "duration", "kind", "session")
    list_display_links = ("order", "title_es")
    list_filter = ("session__workshop", "session", "kind")
    list_select_related = ("session__workshop",)
    search_fields = ("title_es", "title_en", "session__title_es")
    ordering = ("session__workshop", "session__number", "order")
    autocomplete_fields = ("session",)
    inlines = (SegmentInline, BlockParticipationInline)

    @admin.display(description=_("horario"), ordering="start")
    def schedule(self, obj) -> str:
        return format_time_span(obj.start, obj.end, obj.session.workshop.time_zone)

    @admin.display(description=_("duración"))
    def duration(self, obj) -> str:
        return minutes_label(obj.duration_minutes)


class SegmentParticipationInline(admin.TabularInline):
    """Who presents this segment."""

    model = Participation
    fk_name = "segment"
    extra = 0
    fields = ("order", "role", "speaker", "status")
    autocomplete_fields = ("speaker",)
    verbose_name = _("presentación")
    verbose_name_plural = _("quién presenta")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["role"].initial = Participation.Role.PRESENTER
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker__organisation")


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("order", "title_es", "stated_duration", "agenda_item")
    list_display_links = ("order", "title_es")
    list_filter = ("agenda_item__session__workshop", "agenda_item__session")
    list_select_related = ("agenda_item__session__workshop",)
    search_fields = ("title_es", "title_en")
    ordering = ("agenda_item__session__number", "agenda_item__order", "order")
    autocomplete_fields = ("agenda_item", "countries")
    inlines = (SegmentParticipationInline,)

    @admin.display(description=_("duración indicada"), ordering="duration_minutes")
    def stated_duration(self, obj) -> str:
        if obj.duration_minutes is None:
            return gettext("No indicada")
        return minutes_label(obj.duration_minutes)


# --- Speakers ---------------------------------------------------------------------------------


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "position_es", "organisation", "representing", "email")
    list_filter = ("organisation__kind",)
    list_select_related = ("organisation", "representing")
    search_fields = (
        "name",
        "position_es",
        "position_en",
        "email",
        "organisation__name_es",
        "organisation__acronym_es",
    )
    ordering = ("name", "organisation__name_es")
    autocomplete_fields = ("organisation", "representing")


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("role", "speaker", "status", "placement", "order")
    list_filter = ("role", "status", "agenda_item__session")
    list_select_related = (
        "speaker__organisation",
        "agenda_item__session__workshop",
        "segment__agenda_item",
    )
    search_fields = ("speaker__name", "speaker__organisation__name_es", "agenda_item__title_es")
    ordering = ("agenda_item__session__number", "agenda_item__order", "order", "id")
    autocomplete_fields = ("agenda_item", "segment", "speaker")

    @admin.display(description=_("lugar en la agenda"))
    def placement(self, obj) -> str:
        if obj.segment_id:
            return gettext("Intervención: %(title)s") % {"title": obj.segment.title}
        item = obj.agenda_item
        span = format_time_span(item.start, item.end, item.session.workshop.time_zone)
        return f"{item.title}, {span}"
