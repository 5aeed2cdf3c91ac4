from django.urls import path

from crm_workshop.signin import views

urlpatterns = [
    path("", views.enrolment_request, name="staff_mfa_enrolment"),
    path("<str:token>/", views.enrolment_link, name="staff_mfa_enrolment_link"),
]
