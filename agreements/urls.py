"""``/agreements/``: the workshop's agreements by session, live, and their follow-up."""

from django.urls import path

from agreements.views import followup, index, live

app_name = "agreements"

urlpatterns = [
    path("", index.index, name="index"),
    path("session/<int:number>/live/", live.live, name="live"),
    path("session/<int:number>/live/poll/", live.live_poll, name="live_poll"),
    path("country/", followup.country, name="country"),
]
