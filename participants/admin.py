"""Admin for people: users, countries, organisations, delegations, registrations, invitations."""

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.admin import EmailConfirmationAdmin as AllauthEmailConfirmationAdmin
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm as DjangoUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agenda.models import Session
from crm_workshop.admin import ReferenceZoneAdminMixin, format_moment
from participants.admin_attendance import AttendanceAdminViews, AttendanceForm
from participants.models import (
    Attendance,
    AttendanceReport,
    Country,
    Delegation,
    Invitation,
    Organisation,
    Participant,
    User,
)
from participants.rules import ACCOUNT_POWER_FIELDS, can_edit_account, can_manage_accounts
from participants.services import invitation_queue

# --- Users ------------------------------------------------------------------------------------


class UserCreationForm(DjangoUserCreationForm):
    class Meta(DjangoUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UserChangeForm(DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferencias"), {"fields": ("time_zone", "language")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = (
        "email",
        "username",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "has_mfa",
        "language",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "language", "groups")
    search_fields = ("email", "username", "first_name", "last_name")
    ordering = ("email",)

    # Accounts' powers are a superuser's (participants.rules), whatever permissions another
    # staff member holds: she may only correct a participant's name and preferences.

    def has_add_permission(self, request):
        return can_manage_accounts(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can_edit_account(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage_accounts(request.user) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if can_manage_accounts(request.user):
            return readonly
        return (*readonly, *ACCOUNT_POWER_FIELDS, "last_login", "date_joined")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_manage_accounts(request.user):
            return fieldsets
        # Shown read-only the password field would print its hash; passwords are a superuser's.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def user_change_password(self, request, id, form_url=""):
        if not can_manage_accounts(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(mfa_enabled=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"))))
        )

    @admin.display(description=_("verificación en dos pasos"), boolean=True, ordering="mfa_enabled")
    def has_mfa(self, obj) -> bool:
        return obj.mfa_enabled


class SuperusersOnlyAdminMixin:
    """An admin closed to every staff member who is not a superuser, whatever her permissions:
    groups and permissions grant powers, e-mail addresses and second factors open accounts."""

    def has_view_permission(self, request, obj=None):
        return can_manage_accounts(request.user)

    def has_add_permission(self, request):
        return can_manage_accounts(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_accounts(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_manage_accounts(request.user)


class GroupAdmin(SuperusersOnlyAdminMixin, DjangoGroupAdmin):
    pass


class EmailAddressAdmin(SuperusersOnlyAdminMixin, AllauthEmailAddressAdmin):
    pass


class EmailConfirmationAdmin(SuperusersOnlyAdminMixin, AllauthEmailConfirmationAdmin):
    pass


class AuthenticatorAdmin(SuperusersOnlyAdminMixin, AllauthAuthenticatorAdmin):
    pass


def _replace_registration(model, model_admin) -> None:
    """Put ``model_admin`` in place of the admin django.contrib.auth or allauth registered
    (their admin modules load first: INSTALLED_APPS order)."""
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)


_replace_registration(Group, GroupAdmin)
_replace_registration(EmailAddress, EmailAddressAdmin)
_replace_registration(EmailConfirmation, EmailConfirmationAdmin)  # only registered without HMAC
_replace_registration(Authenticator, AuthenticatorAdmin)


# --- Countries and organisations --------------------------------------------------------------


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso_code", "name_es", "name_en", "crm_status", "time_zone", "working_language")
    list_filter = ("crm_status", "working_language")
    search_fields = ("iso_code", "name_es", "name_en")
    ordering = ("name_es",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_es", "acronym_es", "code", "kind", "parent", "country")
    list_filter = ("kind", "country")
    list_select_related = ("parent", "country")
    search_fields = ("code", "name_es", "name_en", "acronym_es", "acronym_en")
    ordering = ("name_es",)
    autocomplete_fields = ("parent", "country")


# --- Delegations and their members ------------------------------------------------------------


class DelegationMemberForm(forms.ModelForm):
    """A member of a delegation: the workshop is the delegation's, never typed twice."""

    class Meta:
        model = Participant
        fields = ("user", "role", "institution", "position", "profile", "registration_status")

    def _get_validation_exclusions(self):
        # The workshop is set below, so "one registration per user and workshop" is checked
        # here as a form error rather than failing at the database.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("workshop")
        return exclusions

    def _post_clean(self):
        delegation = self.instance.delegation  # set by the inline formset, maybe unsaved
        if delegation is not None and delegation.workshop_id:
            self.instance.workshop_id = delegation.workshop_id
        super()._post_clean()


class DelegationMemberInline(admin.TabularInline):
    model = Participant
    form = DelegationMemberForm
    fk_name = "delegation"
    extra = 0
    autocomplete_fields = ("user",)
    show_change_link = True
    verbose_name = _("integrante")
    verbose_name_plural = _("integrantes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("country", "workshop", "focal_point", "member_count")
    list_filter = ("workshop", "country__crm_status")
    list_select_related = ("country", "workshop", "focal_point")
    search_fields = ("country__name_es", "country__name_en", "country__iso_code")
    ordering = ("workshop", "country__name_es")
    autocomplete_fields = ("workshop", "country", "focal_point")
    inlines = (DelegationMemberInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_total=Count("members"))

    @admin.display(description=_("integrantes"), ordering="members_total")
    def member_count(self, obj) -> int:
        return obj.members_total


# --- Registrations ----------------------------------------------------------------------------


@admin.register(Participant)
class ParticipantAdmin(ReferenceZoneAdminMixin, admin.ModelAdmin):
    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"

    list_display = (
        "user",
        "email",
        "role",
        "where",
        "profile",
        "registration_status",
        "registered",
        "workshop",
    )
    list_filter = ("registration_status", "role", "profile", "workshop", "delegation__country")
    list_select_related = ("user", "workshop", "delegation__country", "organisation")
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "institution",
        "position",
        "delegation__country__name_es",
    )
    ordering = ("workshop", "delegation__country__name_es", "user__last_name")
    autocomplete_fields = ("user", "workshop", "delegation", "organisation")
    readonly_fields = ("registered_at", "reviewed_at", "reviewed_by")
    actions = ("approve_registrations", "reject_registrations")

    @admin.display(description=_("correo electrónico"), ordering="user__email")
    def email(self, obj) -> str:
        return obj.user.email

    @admin.display(description=_("delegación u organización"))
    def where(self, obj) -> str:
        if obj.delegation_id:
            return str(obj.delegation.country)
        return str(obj.organisation) if obj.organisation_id else "—"

    @admin.display(description=_("inscrito/a el"), ordering="registered_at")
    def registered(self, obj) -> str:
        return format_moment(obj.registered_at, obj.workshop.time_zone)

    def _review(self, request, queryset, status) -> int:
        return queryset.exclude(registration_status=status).update(
            registration_status=status, reviewed_at=timezone.now(), reviewed_by=request.user
        )

    @admin.action(description=_("Aprobar las inscripciones seleccionadas"), permissions=["change"])
    def approve_registrations(self, request, queryset):
        count = self._review(request, queryset, Participant.RegistrationStatus.APPROVED)
        self.message_user(
            request,
            ngettext(
                "Se aprobó %(count)d inscripción.", "Se aprobaron %(count)d inscripciones.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Rechazar las inscripciones seleccionadas"), permissions=["change"])
    def reject_registrations(self, request, queryset):
        count = self._review(request, queryset, Participant.RegistrationStatus.REJECTED)
        self.message_user(
            request,
            ngettext(
                "Se rechazó %(count)d inscripción.", "Se rechazaron %(count)d inscripciones.", count
            )
            % {"count": count},
            messages.WARNING,
        )


# --- Invitations and attendance ---------------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(ReferenceZoneAdminMixin, admin.ModelAdmin):
    zone_path = "workshop__time_zone"
    parent_field = "workshop"
    parent_zone_path = "time_zone"

    list_display = (
        "email",
        "full_name",
        "role",
        "delegation",
        "status",
        "attempts",
        "error",
        "sent",
        "workshop",
    )
    list_filter = ("status", "role", "language", "workshop")
    list_select_related = ("workshop", "delegation__country")
    search_fields = ("email", "full_name", "delegation__country__name_es")
    ordering = ("-created_at",)
    autocomplete_fields = ("workshop", "delegation", "organisation")
    actions = ("requeue_failed",)
    # The status follows the outbox (queued → sent/failed → accepted); editing it by hand
    # could mark an invitation "sent" that never left. Failed ones are re-queued by the action.
    readonly_fields = (
        "token",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "created_by",
        "sent_at",
        "accepted_at",
    )

    @admin.display(description=_("último error"))
    def error(self, obj) -> str:
        return Truncator(obj.last_error).chars(120) if obj.last_error else "—"

    @admin.display(description=_("enviada el"), ordering="sent_at")
    def sent(self, obj) -> str:
        return format_moment(obj.sent_at, obj.workshop.time_zone)

    @admin.action(description=_("Volver a poner en cola las invitaciones fallidas"))
    def requeue_failed(self, request, queryset):
        failed = list(queryset.filter(status=Invitation.Status.FAILED))
        count = Invitation.objects.filter(pk__in=[i.pk for i in failed]).update(
            status=Invitation.Status.QUEUED, attempts=0
        )
        for invitation in failed:
            invitation_queue(invitation=invitation)  # sent after commit; else the sweep does
        self.message_user(
            request,
            ngettext(
                "%(count)d invitación fallida vuelve a estar en cola.",
                "%(count)d invitaciones fallidas vuelven a estar en cola.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            invitation_queue(invitation=obj)  # a new invitation leaves at once, not at the sweep


# --- Attendance (helper "attend") ---------------------------------------------------------------


@admin.register(Attendance)
class AttendanceAdmin(AttendanceAdminViews, ReferenceZoneAdminMixin, admin.ModelAdmin):
    """Attendance records, one per participant and session, with two ways to fill them that
    the change list links to: "record a session" (tick the approved participants) and "upload
    the platform's report" (``participants.attendance``)."""

    zone_path = "session__workshop__time_zone"
    parent_field = "session"
    parent_zone_path = "workshop__time_zone"
    form = AttendanceForm
    change_list_template = "admin/participants/attendance/change_list.html"
    list_display = (
        "participant",
        "where",
        "session",
        "attended",
        "source",
        "connected",
        "minutes",
        "recorded",
        "recorded_by",
    )
    list_filter = ("attended", "source", "session__workshop", "session")
    list_select_related = (
        "participant__user",
        "participant__delegation__country",
        "participant__organisation",
        "session__workshop",
        "recorded_by",
    )
    search_fields = (
        "participant__user__email",
        "participant__user__first_name",
        "participant__user__last_name",
        "participant__delegation__country__name_es",
    )
    ordering = ("session", "participant__user__last_name")
    autocomplete_fields = ("participant", "session")
    fields = ("session", "participant", "attended", "source", "joined_at", "left_at", "minutes")
    readonly_fields = ("source",)
    list_per_page = 100

    @admin.display(description=_("delegación u organización"))
    def where(self, obj) -> str:
        if obj.participant.delegation_id:
            return str(obj.participant.delegation.country)
        return str(obj.participant.organisation) if obj.participant.organisation_id else "—"

    @admin.display(description=_("conectado/a"), ordering="joined_at")
    def connected(self, obj) -> str:
        if obj.joined_at is None and obj.left_at is None:
            return "—"
        zone = obj.session.workshop.time_zone
        return (
            f"{format_moment(obj.joined_at, zone)} \N{EN DASH} {format_moment(obj.left_at, zone)}"
        )

    @admin.display(description=_("registrada el"), ordering="recorded_at")
    def recorded(self, obj) -> str:
        return format_moment(obj.recorded_at, obj.session.workshop.time_zone)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "session" not in initial:
            sessions = list(Session.objects.values_list("pk", flat=True)[:2])
            if len(sessions) == 1:
                initial["session"] = sessions[0]
        return initial

    def save_model(self, request, obj, form, change):
        # A record saved here is staff's word: it is manual, and a later report keeps it.
        obj.source = Attendance.Source.MANUAL
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AttendanceReport)
class AttendanceReportAdmin(admin.ModelAdmin):
    """Uploaded participant reports, read-only: what each upload matched and what it did not."""

    list_display = (
        "file_name",
        "session",
        "uploaded",
        "uploaded_by",
        "rows_total",
        "rows_matched",
        "unmatched_count",
    )
    list_filter = ("session__workshop", "session")
    list_select_related = ("session__workshop", "uploaded_by")
    ordering = ("-uploaded_at",)
    fields = (
        "session",
        "file_name",
        "uploaded",
        "uploaded_by",
        "rows_total",
        "rows_matched",
        "unmatched_rows",
    )
    readonly_fields = fields

    @admin.display(description=_("subido el"), ordering="uploaded_at")
    def uploaded(self, obj) -> str:
        return format_moment(obj.uploaded_at, obj.session.workshop.time_zone)

    @admin.display(description=_("filas sin participante"))
    def unmatched_count(self, obj) -> int:
        return len(obj.unmatched)

    @admin.display(description=_("filas sin participante"))
    def unmatched_rows(self, obj) -> str:
        return render_to_string(
            "admin/participants/attendance/_unmatched.html", {"rows": obj.unmatched}
        )

    def has_add_permission(self, request) -> bool:
        return False  # reports come from the upload page of attendance

    def has_change_permission(self, request, obj=None) -> bool:
        return False
