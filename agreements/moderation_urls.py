"""``/moderation/``: the moderator console of each session."""

app_name = "moderation"

urlpatterns: list = []
