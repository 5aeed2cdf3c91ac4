"""URLs of people taking part (Spanish at the root, English under /en/)."""

from django.urls import path

from participants.views import calendar, home
from participants.views import homes_placeholders as placeholders

app_name = "participants"

urlpatterns = [
    path("home/", home.home, name="home"),
    path("home/delegation/", home.delegation, name="delegation"),
    path("home/calendar.ics", calendar.calendar, name="calendar"),
    path("registration/", placeholders.registration, name="registration"),  # until 'signup'
]
