from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        # Every process (web, worker, manage.py) must invalidate the cached agenda on edits.
        from agenda.selectors import connect_cache_invalidation

        connect_cache_invalidation()
