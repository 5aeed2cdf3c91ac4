"""Trigger questions ("preguntas detonadoras") sent to countries, and their answers."""

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.functions import Coalesce, Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from crm_workshop.i18n import Localized
from crm_workshop.validators import validate_single_line


class TriggerQuestion(models.Model):
    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="trigger_questions",
    )
    code = models.CharField(
        _("código"),
        max_length=32,
        help_text=_("Identificador estable, p. ej. TQ-S1-1."),
        validators=[validate_single_line],
    )
    session = models.ForeignKey(
        "agenda.Session",
        verbose_name=_("sesión"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trigger_questions",
    )
    axis = models.ForeignKey(
        "agenda.Axis",
        verbose_name=_("eje"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trigger_questions",
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    text_es = models.TextField(_("texto (español)"))
    text_en = models.TextField(_("texto (inglés)"), blank=True)
    deadline = models.DateTimeField(_("fecha límite de respuesta"), null=True, blank=True)
    is_example = models.BooleanField(
        _("es un ejemplo"),
        default=False,
        help_text=_("Preguntas de demostración: nunca se presentan como las de los organizadores."),
    )
    countries = models.ManyToManyField(
        "participants.Country",
        verbose_name=_("países asignados"),
        blank=True,
        through="QuestionAssignment",
        related_name="trigger_questions",
    )

    text = Localized("text")

    class Meta:
        ordering = ["workshop", "session__number", "order"]
        verbose_name = _("pregunta detonadora")
        verbose_name_plural = _("preguntas detonadoras")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "code"], name="question_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:80]}"


class QuestionDistribution(models.Model):
    """One sending of questions to countries: the occasion of the e-mails it causes.

    Each approved delegate of each country is notified once per distribution (the
    notification's key is ``distribution-<pk>``).
    """

    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="question_distributions",
    )
    questions = models.ManyToManyField(
        TriggerQuestion, verbose_name=_("preguntas"), related_name="distributions"
    )
    countries = models.ManyToManyField(
        "participants.Country", verbose_name=_("países"), related_name="question_distributions"
    )
    created_at = models.DateTimeField(_("distribuida el"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("distribuida por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("distribución de preguntas")
        verbose_name_plural = _("distribuciones de preguntas")

    def __str__(self) -> str:
        return str(_("Distribución n.º %(number)s") % {"number": self.pk})


class AssignmentQuerySet(models.QuerySet):
    def with_deadline(self):
        """Annotate ``effective_deadline`` (the country's extension, else the question's
        deadline, else none) and ``is_open``, decided by the database's clock
        (``STATEMENT_TIMESTAMP()`` on PostgreSQL) so that every writer, in whatever
        process, agrees on the moment the deadline passed."""
        return self.annotate(
            effective_deadline=Coalesce("deadline_extended_to", "question__deadline"),
            is_open=Case(
                When(effective_deadline__isnull=True, then=Value(True)),
                When(effective_deadline__gt=Now(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )


class QuestionAssignment(models.Model):
    """A question asked of one country: it exists once the question was distributed to it.

    ``deadline_extended_to`` is the Secretaría's extension for this country only; the
    country's deadline is that, or else the question's.
    """

    question = models.ForeignKey(
        TriggerQuestion,
        verbose_name=_("pregunta"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    country = models.ForeignKey(
        "participants.Country",
        verbose_name=_("país"),
        on_delete=models.PROTECT,
        related_name="question_assignments",
    )
    assigned_at = models.DateTimeField(_("asignada el"), auto_now_add=True)
    distribution = models.ForeignKey(
        QuestionDistribution,
        verbose_name=_("distribución"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    deadline_extended_to = models.DateTimeField(
        _("plazo prorrogado hasta"),
        null=True,
        blank=True,
        help_text=_("Solo para este país. Vacío: rige la fecha límite de la pregunta."),
    )
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["question", "country__name_es"]
        verbose_name = _("asignación de pregunta")
        verbose_name_plural = _("asignaciones de preguntas")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "country"], name="assignment_once_per_country"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} → {self.country}"

    @property
    def deadline(self):
        """The country's deadline: its extension, else the question's (None: no deadline)."""
        return self.deadline_extended_to or self.question.deadline


class Answer(models.Model):
    """A delegation's answer to one question: drafted together, submitted once."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        SUBMITTED = "submitted", pgettext_lazy("respuesta", "Enviada")

    question = models.ForeignKey(
        TriggerQuestion,
        verbose_name=_("pregunta"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    delegation = models.ForeignKey(
        "participants.Delegation",
        verbose_name=_("delegación"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    text = models.TextField(_("respuesta"), blank=True)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default="draft")
    version = models.PositiveIntegerField(
        _("versión"), default=1, help_text=_("Aumenta con cada guardado (bloqueo optimista).")
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada el"), auto_now=True)
    submitted_at = models.DateTimeField(
        pgettext_lazy("respuesta", "enviada el"), null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("respuesta", "enviada por"),
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
        ordering = ["question", "delegation__country__name_es"]
        verbose_name = _("respuesta")
        verbose_name_plural = _("respuestas")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "delegation"], name="answer_one_per_question_and_delegation"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="answer_submitted_has_submitted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} — {self.delegation.country} ({self.get_status_display()})"


class Compendium(models.Model):
    """A PDF of the submitted answers, rendered by a Celery task; the row is its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        RENDERING = "rendering", _("Generándose")
        DONE = "done", _("Lista")
        FAILED = "failed", _("Fallida")

    workshop = models.ForeignKey(
        "agenda.Workshop",
        verbose_name=_("taller"),
        on_delete=models.CASCADE,
        related_name="compendia",
    )
    language = models.CharField(
        _("idioma"), max_length=2, choices=[("es", "Español"), ("en", "English")], default="es"
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default="queued", db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progreso (%)"), default=0)
    file = models.FileField(_("archivo"), upload_to="compendia/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("páginas"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solicitada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("solicitada el"), auto_now_add=True)
    started_at = models.DateTimeField(_("iniciada el"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminada el"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("compendio de respuestas")
        verbose_name_plural = _("compendios de respuestas")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(sha256="") & ~Q(file="")),
                name="compendium_done_has_file_and_hash",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Compendio n.º %(number)s (%(language)s)")
            % {
                "number": self.pk,
                "language": self.language,
            }
        )
