"""``/agreements/``: the workshop's agreements by session, live, and their follow-up."""

app_name = "agreements"

urlpatterns: list = []
