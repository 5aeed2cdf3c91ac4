"""The attendance admin's own pages: record a session by ticking people, upload a report.

Kept out of ``participants/admin.py`` (which registers the models) so that file stays a list of
``ModelAdmin`` classes; the writing is in ``participants.attendance``.
"""

import datetime as dt
import zoneinfo

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agenda.models import Session
from crm_workshop.admin import format_dated_span
from crm_workshop.timezones import validate_iana_zone
from participants.attendance import (
    AttendanceFileError,
    attendance_record_manual,
    attendance_report_check_size,
    attendance_report_read,
    attendance_report_record,
    preview_dumps,
    preview_loads,
)
from participants.models import Attendance, AttendanceReport, Participant


def _local(value, zone_name: str) -> str:
    """``"2022-06-14 10:02"`` in ``zone_name`` (the column header names the zone)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{value.astimezone(zoneinfo.ZoneInfo(zone_name)):%Y-%m-%d %H:%M}"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        span = format_dated_span(obj.start, obj.end, obj.workshop.time_zone)
        return f"{obj.display_label}: {obj.title} — {span}"


def _sessions():
    return Session.objects.select_related("workshop").order_by("-workshop_id", "number")


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ("session", "participant", "attended", "joined_at", "left_at", "minutes")

    def clean(self):
        cleaned = super().clean()
        session, participant = cleaned.get("session"), cleaned.get("participant")
        if session and participant and participant.workshop_id != session.workshop_id:
            self.add_error(
                "participant", _("Esta persona no participa en el taller de esa sesión.")
            )
        joined, left = cleaned.get("joined_at"), cleaned.get("left_at")
        if joined and left and left < joined:
            self.add_error("left_at", _("La salida no puede ser anterior a la entrada."))
        return cleaned


class ReportUploadForm(forms.Form):
    session = SessionChoiceField(label=_("Sesión"), queryset=Session.objects.none())
    report = forms.FileField(
        label=_("Informe de participantes (CSV)"),
        help_text=_(
            "El CSV que exporta Zoom, Teams o Webex: nombre, correo electrónico, hora de "
            "entrada, hora de salida y duración en minutos."
        ),
    )
    time_zone = forms.CharField(
        label=_("Zona horaria de las horas del archivo"),
        required=False,
        max_length=64,
        validators=[validate_iana_zone],
        help_text=_(
            "Zona IANA, p. ej. America/El_Salvador. Las plataformas no escriben la zona; vacío: "
            "la zona de referencia del taller."
        ),
    )
    date_order = forms.ChoiceField(
        label=_("Orden de las fechas"),
        choices=(
            ("mdy", _("Mes/día/año (Zoom, Webex y Teams en inglés)")),
            ("dmy", _("Día/mes/año (Teams y Webex en español)")),
        ),
        initial="mdy",
        help_text=_("Las fechas AAAA-MM-DD se leen siempre bien."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = _sessions()


class ReportConfirmForm(forms.Form):
    preview = forms.CharField(widget=forms.HiddenInput)
    only_valid = forms.BooleanField(
        label=_("Registrar solo las filas válidas (las filas con errores quedan anotadas)"),
        required=False,
    )


class AttendanceAdminViews:
    """URLs added to ``AttendanceAdmin``: ``record/`` and ``upload/`` (+ ``upload/<id>/``)."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("record/", wrap(self.record_view), name="participants_attendance_record"),
            path("upload/", wrap(self.upload_view), name="participants_attendance_upload"),
            path(
                "upload/<int:report_id>/",
                wrap(self.upload_result_view),
                name="participants_attendance_upload_result",
            ),
            *super().get_urls(),
        ]

    def _require_write(self, request) -> None:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    # --- Record a session by hand ---------------------------------------------------------

    def record_view(self, request):
        self._require_write(request)
        sessions = list(_sessions())
        session = None
        chosen = request.POST.get("session") or request.GET.get("session")
        if chosen and str(chosen).isdigit():
            session = next((s for s in sessions if s.pk == int(chosen)), None)
        if session is None and len(sessions) == 1:
            session = sessions[0]
        if request.method == "POST" and session is not None:
            attended = {int(pk) for pk in request.POST.getlist("attended") if pk.isdigit()}
            present, absent = attendance_record_manual(
                session=session, attended_ids=attended, user=request.user
            )
            self.message_user(
                request,
                _("%(session)s: %(present)s marcadas como presentes, %(absent)s como ausentes.")
                % {"session": session.display_label, "present": present, "absent": absent},
                messages.SUCCESS,
            )
            url = reverse("admin:participants_attendance_record")
            return HttpResponseRedirect(f"{url}?session={session.pk}")
        rows = []
        if session is not None:
            records = {
                attendance.participant_id: attendance
                for attendance in Attendance.objects.filter(session=session)
            }
            participants = (
                Participant.objects.filter(
                    workshop_id=session.workshop_id,
                    registration_status=Participant.RegistrationStatus.APPROVED,
                )
                .select_related("user", "delegation__country", "organisation")
                .order_by(
                    "delegation__country__name_es",
                    "organisation__name_es",
                    "user__last_name",
                    "user__first_name",
                )
            )
            rows = [
                {"participant": participant, "attendance": records.get(participant.pk)}
                for participant in participants
            ]
        return TemplateResponse(
            request,
            "admin/participants/attendance/record.html",
            self._context(
                request,
                _("Registrar la asistencia de una sesión"),
                sessions=[
                    (option, SessionChoiceField.label_from_instance(None, option))
                    for option in sessions
                ],
                session=session,
                rows=rows,
                attended_count=sum(
                    1 for row in rows if row["attendance"] and row["attendance"].attended
                ),
            ),
        )

    # --- Upload the platform's report -----------------------------------------------------

    def upload_view(self, request):
        self._require_write(request)
        if request.method == "POST" and "preview" in request.POST:
            return self._confirm(request)
        form = ReportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            session = form.cleaned_data["session"]
            upload = form.cleaned_data["report"]
            zone_name = form.cleaned_data["time_zone"] or session.workshop.time_zone
            try:
                attendance_report_check_size(size=upload.size)  # before reading it
                preview = attendance_report_read(
                    session=session,
                    file_name=upload.name,
                    data=upload.read(),
                    zone_name=zone_name,
                    date_order=form.cleaned_data["date_order"],
                )
            except AttendanceFileError as error:
                form.add_error("report", str(error))
            else:
                confirm = ReportConfirmForm(initial={"preview": preview_dumps(preview)})
                return self._preview_response(request, preview, session, confirm)
        return TemplateResponse(
            request,
            "admin/participants/attendance/upload.html",
            self._context(
                request, _("Subir el informe de participantes de la plataforma"), form=form
            ),
        )

    def _preview_response(self, request, preview, session, confirm):
        zone = preview.zone_name
        people = [
            {
                "label": person.label,
                "email": person.email,
                "joined": _local(person.joined_at, zone),
                "left": _local(person.left_at, zone),
                "minutes": person.minutes,
                "rows": person.rows,
                "kept_manual": person.kept_manual,
            }
            for person in preview.people
        ]
        return TemplateResponse(
            request,
            "admin/participants/attendance/preview.html",
            self._context(
                request,
                _("Vista previa del informe de asistencia"),
                preview=preview,
                preview_people=people,
                session=session,
                confirm=confirm,
            ),
        )

    def _confirm(self, request):
        confirm = ReportConfirmForm(request.POST)
        if not confirm.is_valid():
            raise PermissionDenied
        try:
            preview = preview_loads(confirm.cleaned_data["preview"])
        except signing.BadSignature:
            self.message_user(
                request,
                _("La vista previa caducó o fue alterada. Vuelva a subir el archivo."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:participants_attendance_upload"))
        session = get_object_or_404(
            Session.objects.select_related("workshop"), pk=preview.session_id
        )
        if preview.invalid and not confirm.cleaned_data["only_valid"]:
            confirm.add_error(
                "only_valid",
                ngettext(
                    "El archivo tiene %(count)d fila con errores. Corrija el archivo o marque "
                    "esta casilla para registrar solo las filas válidas.",
                    "El archivo tiene %(count)d filas con errores. Corrija el archivo o marque "
                    "esta casilla para registrar solo las filas válidas.",
                    len(preview.invalid),
                )
                % {"count": len(preview.invalid)},
            )
            return self._preview_response(request, preview, session, confirm)
        report = attendance_report_record(preview=preview, user=request.user)
        return HttpResponseRedirect(
            reverse("admin:participants_attendance_upload_result", args=[report.pk])
        )

    def upload_result_view(self, request, report_id: int):
        self._require_write(request)
        report = get_object_or_404(
            AttendanceReport.objects.select_related("session__workshop", "uploaded_by"),
            pk=report_id,
        )
        zone = report.session.workshop.time_zone
        recorded = [
            {
                "attendance": attendance,
                "joined": _local(attendance.joined_at, zone),
                "left": _local(attendance.left_at, zone),
            }
            for attendance in Attendance.objects.filter(session=report.session, attended=True)
            .select_related("participant__user", "participant__delegation__country")
            .order_by("participant__delegation__country__name_es", "participant__user__last_name")
        ]
        return TemplateResponse(
            request,
            "admin/participants/attendance/result.html",
            self._context(
                request,
                _("Informe de asistencia registrado"),
                report=report,
                recorded=recorded,
                zone_name=zone,
            ),
        )
