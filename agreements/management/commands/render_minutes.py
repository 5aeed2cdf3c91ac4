"""``manage.py render_minutes [--language es|en] [--workshop slug]``: a new draft version of
the minutes, rendered through the same task as the staff page (applied here, synchronously,
so it works with no worker and no broker). Prints the version, the file, the page count and
the SHA-256; exits non-zero with the reason when the render fails."""

from django.core.management.base import BaseCommand, CommandError

from agenda.models import Workshop
from agreements import minutes as service
from agreements.models import Minutes
from agreements.tasks import minutes_render_task


class Command(BaseCommand):
    help = "Render a new draft version of the workshop's minutes (PDF) and print its SHA-256."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language", choices=Minutes.Language.values, default="es", help="es (default) or en"
        )
        parser.add_argument(
            "--workshop", metavar="SLUG", help="the workshop (default: the latest published one)"
        )

    def handle(self, *args, language, workshop=None, **options):
        chosen = self._workshop(workshop)
        # The row is committed unpublished: this process renders it, through the task,
        # whatever broker is configured (a worker cannot race it for the claim).
        minutes, _published = service.minutes_request(
            workshop=chosen, by=None, language=language, publish=False
        )
        minutes_render_task.apply(kwargs={"minutes_id": minutes.pk}, throw=False)
        minutes.refresh_from_db()
        if minutes.render_status != Minutes.RenderStatus.READY:
            raise CommandError(
                f"Version {minutes.version} ({minutes.language}) failed: "
                f"{minutes.error or minutes.get_render_status_display()}"
            )
        self.stdout.write(f"version: {minutes.version} ({minutes.language}, draft)")
        self.stdout.write(f"file: {minutes.pdf.path}")
        self.stdout.write(f"pages: {minutes.page_count}")
        self.stdout.write(f"sha256: {minutes.sha256}")

    def _workshop(self, slug: str | None) -> Workshop:
        workshops = Workshop.objects.all()
        if slug:
            found = workshops.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No workshop with slug {slug!r}.")
            return found
        found = workshops.filter(is_published=True).order_by("-id").first()
        if found is None:
            raise CommandError("No published workshop: pass --workshop SLUG.")
        return found
