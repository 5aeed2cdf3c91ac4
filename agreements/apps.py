from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Acuerdos")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_save,
            pre_delete,
            pre_save,
        )

        from agreements import minutes, notifications, signals
        from agreements.models import Agreement, Minutes

        post_save.connect(signals.agreement_saved, sender=Agreement, dispatch_uid="agr-rev-save")
        post_delete.connect(
            signals.agreement_deleted, sender=Agreement, dispatch_uid="agr-rev-delete"
        )
        for field in ("responsible_countries", "responsible_organisations"):
            m2m_changed.connect(
                signals.agreement_parties_changed,
                sender=getattr(Agreement, field).through,
                dispatch_uid=f"agr-rev-{field}",
            )
        user_logged_in.connect(signals.remember_on_sign_in, dispatch_uid="agreements-nav")
        # The minutes: the e-mail of an issued version, and an issued version never changes.
        notifications.register()
        pre_save.connect(minutes.minutes_guard_save, sender=Minutes, dispatch_uid="minutes-frozen")
        pre_delete.connect(
            minutes.minutes_guard_delete, sender=Minutes, dispatch_uid="minutes-not-deleted"
        )
