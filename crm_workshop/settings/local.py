"""Laptop defaults: SQLite, tasks inline, e-mail printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Demo accounts sign in at once on a laptop; production verifies every address.
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")

# --- Admin (Secretaría Ejecutiva) ------------------------------------------------------------
# The laptop demo enters the admin with a password only; production keeps the base default.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=False)
