"""``/staff/minutes/``: render, follow and issue the minutes (in the staff namespace)."""

from django.urls import path

from agreements.views import minutes

urlpatterns = [
    path("", minutes.minutes_index, name="minutes"),
    path("start/", minutes.minutes_start, name="minutes_start"),
    path("<int:pk>/", minutes.minutes_detail, name="minutes_detail"),
    path("<int:pk>/progress/", minutes.minutes_progress, name="minutes_progress"),
    path("<int:pk>/issue/", minutes.minutes_issue, name="minutes_issue"),
]
