"""Root URLs: Spanish at the root, English under /en/ (i18n_patterns)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from crm_workshop import views

admin.site.site_header = _("Secretaría Ejecutiva de la CRM")
admin.site.site_title = _("Administración del portal CRM")
admin.site.index_title = _("Gestión de talleres")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/2fa/staff-enrolment/", include("crm_workshop.signin.urls")),
    path("accounts/", include("allauth.urls")),
    path("staff/", include("participants.staff_urls")),
    path("consultations/", include("consultations.urls")),
    # Before "agreements/": the minutes' own namespace.
    path("agreements/minutes/", include("agreements.minutes_urls")),
    path("agreements/", include("agreements.urls")),
    path("moderation/", include("agreements.moderation_urls")),
    path("", include("participants.urls")),
    path("", include("agenda.urls")),
    prefix_default_language=False,
)

# MEDIA_ROOT (compendia, minutes, uploaded reports) is never served by URL, not even with
# DEBUG: every stored file holds delegations' data and leaves only through a view that checks
# who asks (e.g. consultations:compendium_download).
