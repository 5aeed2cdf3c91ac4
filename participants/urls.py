"""URLs of people taking part (Spanish at the root, English under /en/)."""

from django.urls import path

from participants.views import home
from participants.views import homes_placeholders as placeholders

app_name = "participants"

urlpatterns = [
    path("home/", home.home, name="home"),
    path("home/delegation/", home.delegation, name="delegation"),
    # Placeholders for routes other helpers build ("attend": calendar, "signup": registration);
    # the lead drops these two lines and homes_placeholders.py at merge.
    path("home/calendar.ics", placeholders.calendar, name="calendar"),
    path("registration/", placeholders.registration, name="registration"),
]
