from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultas")

    def ready(self) -> None:
        # The participants' outbox sends our three kinds of e-mail; it learns how from us
        # (participants never imports consultations).
        from consultations import notifications

        notifications.register()
