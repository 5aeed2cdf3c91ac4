"""Shared pieces of the Secretaría's admin: times named with their zone, and the MFA gate.

The admin stays ``django.contrib.admin.site``; what every app's ``admin.py`` shares lives
here: formatting of times in a workshop's reference zone (the changelists never show a bare
UTC time), a mixin that makes change forms read and write times in that zone, and
``AdminMFAMiddleware``, which keeps staff without a second factor out of ``/admin/``.
"""

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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


# --- MFA for staff ----------------------------------------------------------------------------

MFA_REQUIRED_MESSAGE = _(
    "Para entrar en la administración debe activar la verificación en dos pasos: "
    "los datos de las delegaciones solo se gestionan con un segundo factor. "
    "Configure una aplicación de autenticación y vuelva a intentarlo."
)
MFA_REAUTHENTICATE_MESSAGE = _(
    "Su sesión no se inició con la verificación en dos pasos. "
    "Confirme el código de su aplicación de autenticación para entrar en la administración."
)


def session_used_mfa(request: HttpRequest) -> bool:
    """True when this session's sign-in (or a re-authentication) included a second factor."""
    from allauth.account.authentication import get_authentication_records

    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


class AdminMFAMiddleware:
    """Keeps ``/admin/`` behind a second factor when ``ADMIN_REQUIRE_MFA`` is on.

    - Anonymous visitors of the admin login go to allauth's login, whose MFA stage asks
      for the code; the admin's own password-only form is never used.
    - Staff without an authenticator are sent, with an explanation, to set one up.
    - Staff with an authenticator whose session did not use it (signed in before setting
      it up, or through another door) confirm a code first.

    Must come after ``AuthenticationMiddleware`` and ``MessageMiddleware``.
    """

    exempt_views = frozenset({"logout"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or "admin" not in match.namespaces:
            return None
        if match.url_name in self.exempt_views:
            return None
        user = request.user
        if not user.is_authenticated:
            # Accounts sign in by e-mail through allauth (rate limits, MFA stage), with or
            # without the MFA requirement; the admin's username form is never used.
            if match.url_name == "login":
                return self._redirect_to_login(request)
            return None
        if not getattr(settings, "ADMIN_REQUIRE_MFA", True):
            return None
        if not (user.is_active and user.is_staff):
            return None  # the admin itself refuses them

        from allauth.mfa.utils import is_mfa_enabled

        if not is_mfa_enabled(user):
            messages.warning(request, MFA_REQUIRED_MESSAGE)
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not session_used_mfa(request):
            messages.info(request, MFA_REAUTHENTICATE_MESSAGE)
            next_url = self._next_url(request, default=request.get_full_path())
            return HttpResponseRedirect(
                f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}"
            )
        return None

    def _next_url(self, request, default: str) -> str:
        candidate = request.POST.get("next") or request.GET.get("next")
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return default

    def _redirect_to_login(self, request) -> HttpResponseRedirect:
        next_url = self._next_url(request, default=reverse("admin:index"))
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


# --- Optimistic locking in change forms -------------------------------------------------------


class VersionCheckedForm(forms.ModelForm):
    """A change form for a model with a ``version`` counter (Answer, Agreement).

    The version the form was opened with travels in a hidden field; if somebody saved the
    row since (a delegation, the moderator console), the form refuses to overwrite it.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        expected = cleaned_data.get("expected_version")
        if self.instance.pk and expected is not None:
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != expected:
                raise forms.ValidationError(
                    _(
                        "Otra persona guardó este registro mientras lo editaba (versión "
                        "%(current)s; usted partió de la %(expected)s). Vuelva a abrirlo "
                        "para ver los cambios antes de guardar."
                    ),
                    code="stale_version",
                    params={"current": current, "expected": expected},
                )
        return cleaned_data


class VersionedAdminMixin:
    """Every admin save of an existing row bumps ``version`` so stale editors notice."""

    form = VersionCheckedForm

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
