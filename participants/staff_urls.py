"""Staff pages under ``/staff/`` (behind the same second factor as the admin)."""

from django.urls import include, path

from consultations.views import followup
from participants.views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
    path("consultations/", followup.followup, name="consultations"),
    path("consultations/remind/", followup.remind, name="consultations_remind"),
    path("agreements/", include("agreements.staff_followup_urls")),
    path("minutes/", include("agreements.staff_minutes_urls")),
]
