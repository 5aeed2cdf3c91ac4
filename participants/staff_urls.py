"""Staff pages under ``/staff/`` (behind the same second factor as the admin)."""

app_name = "staff"

urlpatterns: list = []
