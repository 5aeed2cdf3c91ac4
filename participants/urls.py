"""URLs of people taking part (Spanish at the root, English under /en/)."""

from django.urls import path

from participants.views import calendar, home

app_name = "participants"

urlpatterns = [
    path("home/", home.home, name="home"),
    path("home/calendar.ics", calendar.calendar, name="calendar"),
]
