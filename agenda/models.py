"""The workshop and its programme: sessions, agenda blocks, segments and who speaks."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm_workshop.i18n import Localized
from crm_workshop.timezones import validate_iana_zone
from crm_workshop.validators import validate_single_line


class Workshop(models.Model):
    class Modality(models.TextChoices):
        VIRTUAL = "virtual", _("Virtual")
        IN_PERSON = "in_person", _("Presencial")
        HYBRID = "hybrid", _("Híbrida")

    class AgendaStatus(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminar")
        FINAL = "final", _("Definitiva")

    slug = models.SlugField(_("identificador"), max_length=100, unique=True)
    title_es = models.CharField(
        _("título (español)"), max_length=255, validators=[validate_single_line]
    )
    title_en = models.CharField(
        _("título (inglés)"), max_length=255, blank=True, validators=[validate_single_line]
    )
    organiser = models.ForeignKey(
        "participants.Organisation",
        verbose_name=_("organiza"),
        on_delete=models.PROTECT,
        related_name="organised_workshops",
    )
    modality = models.CharField(
        _("modalidad"), max_length=10, choices=Modality.choices, default="virtual"
    )
    format_es = models.CharField(
        _("formato (español)"), max_length=255, blank=True, validators=[validate_single_line]
    )
    format_en = models.CharField(
        _("formato (inglés)"), max_length=255, blank=True, validators=[validate_single_line]
    )
    methodology_es = models.TextField(_("metodología (español)"), blank=True)
    methodology_en = models.TextField(_("metodología (inglés)"), blank=True)
    target_audience_es = models.TextField(_("dirigido a (español)"), blank=True)
    target_audience_en = models.TextField(_("dirigido a (inglés)"), blank=True)
    expected_outcome_es = models.TextField(_("resultado esperado (español)"), blank=True)
    expected_outcome_en = models.TextField(_("resultado esperado (inglés)"), blank=True)
    time_zone = models.CharField(
        _("zona horaria de referencia"),
        max_length=64,
        validators=[validate_iana_zone],
        help_text=_("Zona IANA en la que están escritos los horarios de la agenda."),
    )
    time_zone_confirmed = models.BooleanField(
        _("zona horaria confirmada"),
        default=False,
        help_text=_("Desmarcado: la agenda muestra que la zona aún no está confirmada."),
    )
    agenda_status = models.CharField(
        _("estado de la agenda"),
        max_length=12,
        choices=AgendaStatus.choices,
        default="preliminary",
    )
    webinar_url = models.URLField(_("enlace del webinar"), blank=True)
    is_published = models.BooleanField(_("publicado"), default=True)

    title = Localized("title")
    format = Localized("format")
    methodology = Localized("methodology")
    target_audience = Localized("target_audience")
    expected_outcome = Localized("expected_outcome")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("taller")
        verbose_name_plural = _("talleres")

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_preliminary(self) -> bool:
        return self.agenda_status == self.AgendaStatus.PRELIMINARY


class WorkshopPartner(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("taller"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "participants.Organisation",
        verbose_name=_("organización"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role_es = models.CharField(
        _("papel (español)"), max_length=100, blank=True, validators=[validate_single_line]
    )
    role_en = models.CharField(
        _("papel (inglés)"), max_length=100, blank=True, validators=[validate_single_line]
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)

    role = Localized("role")

    class Meta:
        ordering = ["workshop", "order"]
        verbose_name = _("socio")
        verbose_name_plural = _("socios")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "organisation"], name="partner_once_per_workshop"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.organisation.short_name} ({self.role})" if self.role else str(self.organisation)
        )


class Axis(models.Model):
    """A thematic axis of the Work Plan (Plan de Trabajo en materia de tráfico ilícito)."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("taller"), on_delete=models.CASCADE, related_name="axes"
    )
    number = models.PositiveSmallIntegerField(_("número"))
    title_es = models.CharField(
        _("título (español)"), max_length=255, validators=[validate_single_line]
    )
    title_en = models.CharField(
        _("título (inglés)"), max_length=255, blank=True, validators=[validate_single_line]
    )
    prioritised = models.BooleanField(
        _("priorizado por los países"),
        default=False,
        help_text=_("Eje en el que los países concentraron las acciones prioritarias."),
    )

    title = Localized("title")

    class Meta:
        ordering = ["workshop", "number"]
        verbose_name = _("eje temático")
        verbose_name_plural = _("ejes temáticos")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="axis_number_unique"),
        ]

    def __str__(self) -> str:
        return _("Eje %(number)s: %(title)s") % {"number": self.number, "title": self.title}


class Objective(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("taller"), on_delete=models.CASCADE, related_name="objectives"
    )
    order = models.PositiveSmallIntegerField(_("orden"))
    text_es = models.TextField(_("texto (español)"))
    text_en = models.TextField(_("texto (inglés)"), blank=True)
    axes = models.ManyToManyField(Axis, verbose_name=_("ejes"), blank=True)

    text = Localized("text")

    class Meta:
        ordering = ["workshop", "order"]
        verbose_name = _("objetivo")
        verbose_name_plural = _("objetivos")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "order"], name="objective_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:80]}"


class Session(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("taller"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("número"))
    label_es = models.CharField(
        _("etiqueta (español)"),
        max_length=100,
        blank=True,
        help_text=_("Como la escribe la nota, p. ej. «Sesión virtual 2»."),
        validators=[validate_single_line],
    )
    label_en = models.CharField(
        _("etiqueta (inglés)"), max_length=100, blank=True, validators=[validate_single_line]
    )
    title_es = models.CharField(
        _("título (español)"), max_length=255, validators=[validate_single_line]
    )
    title_en = models.CharField(
        _("título (inglés)"), max_length=255, blank=True, validators=[validate_single_line]
    )
    start = models.DateTimeField(_("inicio"))
    end = models.DateTimeField(_("fin"))
    axes = models.ManyToManyField(Axis, verbose_name=_("ejes"), blank=True, related_name="sessions")
    conference_url = models.URLField(_("enlace de la videoconferencia"), blank=True)
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderadores/as"),
        blank=True,
        related_name="moderated_sessions",
        help_text=_(
            "Cuentas que moderan esta sesión: leen las respuestas enviadas a sus preguntas y "
            "registran los acuerdos."
        ),
    )
    ics_sequence = models.PositiveIntegerField(
        _("revisión del calendario"),
        default=0,
        editable=False,
        help_text=_("Aumenta cada vez que cambian el inicio o el fin (SEQUENCE en los .ics)."),
    )

    label = Localized("label")
    title = Localized("title")

    class Meta:
        ordering = ["workshop", "number"]
        verbose_name = _("sesión")
        verbose_name_plural = _("sesiones")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="session_number_unique"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_label}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        """Moving the session (start or end) raises ``ics_sequence`` by one, so calendar
        clients read the new .ics as a later revision of the same event (RFC 5546)."""
        if self.pk is not None:
            stored = Session.objects.filter(pk=self.pk).values_list("start", "end").first()
            if stored is not None and stored != (self.start, self.end):
                self.ics_sequence += 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "ics_sequence"}
        super().save(*args, **kwargs)

    @property
    def display_label(self) -> str:
        return self.label or str(_("Sesión %(number)s") % {"number": self.number})

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("La sesión debe terminar después de empezar.")})


class AgendaItem(models.Model):
    """A timed block of a session (opening, presentation, dialogue…)."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Apertura")
        INTRODUCTION = "introduction", _("Introducción")
        PRESENTATION = "presentation", _("Presentación")
        DIALOGUE = "dialogue", _("Diálogo")
        CLOSING = "closing", _("Cierre")
        BREAK = "break", _("Receso")

    session = models.ForeignKey(
        Session, verbose_name=_("sesión"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("orden"))
    start = models.DateTimeField(_("inicio"))
    end = models.DateTimeField(_("fin"))
    kind = models.CharField(_("tipo"), max_length=14, choices=Kind.choices)
    secondary_kind = models.CharField(
        _("tipo secundario"),
        max_length=14,
        choices=Kind.choices,
        blank=True,
        help_text=_("Para bloques mixtos, p. ej. cierre que también es diálogo."),
    )
    title_es = models.CharField(
        _("título (español)"), max_length=255, validators=[validate_single_line]
    )
    title_en = models.CharField(
        _("título (inglés)"), max_length=255, blank=True, validators=[validate_single_line]
    )
    editor_notes = models.TextField(
        _("notas internas"), blank=True, help_text=_("Solo visibles para la Secretaría.")
    )

    title = Localized("title")

    class Meta:
        ordering = ["session", "order"]
        verbose_name = _("bloque de la agenda")
        verbose_name_plural = _("bloques de la agenda")
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="agenda_item_order_unique"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="agenda_item_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(secondary_kind=F("kind")), name="agenda_item_secondary_kind_differs"
            ),
        ]

    def __str__(self) -> str:
        zone = self.session.workshop.zone
        start = self.start.astimezone(zone).strftime("%H:%M")
        end = self.end.astimezone(zone).strftime("%H:%M")
        return f"{start}–{end} {self.title}"

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("El bloque debe terminar después de empezar.")
        if self.session_id and self.start and self.end:
            session = self.session
            if self.start < session.start or self.end > session.end:
                zone = session.workshop.zone
                errors["start"] = _(
                    "El bloque debe caber dentro de la sesión (%(start)s–%(end)s, %(zone)s)."
                ) % {
                    "start": session.start.astimezone(zone).strftime("%H:%M"),
                    "end": session.end.astimezone(zone).strftime("%H:%M"),
                    "zone": session.workshop.time_zone,
                }
        if errors:
            raise ValidationError(errors)


class Segment(models.Model):
    """A talk or contribution inside a block; the note gives some a length in minutes."""

    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("bloque"), on_delete=models.CASCADE, related_name="segments"
    )
    order = models.PositiveSmallIntegerField(_("orden"))
    title_es = models.CharField(
        _("título (español)"), max_length=500, validators=[validate_single_line]
    )
    title_en = models.CharField(
        _("título (inglés)"), max_length=500, blank=True, validators=[validate_single_line]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duración indicada (min)"),
        null=True,
        blank=True,
        help_text=_("Solo si la agenda la indica; no se inventa."),
    )
    countries = models.ManyToManyField(
        "participants.Country", verbose_name=_("países"), blank=True, related_name="segments"
    )

    title = Localized("title")

    class Meta:
        ordering = ["agenda_item", "order"]
        verbose_name = _("intervención")
        verbose_name_plural = _("intervenciones")
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "order"], name="segment_order_unique"),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
                name="segment_duration_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Speaker(models.Model):
    """A person, or only an organisation or role when nobody is named yet."""

    name = models.CharField(
        _("nombre"),
        max_length=255,
        blank=True,
        help_text=_("Vacío si aún no se ha designado a una persona."),
        validators=[validate_single_line],
    )
    position_es = models.CharField(
        _("cargo (español)"), max_length=500, blank=True, validators=[validate_single_line]
    )
    position_en = models.CharField(
        _("cargo (inglés)"), max_length=500, blank=True, validators=[validate_single_line]
    )
    organisation = models.ForeignKey(
        "participants.Organisation",
        verbose_name=_("organización"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="speakers",
    )
    representing = models.ForeignKey(
        "participants.Organisation",
        verbose_name=_("en representación de"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="representatives",
    )
    email = models.EmailField(_("correo electrónico"), blank=True)

    position = Localized("position")

    class Meta:
        ordering = ["name", "organisation__name_es"]
        verbose_name = _("ponente")
        verbose_name_plural = _("ponentes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") | Q(organisation__isnull=False) | ~Q(position_es=""),
                name="speaker_is_identifiable",
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        if self.position:
            return self.position
        return self.organisation.short_name


class Participation(models.Model):
    """Someone's part in a block or a segment, with its confirmation status."""

    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Ponente")
        MODERATOR = "moderator", _("Modera")
        PRESENTER = "presenter", _("Presenta")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmado")
        TO_BE_CONFIRMED = "to_be_confirmed", _("Por confirmar")
        TO_BE_DEFINED = "to_be_defined", _("Por definir")
        NOT_STATED = "not_stated", _("No indicado")

    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("bloque"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="participations",
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("intervención"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="participations",
    )
    speaker = models.ForeignKey(
        Speaker,
        verbose_name=_("ponente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participations",
        help_text=_("Vacío solo cuando la agenda no indica a nadie."),
    )
    role = models.CharField(_("papel"), max_length=10, choices=Role.choices, default="speaker")
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default="confirmed"
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("participación en la agenda")
        verbose_name_plural = _("participaciones en la agenda")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(agenda_item__isnull=False, segment__isnull=True)
                    | Q(agenda_item__isnull=True, segment__isnull=False)
                ),
                name="participation_in_block_xor_segment",
            ),
            models.CheckConstraint(
                condition=Q(speaker__isnull=False) | Q(status="not_stated"),
                name="participation_nobody_only_when_not_stated",
            ),
        ]

    def __str__(self) -> str:
        who = str(self.speaker) if self.speaker_id else self.get_status_display()
        return f"{self.get_role_display()}: {who}"
