"""Admin for agreements (with their history), the sessions' records and the minutes.

A closed session's agreements are frozen in the admin too: a change, an addition or a
deletion touching a closed session is refused with the console's message (only reopening
the session, by staff with a reason, unfreezes them). Sessions' records are read-only here:
closing and reopening go through the console, which keeps who, when and why.
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import Agreement, Minutes, SessionRecord
from agreements.services import SessionClosedError
from crm_workshop.admin import (
    ReferenceZoneAdminMixin,
    format_moment,
)
from crm_workshop.forms import VersionCheckedForm, VersionedAdminMixin


def _closed_session_ids(session_ids) -> set:
    return set(
        SessionRecord.objects.filter(
            session_id__in=[pk for pk in session_ids if pk], closed_at__isnull=False
        ).values_list("session_id", flat=True)
    )


class AgreementAdminForm(VersionCheckedForm):
    """Refuses any save that touches a closed session: the agreement's stored session (a
    change) or the one chosen (an addition, or a move to another session)."""

    def clean(self):
        cleaned_data = super().clean()
        chosen = cleaned_data.get("session")
        stored = self.instance.session_id if self.instance.pk else None
        if _closed_session_ids([stored, getattr(chosen, "pk", None)]):
            raise forms.ValidationError(SessionClosedError.message, code="session_closed")
        return cleaned_data


@admin.register(Agreement)
class AgreementAdmin(VersionedAdminMixin, ReferenceZoneAdminMixin, SimpleHistoryAdmin):
    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"
    form = AgreementAdminForm

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

    def has_delete_permission(self, request, obj=None):
        # Per object: the bulk "delete selected" confirmation lists a closed session's
        # agreements as not deletable and deletes nothing.
        if obj is not None and _closed_session_ids([obj.session_id]):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        """A closed session's agreement: back to its page with the reason, not a bare 403."""
        session_id = (
            Agreement.objects.filter(pk=object_id).values_list("session_id", flat=True).first()
        )
        if session_id is not None and _closed_session_ids([session_id]):
            self.message_user(request, SessionClosedError.message, messages.ERROR)
            return redirect(reverse("admin:agreements_agreement_change", args=[object_id]))
        return super().delete_view(request, object_id, extra_context)


@admin.register(SessionRecord)
class SessionRecordAdmin(ReferenceZoneAdminMixin, SimpleHistoryAdmin):
    """Read-only: who closed and reopened each session, when and why, with the history."""

    zone_path = "session__workshop__time_zone"
    parent_field = "session"
    parent_zone_path = "workshop__time_zone"

    list_display = ("session", "state", "closed", "closed_by", "reopened", "reopened_by")
    list_select_related = ("session__workshop", "closed_by", "reopened_by")
    ordering = ("session__workshop", "session__number")
    fields = (
        "session",
        "closed_at",
        "closed_by",
        "reopened_at",
        "reopened_by",
        "reopen_reason",
        "revision",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("estado"))
    def state(self, obj) -> str:
        return pgettext("consola", "Cerrada") if obj.is_closed else pgettext("consola", "Abierta")

    @admin.display(description=_("cerrada el"), ordering="closed_at")
    def closed(self, obj) -> str:
        return format_moment(obj.closed_at, obj.session.workshop.time_zone)

    @admin.display(description=_("reabierta el"), ordering="reopened_at")
    def reopened(self, obj) -> str:
        return format_moment(obj.reopened_at, obj.session.workshop.time_zone)


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
