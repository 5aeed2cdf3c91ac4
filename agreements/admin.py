"""Admin for agreements (with their history) and the minutes."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import Agreement, Minutes
from crm_workshop.admin import (
    ReferenceZoneAdminMixin,
    format_moment,
)
from crm_workshop.forms import VersionCheckedForm, VersionedAdminMixin


@admin.register(Agreement)
class AgreementAdmin(VersionedAdminMixin, ReferenceZoneAdminMixin, SimpleHistoryAdmin):
    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"
    form = VersionCheckedForm

    list_display = (
        "number",
        "short_text",
        "session",
        "axis",
        "responsible",
        "term",
        "status",
        "follow_up_status",
        "version",
    )
    list_display_links = ("number", "short_text")
    list_filter = ("workshop", "session", "status", "term", "follow_up_status", "axis")
    list_select_related = ("session", "axis")
    search_fields = ("text_es", "text_en")
    ordering = ("workshop", "number")
    autocomplete_fields = (
        "workshop",
        "session",
        "agenda_item",
        "axis",
        "responsible_countries",
        "responsible_organisations",
    )
    readonly_fields = ("version", "created_at", "created_by", "updated_at", "updated_by")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("responsible_countries", "responsible_organisations")
        )

    @admin.display(description=_("texto del acuerdo"), ordering="text_es")
    def short_text(self, obj) -> str:
        return obj.text[:90]

    @admin.display(description=_("responsables"))
    def responsible(self, obj) -> str:
        names = [country.iso_code for country in obj.responsible_countries.all()]
        names += [organisation.short_name for organisation in obj.responsible_organisations.all()]
        return ", ".join(names) or "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Minutes)
class MinutesAdmin(ReferenceZoneAdminMixin, admin.ModelAdmin):
    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"

    list_display = (
        "version",
        "workshop",
        "status",
        "render_status",
        "generated",
        "issued",
        "short_sha256",
    )
    list_filter = ("status", "render_status", "workshop")
    list_select_related = ("workshop",)
    search_fields = ("sha256", "workshop__title_es")
    ordering = ("workshop", "-version")
    autocomplete_fields = ("workshop",)
    # Rendering and issuing run through the minutes service (it stores the PDF's hash and
    # e-mails the issued version); the admin shows their outcome.
    readonly_fields = (
        "status",
        "render_status",
        "sha256",
        "error",
        "requested_at",
        "generated_at",
        "generated_by",
        "issued_at",
    )

    @admin.display(description=_("generada el"), ordering="generated_at")
    def generated(self, obj) -> str:
        return format_moment(obj.generated_at, obj.workshop.time_zone)

    @admin.display(description=_("emitida el"), ordering="issued_at")
    def issued(self, obj) -> str:
        return format_moment(obj.issued_at, obj.workshop.time_zone)

    @admin.display(description=_("SHA-256"), ordering="sha256")
    def short_sha256(self, obj) -> str:
        return f"{obj.sha256[:12]}…" if obj.sha256 else gettext("(sin generar)")
