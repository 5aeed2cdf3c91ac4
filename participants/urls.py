"""URLs of people taking part (Spanish at the root, English under /en/)."""

from django.urls import path

from participants.views import calendar, home, preferences, registration

app_name = "participants"

urlpatterns = [
    path("home/", home.home, name="home"),
    path("home/delegation/", home.delegation, name="delegation"),
    path("home/calendar.ics", calendar.calendar, name="calendar"),
    path("home/preferences/", preferences.preferences, name="preferences"),
    path("invitation/<slug:token>/", registration.invitation, name="invitation"),
    path("registration/", registration.registration, name="registration"),
]
