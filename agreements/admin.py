"""Admin for agreements (with their history) and the minutes."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
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
    """What was rendered and issued, read-only: versions are asked for, followed and issued
    on the staff page (``/staff/minutes/``), which stores the PDF's hash and e-mails the
    issued version; there is no upload box. An issued version cannot be changed or deleted
    here (nor anywhere: ``agreements.minutes.minutes_guard_save``); a draft may be deleted."""

    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"

    list_display = (
        "version",
        "workshop",
        "language",
        "status",
        "render_status",
        "page_count",
        "generated",
        "issued",
        "short_sha256",
        "links",
    )
    list_filter = ("status", "render_status", "language", "workshop")
    list_select_related = ("workshop",)
    search_fields = ("sha256", "workshop__title_es")
    ordering = ("workshop", "-version")
    readonly_fields = (
        "workshop",
        "version",
        "language",
        "status",
        "render_status",
        "progress",
        "attempts",
        "page_count",
        "sha256",
        "error",
        "requested_at",
        "requested_by",
        "started_at",
        "generated",
        "generated_by",
        "issued",
        "issued_by",
        "links",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == Minutes.Status.ISSUED:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action deletes drafts only; the issued ones in the selection stay.
        for minutes in queryset.exclude(status=Minutes.Status.ISSUED):
            minutes.delete()

    @admin.display(description=_("generada el"), ordering="generated_at")
    def generated(self, obj) -> str:
        return format_moment(obj.generated_at, obj.workshop.time_zone)

    @admin.display(description=_("emitida el"), ordering="issued_at")
    def issued(self, obj) -> str:
        return format_moment(obj.issued_at, obj.workshop.time_zone)

    @admin.display(description=_("SHA-256"), ordering="sha256")
    def short_sha256(self, obj) -> str:
        return f"{obj.sha256[:12]}…" if obj.sha256 else gettext("(sin generar)")

    @admin.display(description=_("enlaces"))
    def links(self, obj) -> str:
        page = reverse("staff:minutes_detail", args=[obj.pk])
        if obj.render_status != Minutes.RenderStatus.READY:
            return format_html('<a href="{}">{}</a>', page, _("ver en la página del acta"))
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            page,
            _("ver en la página del acta"),
            reverse("minutes:download", args=[obj.pk]),
            _("descargar el PDF"),
        )
