"""Trigger questions ("preguntas detonadoras") sent to countries, and their answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
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


class QuestionAssignment(models.Model):
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
