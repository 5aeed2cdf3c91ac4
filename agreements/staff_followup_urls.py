"""``/staff/agreements/``: follow-up of the agreements and their export (in the staff namespace)."""

from django.urls import path

from agreements.views import followup

urlpatterns = [
    path("", followup.followup_list, name="agreements_followup"),
    path("<int:pk>/progress/", followup.record, name="agreements_record"),
    path("export.<str:fmt>", followup.export, name="agreements_export"),
]
