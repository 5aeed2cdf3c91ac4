"""Shared pieces of the Secretaría's admin: times named with their zone.

The admin stays ``django.contrib.admin.site``; what every app's ``admin.py`` shares lives
here: formatting of times in a workshop's reference zone (the changelists never show a bare
UTC time) and a mixin that makes change forms read and write times in that zone. Who may
sign in, and with which second factor, is ``crm_workshop.signin``.
"""

import datetime as dt
import zoneinfo

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

# --- Times in a reference zone ----------------------------------------------------------------


def format_time_span(start: dt.datetime, end: dt.datetime, zone_name: str) -> str:
    """``"10:00\N{EN DASH}10:20 (America/El_Salvador)"``: both ends in ``zone_name``, zone named.

    When the span crosses midnight in that zone the end carries its date too.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    end_format = "%H:%M" if local_start.date() == local_end.date() else "%Y-%m-%d %H:%M"
    return f"{local_start:%H:%M}\N{EN DASH}{local_end.strftime(end_format)} ({zone_name})"


def format_dated_span(start: dt.datetime, end: dt.datetime, zone_name: str) -> str:
    """``"2022-06-14 10:00\N{EN DASH}12:00 (America/El_Salvador)"``."""
    local_date = start.astimezone(zoneinfo.ZoneInfo(zone_name)).date()
    return f"{local_date:%Y-%m-%d} {format_time_span(start, end, zone_name)}"


def format_moment(value: dt.datetime | None, zone_name: str) -> str:
    """``"2022-06-10 23:59 (America/El_Salvador)"``, or ``"—"`` for no value."""
    if value is None:
        return "—"
    local = value.astimezone(zoneinfo.ZoneInfo(zone_name))
    return f"{local:%Y-%m-%d %H:%M} ({zone_name})"


class ReferenceZoneAdminMixin:
    """Change forms read and write date-times in the workshop's reference zone.

    Without this the admin would show and parse times in ``TIME_ZONE`` (UTC) without
    saying so, and a Secretaría member typing the agenda's "10:00" would store 10:00 UTC.

    ``zone_path`` is the ORM path from this model to the zone (``"session__workshop__time_zone"``).
    On an add form the zone comes from the parent chosen in the form (``parent_field`` and
    ``parent_zone_path``, e.g. ``"session"`` / ``"workshop__time_zone"``) or, failing that,
    from the only workshop there is. Every date-time field then says which zone it uses.
    """

    zone_path: str = ""
    parent_field: str = ""
    parent_zone_path: str = ""
    change_form_template = "admin/crm_workshop/reference_zone_change_form.html"

    def reference_zone(self, request: HttpRequest, object_id: str | None) -> str | None:
        if object_id is not None:
            zone = (
                self.model._default_manager.filter(pk=object_id)
                .values_list(self.zone_path, flat=True)
                .first()
            )
            if zone:
                return zone
        if self.parent_field:
            parent_id = request.POST.get(self.parent_field) or request.GET.get(self.parent_field)
            if parent_id and str(parent_id).isdigit():
                parent_model = self.model._meta.get_field(self.parent_field).related_model
                zone = (
                    parent_model._default_manager.filter(pk=parent_id)
                    .values_list(self.parent_zone_path, flat=True)
                    .first()
                )
                if zone:
                    return zone
        from agenda.models import Workshop

        # order_by(): Workshop's default ordering (-id) would make DISTINCT see one row per id.
        zones = list(Workshop.objects.order_by().values_list("time_zone", flat=True).distinct()[:2])
        return zones[0] if len(zones) == 1 else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self.reference_zone(request, object_id)
        request.admin_reference_zone = zone
        extra_context = {**(extra_context or {}), "reference_zone": zone}
        if zone is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # Render inside the zone: the template response is lazy.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        label_datetime_fields(form, getattr(request, "admin_reference_zone", None))
        return form


class ReferenceZoneInlineMixin:
    """Inline forms say which zone their date-times use (set by the parent's mixin)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        label_datetime_fields(formset.form, getattr(request, "admin_reference_zone", None))
        return formset


def label_datetime_fields(form_class, zone_name: str | None) -> None:
    """Append "Hora de <zone>." to every date-time field's help text of ``form_class``.

    ``modelform_factory`` builds a new class with its own ``base_fields`` on every call,
    so changing them here does not leak into other requests.
    """
    note = (
        gettext("Hora de %(zone)s.") % {"zone": zone_name}
        if zone_name
        else gettext("Hora UTC (no hay un taller del que tomar la zona de referencia).")
    )
    for field in form_class.base_fields.values():
        if isinstance(field, forms.SplitDateTimeField | forms.DateTimeField):
            field.help_text = f"{field.help_text} {note}".strip() if field.help_text else note
