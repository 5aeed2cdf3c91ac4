"""``/staff/agreements/``: follow-up of the agreements and their export (in the staff namespace)."""

urlpatterns: list = []
