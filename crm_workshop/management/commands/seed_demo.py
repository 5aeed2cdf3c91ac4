"""``manage.py seed_demo``: the concept-note workshop plus one demo account per role."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from agenda.models import AgendaItem, Segment
from crm_workshop.demo.seed import concept_note_data, seed_concept_note, seed_demo_accounts


class Command(BaseCommand):
    help = _(
        "Carga el Intercambio Técnico de la nota conceptual (junio de 2022) y cuentas de "
        "demostración, una por rol. Se puede ejecutar varias veces: no duplica nada."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Cargar aunque DEBUG esté desactivado (crea cuentas con contraseña conocida)."),
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "seed_demo se niega a ejecutarse con DEBUG desactivado: crea cuentas de "
                    "demostración con contraseñas conocidas. Si este no es un servidor de "
                    "producción, vuelva a ejecutarlo con --force."
                )
            )
        with transaction.atomic():
            workshop = seed_concept_note(data=concept_note_data())
            accounts = seed_demo_accounts(workshop=workshop)
        if options["verbosity"] >= 1:
            self._summary(workshop, accounts)

    def _summary(self, workshop, accounts: list[tuple[str, str, str]]) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(_("Taller cargado: %(title)s") % {"title": workshop.title}))
        write(_("  Identificador: %(slug)s") % {"slug": workshop.slug})
        write(
            _("  Zona horaria de referencia: %(zone)s (%(state)s); agenda %(status)s.")
            % {
                "zone": workshop.time_zone,
                "state": _("confirmada") if workshop.time_zone_confirmed else _("sin confirmar"),
                "status": workshop.get_agenda_status_display().lower(),
            }
        )
        counts = [
            (_("Sesiones"), workshop.sessions.count()),
            (
                _("Bloques de la agenda"),
                AgendaItem.objects.filter(session__workshop=workshop).count(),
            ),
            (
                _("Intervenciones"),
                Segment.objects.filter(agenda_item__session__workshop=workshop).count(),
            ),
            (_("Objetivos"), workshop.objectives.count()),
            (_("Ejes del Plan de Trabajo"), workshop.axes.count()),
            (_("Delegaciones de país"), workshop.delegations.count()),
            (
                _("Preguntas detonadoras de ejemplo"),
                workshop.trigger_questions.filter(is_example=True).count(),
            ),
        ]
        for label, count in counts:
            write(f"  {label}: {count}")
        write("")
        write(self.style.MIGRATE_HEADING(_("Cuentas de demostración (solo para pruebas):")))
        headers = (_("Rol"), _("Correo electrónico"), _("Contraseña"))
        widths = [max(len(row[i]) for row in [headers, *accounts]) for i in range(3)]
        for row in [headers, *accounts]:
            write(
                "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )
