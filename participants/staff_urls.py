"""Staff pages under ``/staff/`` (behind the same second factor as the admin)."""

from django.urls import path

from participants.views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
]
