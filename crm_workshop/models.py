"""Project-level rows that belong to no app of the domain."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UsedEnrolmentLink(models.Model):
    """A staff member's e-mailed enrolment link that has been opened.

    The link itself is signed and carries its own expiry (``crm_workshop.signin.enrolment``);
    this row is what makes it single-use: its nonce is unique, so a second opening fails
    even in another process.
    """

    nonce = models.CharField(_("identificador"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("usuario")
    )
    used_at = models.DateTimeField(_("usado el"), auto_now_add=True)

    class Meta:
        verbose_name = _("enlace de activación usado")
        verbose_name_plural = _("enlaces de activación usados")

    def __str__(self) -> str:
        return self.nonce
