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
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.results import RowResult

from agenda.models import Session
from agenda.selectors import current_workshop
from crm_workshop.admin import ReferenceZoneAdminMixin, format_moment
from participants.admin_attendance import AttendanceAdminViews, AttendanceForm
from participants.imports import (
    IMPORT_FORMATS,
    InvitationConfirmImportForm,
    InvitationImportForm,
    import_preview_rows,
)
from participants.models import (
    Attendance,
    AttendanceReport,
    Country,
    Delegation,
    Invitation,
    Notification,
    Organisation,
    Participant,
    User,
)
from participants.notifications import (
    notification_queue,
    registration_decision_notify,
    registration_review,
)
from participants.resources import InvitationExportResource, InvitationImportResource
from participants.rules import ACCOUNT_POWER_FIELDS, can_edit_account, can_manage_accounts
from participants.sending import invitation_progress
from participants.services import invitation_queue

PROGRESS_SESSION_KEY = "invitation_batch"
PROGRESS_BATCH_LIMIT = 5000  # ids kept in the session for the progress panel


def _current_or_none():
    try:
        return current_workshop()
    except Http404:
        return None


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


def _decision_in_form(request, participant: Participant, *, created: bool) -> bool:
    """True when saving ``participant`` from an admin form decides their registration:
    created already approved or rejected, or their status changed. Then ``reviewed_at`` and
    ``reviewed_by`` are set, and the caller announces it after saving
    (``registration_decision_notify``, once per decision).

    The admin saves in a transaction; the row lock makes a change announced once even when
    two members of staff save the same person at the same moment.
    """
    if created:
        previous = Participant.RegistrationStatus.PENDING
    else:
        previous = (
            Participant.objects.select_for_update(of=("self",))
            .filter(pk=participant.pk)
            .order_by()
            .values_list("registration_status", flat=True)
            .first()
        )
    if previous is None or previous == participant.registration_status:
        return False
    participant.reviewed_at = timezone.now()
    participant.reviewed_by = request.user
    return True


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

    def save_formset(self, request, form, formset, change):
        """Members whose registration is decided here are e-mailed, as from their own page."""
        decided = [
            member_form.instance
            for member_form in formset.forms
            if member_form.has_changed()
            and member_form not in formset.deleted_forms
            and isinstance(member_form.instance, Participant)
            and _decision_in_form(
                request, member_form.instance, created=member_form.instance.pk is None
            )
        ]
        super().save_formset(request, form, formset, change)
        if decided:
            registration_decision_notify(participants=decided)

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
        # One transaction: the new status and each changed person's e-mail (sent after commit).
        changed = registration_review(participants=queryset, status=status, reviewer=request.user)
        return len(changed)

    def save_model(self, request, obj, form, change):
        decided = _decision_in_form(request, obj, created=not change)
        super().save_model(request, obj, form, change)
        if decided:
            registration_decision_notify(participants=[obj])

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


# --- Notifications to participants ------------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The e-mails to participants, as the outbox sees them: read-only (a row is the proof
    that the person was told once; deleting it would let a reminder go out again), with an
    action that puts failed ones back in the queue."""

    list_display = (
        "participant",
        "email",
        "kind",
        "session",
        "status",
        "attempts",
        "error",
        "created",
        "sent",
    )
    list_filter = ("status", "kind", "session")
    list_select_related = (
        "participant__user",
        "participant__workshop",
        "participant__delegation__country",
        "participant__organisation",
        "session",
    )
    search_fields = ("participant__user__email", "participant__user__last_name", "dedupe_key")
    ordering = ("-created_at",)
    actions = ("requeue_failed",)
    fields = (
        "participant",
        "kind",
        "session",
        "dedupe_key",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's action needs "change"; a row's own page is only ever shown.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("correo electrónico"), ordering="participant__user__email")
    def email(self, obj) -> str:
        return obj.participant.user.email

    @admin.display(description=_("último error"))
    def error(self, obj) -> str:
        return Truncator(obj.last_error).chars(120) if obj.last_error else "—"

    @admin.display(description=_("creada el"), ordering="created_at")
    def created(self, obj) -> str:
        return format_moment(obj.created_at, obj.participant.workshop.time_zone)

    @admin.display(description=_("enviada el"), ordering="sent_at")
    def sent(self, obj) -> str:
        return format_moment(obj.sent_at, obj.participant.workshop.time_zone)

    @admin.action(
        description=_("Volver a poner en cola las notificaciones fallidas"), permissions=["change"]
    )
    def requeue_failed(self, request, queryset):
        failed = list(queryset.filter(status=Notification.Status.FAILED))
        count = Notification.objects.filter(
            pk__in=[n.pk for n in failed], status=Notification.Status.FAILED
        ).update(status=Notification.Status.QUEUED, attempts=0)
        for notification in failed:
            notification_queue(notification=notification)  # sent after commit; else the sweep
        self.message_user(
            request,
            ngettext(
                "%(count)d notificación fallida vuelve a estar en cola.",
                "%(count)d notificaciones fallidas vuelven a estar en cola.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# --- Invitations and attendance ---------------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(ImportExportMixin, ReferenceZoneAdminMixin, admin.ModelAdmin):
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
    list_select_related = ("workshop", "delegation__country", "organisation")
    search_fields = ("email", "full_name", "delegation__country__name_es")
    ordering = ("-created_at",)
    autocomplete_fields = ("workshop", "delegation", "organisation")
    actions = ("send_invitations", "requeue_failed")
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

    # Import (django-import-export): upload → preview of every row → confirm. The formats
    # read the content themselves (participants.imports); rows become drafts, sent later
    # by the "send invitations" action.
    resource_classes = (InvitationImportResource,)
    import_form_class = InvitationImportForm
    confirm_form_class = InvitationConfirmImportForm
    import_template_name = "admin/participants/invitation/import.html"
    import_export_change_list_template = "admin/participants/invitation/change_list.html"
    skip_admin_log = False

    def get_import_formats(self):
        return list(IMPORT_FORMATS)

    def get_export_formats(self):
        return [base_formats.CSV, base_formats.XLSX]

    def get_import_resource_classes(self, request):
        return [InvitationImportResource]

    def get_export_resource_classes(self, request):
        return [InvitationExportResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"workshop": current_workshop(), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        for name, empty in (
            ("result", None),
            ("confirm_form", None),
            ("valid_only_form", None),
            ("preview_rows", []),
            ("valid_count", 0),
            ("invalid_count", 0),
        ):
            context.setdefault(name, empty)
        result = context["result"]
        if result is not None and not result.has_errors():
            context["preview_rows"] = import_preview_rows(result)
            context["valid_count"] = sum(1 for row in context["preview_rows"] if row["valid"])
            context["invalid_count"] = len(result.invalid_rows)
            if result.has_validation_errors() and context["valid_count"]:
                # Offered, never default: the file has errors and staff choose to leave
                # those rows out.
                import_form = context["form"]
                context["valid_only_form"] = self.create_confirm_form(
                    request, import_form=import_form
                )
        return response

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None and "import_file_name" in initial:
            initial["valid_only"] = False
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        valid_only = bool(
            form is not None
            and getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("valid_only")
        )
        # A plain confirm writes all rows or none (a row may have become invalid since
        # the preview: someone invited that address meanwhile); "only the valid rows"
        # writes those, in one transaction.
        kwargs["rollback_on_validation_errors"] = not valid_only
        kwargs["use_transactions"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or (
            result.has_validation_errors() and not request.POST.get("valid_only")
        ):
            self.message_user(
                request,
                gettext(
                    "No se importó nada: el archivo tiene filas con errores que no estaban en "
                    "la vista previa. Vuelva a subirlo para revisarlas."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:participants_invitation_import"))
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        created = result.totals[RowResult.IMPORT_TYPE_NEW]
        left_out = result.totals[RowResult.IMPORT_TYPE_INVALID]
        message = ngettext(
            "Se importó %(count)d invitación como borrador (sin enviar).",
            "Se importaron %(count)d invitaciones como borradores (sin enviar).",
            created,
        ) % {"count": created}
        if left_out:
            message += " " + ngettext(
                "Se dejó fuera %(count)d fila con errores.",
                "Se dejaron fuera %(count)d filas con errores.",
                left_out,
            ) % {"count": left_out}
        self.message_user(request, message, messages.SUCCESS)

    # --- Sending and its progress ---------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "progress/",
                self.admin_site.admin_view(self.progress_view),
                name="participants_invitation_progress",
            ),
            *super().get_urls(),
        ]

    def _progress(self, request) -> dict:
        return invitation_progress(
            batch=request.session.get(PROGRESS_SESSION_KEY), workshop=_current_or_none()
        )

    def progress_view(self, request):
        """The counts of the last batch sent (else of the workshop) as JSON, for the panel's
        script; staff with the invitation view permission only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(self._progress(request))

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.has_view_permission(request):
            extra_context["progress"] = self._progress(request)
        return super().changelist_view(request, extra_context=extra_context)

    def response_action(self, request, queryset):
        # Django's changelist ignores an action the user may not run ("no action
        # selected"); sending is refused outright, so a forged POST gets a plain 403.
        if request.POST.get("action") == "send_invitations" and not self.has_change_permission(
            request
        ):
            raise PermissionDenied
        return super().response_action(request, queryset)

    @admin.action(
        description=_("Enviar las invitaciones seleccionadas (sin enviar o fallidas)"),
        permissions=["change"],
    )
    def send_invitations(self, request, queryset):
        sendable = (Invitation.Status.DRAFT, Invitation.Status.FAILED)
        selected = queryset.count()  # before the update: a list filtered to drafts shrinks
        with transaction.atomic():
            ids = list(
                queryset.filter(status__in=sendable)
                .select_for_update(of=("self",))
                .values_list("pk", flat=True)
            )
            count = Invitation.objects.filter(pk__in=ids, status__in=sendable).update(
                status=Invitation.Status.QUEUED, attempts=0, last_error=""
            )
            for invitation in Invitation.objects.filter(pk__in=ids).only("pk"):
                invitation_queue(invitation=invitation)  # after commit; else the sweep sends
        request.session[PROGRESS_SESSION_KEY] = ids[:PROGRESS_BATCH_LIMIT]
        skipped = selected - count
        self.message_user(
            request,
            ngettext(
                "%(count)d invitación en cola de envío.",
                "%(count)d invitaciones en cola de envío.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invitación seleccionada no se envió: ya estaba en cola, "
                    "enviada o aceptada.",
                    "%(count)d invitaciones seleccionadas no se enviaron: ya estaban en cola, "
                    "enviadas o aceptadas.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
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
