"""Who takes part: countries, organisations, delegations, participants, invitations."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm_workshop.i18n import Localized
from crm_workshop.timezones import validate_iana_zone
from crm_workshop.validators import validate_single_line


class Language(models.TextChoices):
    SPANISH = "es", _("Español")
    ENGLISH = "en", _("Inglés")
    FRENCH = "fr", _("Francés")


class User(AbstractUser):
    """A person who signs in. E-mail is the login; the zone and language are preferences."""

    # Redeclared from AbstractUser only to refuse line breaks: names end up in mail headers.
    first_name = models.CharField(
        _("nombre"), max_length=150, blank=True, validators=[validate_single_line]
    )
    last_name = models.CharField(
        _("apellidos"), max_length=150, blank=True, validators=[validate_single_line]
    )
    email = models.EmailField(_("correo electrónico"), unique=True)
    time_zone = models.CharField(
        _("zona horaria"),
        max_length=64,
        blank=True,
        validators=[validate_iana_zone],
        help_text=_("Zona IANA en la que prefiere ver los horarios. Vacío: la de su país."),
    )
    language = models.CharField(
        _("idioma preferido"), max_length=2, choices=Language.choices[:2], default="es"
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.username


class Country(models.Model):
    class CrmStatus(models.TextChoices):
        MEMBER = "member", _("País Miembro")
        OBSERVER = "observer", _("País Observador")

    iso_code = models.CharField(_("código ISO"), max_length=2, primary_key=True)
    name_es = models.CharField(
        _("nombre (español)"), max_length=100, validators=[validate_single_line]
    )
    name_en = models.CharField(
        _("nombre (inglés)"), max_length=100, validators=[validate_single_line]
    )
    time_zone = models.CharField(
        _("zona horaria"),
        max_length=64,
        validators=[validate_iana_zone],
        help_text=_("Zona IANA de la capital, p. ej. America/Mexico_City."),
    )
    working_language = models.CharField(
        _("idioma de trabajo"), max_length=2, choices=Language.choices, default="es"
    )
    crm_status = models.CharField(
        _("condición en la CRM"), max_length=10, choices=CrmStatus.choices, default="member"
    )

    name = Localized("name")

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("país")
        verbose_name_plural = _("países")
        constraints = [
            models.CheckConstraint(
                condition=Q(iso_code__regex=r"^[A-Z]{2}$"), name="country_iso_code_two_capitals"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        REGIONAL_PROCESS = "regional_process", _("Proceso regional")
        INTERNATIONAL = "international", _("Organismo internacional")
        GOVERNMENT = "government", _("Institución de gobierno")
        CIVIL_SOCIETY = "civil_society", _("Sociedad civil")
        NETWORK = "network", _("Red")
        OTHER = "other", _("Otra")

    code = models.CharField(
        _("código"),
        max_length=32,
        unique=True,
        help_text=_("Identificador estable, p. ej. OIM, UNODC, CRM-PPT."),
        validators=[validate_single_line],
    )
    acronym_es = models.CharField(
        _("sigla (español)"), max_length=32, blank=True, validators=[validate_single_line]
    )
    acronym_en = models.CharField(
        _("sigla (inglés)"), max_length=32, blank=True, validators=[validate_single_line]
    )
    name_es = models.CharField(
        _("nombre (español)"), max_length=255, validators=[validate_single_line]
    )
    name_en = models.CharField(
        _("nombre (inglés)"), max_length=255, blank=True, validators=[validate_single_line]
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default="other")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("organización superior"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("país"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )

    name = Localized("name")
    acronym = Localized("acronym")

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("organización")
        verbose_name_plural = _("organizaciones")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class Delegation(models.Model):
    """A country's delegation to one workshop."""

    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    country = models.ForeignKey(
        Country, verbose_name=_("país"), on_delete=models.PROTECT, related_name="delegations"
    )
    focal_point = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("punto focal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="focal_point_of",
    )

    class Meta:
        ordering = ["workshop", "country__name_es"]
        verbose_name = _("delegación")
        verbose_name_plural = _("delegaciones")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "country"], name="delegation_one_per_country_and_workshop"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Delegación de %(country)s") % {"country": self.country})


class Participant(models.Model):
    """A user's registration in one workshop, in one role."""

    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegado/a de país")
        OBSERVER = "observer", _("Observador/a")
        MODERATOR = "moderator", _("Moderador/a")

    class Profile(models.TextChoices):
        INVESTIGATION = "investigation", _("Investigación y judicialización")
        MIGRATION_CONTROL = "migration_control", _("Control migratorio")
        PROTECTION = "protection", _("Protección y refugio")
        OTHER = "other", _("Otro")

    class RegistrationStatus(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        APPROVED = "approved", _("Aprobada")
        REJECTED = "rejected", _("Rechazada")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuario"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    role = models.CharField(_("rol"), max_length=12, choices=Role.choices, default="delegate")
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegación"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organización"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participants",
    )
    institution = models.CharField(
        _("institución"), max_length=255, blank=True, validators=[validate_single_line]
    )
    position = models.CharField(
        _("cargo"), max_length=255, blank=True, validators=[validate_single_line]
    )
    profile = models.CharField(_("perfil"), max_length=20, choices=Profile.choices, default="other")
    registration_status = models.CharField(
        _("estado de la inscripción"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default="pending",
    )
    registered_at = models.DateTimeField(_("inscrito/a el"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("revisado/a el"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revisado/a por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["workshop", "delegation__country__name_es", "user__last_name"]
        verbose_name = _("participante")
        verbose_name_plural = _("participantes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workshop"], name="participant_one_registration_per_workshop"
            ),
            models.CheckConstraint(
                condition=~Q(role="delegate") | Q(delegation__isnull=False),
                name="participant_delegate_has_delegation",
            ),
        ]

    def __str__(self) -> str:
        where = self.delegation.country if self.delegation_id else self.organisation
        return f"{self.user} — {where}" if where else str(self.user)


class Invitation(models.Model):
    """An invitation e-mail. The row is the outbox: ``queued`` rows are (re)sent by a task."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Sin enviar")
        QUEUED = "queued", _("En cola")
        SENT = "sent", _("Enviada")
        FAILED = "failed", _("Fallida")
        ACCEPTED = "accepted", _("Aceptada")

    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("correo electrónico"))
    full_name = models.CharField(
        _("nombre"), max_length=255, blank=True, validators=[validate_single_line]
    )
    role = models.CharField(
        _("rol"), max_length=12, choices=Participant.Role.choices, default="delegate"
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegación"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organización"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    institution = models.CharField(
        _("institución"), max_length=255, blank=True, validators=[validate_single_line]
    )
    position = models.CharField(
        _("cargo"), max_length=255, blank=True, validators=[validate_single_line]
    )
    profile = models.CharField(
        _("perfil"), max_length=20, choices=Participant.Profile.choices, default="other"
    )
    language = models.CharField(
        _("idioma del correo"), max_length=2, choices=Language.choices[:2], default="es"
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, editable=False, default=secrets.token_urlsafe
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default="queued", db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    last_error = models.TextField(_("último error"), blank=True)
    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("enviada el"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("aceptada el"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aceptada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitación")
        verbose_name_plural = _("invitaciones")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "workshop", name="invitation_one_per_email_and_workshop"
            ),
            models.CheckConstraint(
                condition=~Q(role="delegate") | Q(delegation__isnull=False),
                name="invitation_delegate_has_delegation",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="invitation_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False),
                name="invitation_accepted_has_accepted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_status_display()})"


class Attendance(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participante"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    session = models.ForeignKey(
        "agenda.Session",
        verbose_name=_("sesión"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )

    class Source(models.TextChoices):
        MANUAL = "manual", _("A mano")
        REPORT = "report", _("Informe de la plataforma")

    attended = models.BooleanField(_("asistió"), default=True)
    source = models.CharField(_("origen"), max_length=10, choices=Source.choices, default="manual")
    joined_at = models.DateTimeField(_("entró el"), null=True, blank=True)
    left_at = models.DateTimeField(_("salió el"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutos conectado/a"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("registrada el"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["session", "participant"]
        verbose_name = _("asistencia")
        verbose_name_plural = _("asistencias")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "session"], name="attendance_one_per_participant_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.session}"


class AttendanceReport(models.Model):
    """One upload of the webinar platform's participant report for a session, kept with the
    rows that matched nobody so staff can act on them later."""

    session = models.ForeignKey(
        "agenda.Session",
        verbose_name=_("sesión"),
        on_delete=models.CASCADE,
        related_name="attendance_reports",
    )
    file_name = models.CharField(_("archivo"), max_length=255, validators=[validate_single_line])
    uploaded_at = models.DateTimeField(_("subido el"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subido por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows_total = models.PositiveIntegerField(_("filas"), default=0)
    rows_matched = models.PositiveIntegerField(_("filas reconocidas"), default=0)
    unmatched = models.JSONField(_("filas sin participante"), default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("informe de asistencia")
        verbose_name_plural = _("informes de asistencia")

    def __str__(self) -> str:
        return f"{self.session} — {self.file_name}"


class Notification(models.Model):
    """An e-mail to one participant. The row is the outbox (as for invitations): ``queued``
    rows are sent by a task and swept again if the broker lost them.

    ``dedupe_key`` makes "once per person and occasion" a database rule: whoever creates a
    notification names its occasion (``session-2``, ``decision-2022-06-01T10:00:00Z``…), and
    a second row for the same participant, kind and key cannot exist.
    """

    class Kind(models.TextChoices):
        REGISTRATION_APPROVED = "registration_approved", _("Inscripción aprobada")
        REGISTRATION_REJECTED = "registration_rejected", _("Inscripción rechazada")
        SESSION_REMINDER = "session_reminder", _("Recordatorio de sesión")
        QUESTIONS_DISTRIBUTED = "questions_distributed", _("Preguntas distribuidas")
        ANSWERS_DUE = "answers_due", _("Aviso de fecha límite de respuestas")
        ANSWERS_REMINDER = "answers_reminder", _("Recordatorio de respuestas pendientes")
        MINUTES_ISSUED = "minutes_issued", _("Acta emitida")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        SENT = "sent", _("Enviada")
        FAILED = "failed", _("Fallida")

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participante"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("tipo"), max_length=40, choices=Kind.choices)
    dedupe_key = models.CharField(_("ocasión"), max_length=100, validators=[validate_single_line])
    session = models.ForeignKey(
        "agenda.Session",
        verbose_name=_("sesión"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default="queued", db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    last_error = models.TextField(_("último error"), blank=True)
    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    sent_at = models.DateTimeField(_("enviada el"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notificación")
        verbose_name_plural = _("notificaciones")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind", "dedupe_key"],
                name="notification_once_per_participant_kind_occasion",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.participant}"
