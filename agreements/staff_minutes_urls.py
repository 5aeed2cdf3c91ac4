"""``/staff/minutes/``: render, follow and issue the minutes (in the staff namespace)."""

urlpatterns: list = []
