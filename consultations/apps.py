from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultas")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from consultations.signals import remember_on_sign_in

        user_logged_in.connect(remember_on_sign_in, dispatch_uid="consultations-nav")
