"""``/moderation/``: the moderator console of each session."""

from django.urls import path

from agreements.views import console

app_name = "moderation"

urlpatterns = [
    path("session/<int:number>/", console.console, name="console"),
    path("session/<int:number>/close/", console.session_close, name="close"),
    path("session/<int:number>/reopen/", console.session_reopen, name="reopen"),
    path("session/<int:number>/agreement/<int:pk>/", console.agreement_edit, name="edit"),
    path("session/<int:number>/agreement/<int:pk>/move/", console.agreement_move, name="move"),
    path(
        "session/<int:number>/agreement/<int:pk>/status/",
        console.agreement_status,
        name="status",
    ),
]
