from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmWorkshopConfig(AppConfig):
    name = "crm_workshop"
    verbose_name = _("Portal del taller")
