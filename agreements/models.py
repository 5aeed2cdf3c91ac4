"""Agreements recorded live during the sessions, and the issued minutes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm_workshop.i18n import active_content_language


class Agreement(models.Model):
    class Term(models.TextChoices):
        SHORT = "short", _("Corto plazo")
        MEDIUM = "medium", _("Mediano plazo")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Propuesto")
        ADOPTED = "adopted", _("Adoptado")
        WITHDRAWN = "withdrawn", _("Retirado")

    class FollowUp(models.TextChoices):
        NOT_STARTED = "not_started", _("Pendiente")
        IN_PROGRESS = "in_progress", _("En curso")
        DONE = "done", _("Cumplido")

    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    session = models.ForeignKey(
        "agenda.Session",
        verbose_name=_("sesión"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    agenda_item = models.ForeignKey(
        "agenda.AgendaItem",
        verbose_name=_("bloque"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
    )
    axis = models.ForeignKey(
        "agenda.Axis",
        verbose_name=_("eje"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    number = models.PositiveIntegerField(
        _("número"),
        help_text=_(
            "Correlativo en el taller, en el orden de las sesiones; lo mantiene la consola "
            "de moderación al registrar y reordenar."
        ),
    )
    text_es = models.TextField(_("texto del acuerdo (español)"), blank=True)
    text_en = models.TextField(_("texto del acuerdo (inglés)"), blank=True)
    responsible_countries = models.ManyToManyField(
        "participants.Country",
        verbose_name=_("países responsables"),
        blank=True,
        related_name="agreements",
    )
    responsible_organisations = models.ManyToManyField(
        "participants.Organisation",
        verbose_name=_("organizaciones responsables"),
        blank=True,
        related_name="agreements",
    )
    term = models.CharField(_("plazo"), max_length=8, choices=Term.choices, default="short")
    due_date = models.DateField(_("fecha de cumplimiento"), null=True, blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default="proposed"
    )
    follow_up_status = models.CharField(
        _("seguimiento"), max_length=12, choices=FollowUp.choices, default="not_started"
    )
    version = models.PositiveIntegerField(
        _("versión"), default=1, help_text=_("Aumenta con cada edición (bloqueo optimista).")
    )
    created_at = models.DateTimeField(_("registrado el"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrado por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("actualizado el"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actualizado por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        m2m_fields=[responsible_countries, responsible_organisations],
    )

    class Meta:
        ordering = ["workshop", "number"]
        verbose_name = _("acuerdo")
        verbose_name_plural = _("acuerdos")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="agreement_number_unique"),
            models.CheckConstraint(
                condition=~Q(text_es="") | ~Q(text_en=""), name="agreement_has_text"
            ),
        ]

    def __str__(self) -> str:
        return _("Acuerdo %(number)s: %(text)s") % {"number": self.number, "text": self.text[:70]}

    @property
    def text(self) -> str:
        """The text in the reader's language, or in the other one when only that was written
        (a moderator may record an agreement in English only)."""
        if active_content_language() == "en":
            return self.text_en or self.text_es
        return self.text_es or self.text_en


class AgreementFollowUp(models.Model):
    """One dated entry of an agreement's follow-up, recorded by the Secretaría after the
    workshop. The latest entry's status is copied onto ``Agreement.follow_up_status``."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("acuerdo"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    status = models.CharField(_("estado"), max_length=12, choices=Agreement.FollowUp.choices)
    date = models.DateField(_("fecha"), default=timezone.localdate)
    note = models.TextField(_("nota"), blank=True)
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
        ordering = ["agreement", "-date", "-recorded_at", "-pk"]
        verbose_name = _("seguimiento de acuerdo")
        verbose_name_plural = _("seguimientos de acuerdos")

    def __str__(self) -> str:
        return f"{self.agreement.number} · {self.date} · {self.get_status_display()}"


class SessionRecord(models.Model):
    """The agreements' side of one session: whether it is closed, and a revision number that
    every change to its agreements raises (the live view polls it: one query)."""

    session = models.OneToOneField(
        "agenda.Session",
        verbose_name=_("sesión"),
        on_delete=models.CASCADE,
        related_name="agreement_record",
    )
    revision = models.PositiveIntegerField(_("revisión"), default=0)
    closed_at = models.DateTimeField(_("cerrada el"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cerrada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reabierta el"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reabierta por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.TextField(_("motivo de la reapertura"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registro de acuerdos de la sesión")
        verbose_name_plural = _("registros de acuerdos de las sesiones")

    def __str__(self) -> str:
        return str(self.session)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Minutes(models.Model):
    """One rendered version of the minutes (PDF), kept with its SHA-256."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        ISSUED = "issued", _("Emitida")

    class RenderStatus(models.TextChoices):
        QUEUED = "queued", _("En cola")
        RENDERING = "rendering", _("Generando")
        READY = "ready", _("Lista")
        FAILED = "failed", _("Fallida")

    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="minutes",
    )
    version = models.PositiveIntegerField(_("versión"))
    status = models.CharField(_("estado"), max_length=8, choices=Status.choices, default="draft")
    render_status = models.CharField(
        _("generación"), max_length=10, choices=RenderStatus.choices, default="queued"
    )

    class Language(models.TextChoices):
        ES = "es", _("Español")
        EN = "en", _("Inglés")

    language = models.CharField(_("idioma"), max_length=2, choices=Language.choices, default="es")
    progress = models.PositiveSmallIntegerField(_("progreso (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(
        _("intentos"), default=0, help_text=_("Veces que un worker empezó a generarla.")
    )
    page_count = models.PositiveIntegerField(_("páginas"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="minutes/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("solicitada el"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solicitada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("iniciada el"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generada el"), null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("emitida el"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("emitida por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["workshop", "-version"]
        verbose_name = _("acta")
        verbose_name_plural = _("actas")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "version"], name="minutes_version_unique"),
            models.CheckConstraint(
                condition=~Q(render_status="ready") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="minutes_ready_has_sha256",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | Q(render_status="ready"),
                name="minutes_issued_only_when_ready",
            ),
        ]

    def __str__(self) -> str:
        return _("Acta v%(version)s de %(workshop)s (%(status)s)") % {
            "version": self.version,
            "workshop": self.workshop,
            "status": self.get_status_display(),
        }
