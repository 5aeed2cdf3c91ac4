from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """``django.contrib.admin`` whose default site has no password form (see ``site``)."""

    default_site = "crm_workshop.signin.site.OneDoorAdminSite"
