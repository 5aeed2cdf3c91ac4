"""``/agreements/minutes/``: issued minutes for participants; every version for staff."""

app_name = "minutes"

urlpatterns: list = []
