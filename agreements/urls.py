"""``/agreements/``: the workshop's agreements by session, live, and their follow-up."""

from django.urls import path

from agreements.views import followup

app_name = "agreements"

urlpatterns: list = [
    path("country/", followup.country, name="country"),
]
