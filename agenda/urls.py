from django.urls import path

from agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.home, name="home"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/session/<int:number>/", views.session, name="session"),
    path("agenda.ics", views.ics, name="ics"),
]
