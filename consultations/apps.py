from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultas")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # The participants' outbox sends our three kinds of e-mail; it learns how from us
        # (participants never imports consultations).
        from consultations import notifications
        from consultations.signals import remember_on_sign_in

        notifications.register()
        user_logged_in.connect(remember_on_sign_in, dispatch_uid="consultations-nav")
