"""``/agreements/minutes/``: the download of a version (issued ones for participants, every
ready one for staff). Stored files are never served from ``/media/``: only through here."""

from django.urls import path

from agreements.views import minutes

app_name = "minutes"

urlpatterns = [
    path("<int:pk>/download/", minutes.minutes_download, name="download"),
]
