"""Production: no default secrets, HTTPS only, static files hashed and compressed.

Starting without SECRET_KEY or ALLOWED_HOSTS raises ImproperlyConfigured on purpose.
"""

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The language choice travels like the session: over HTTPS only, not to cross-site
# subrequests, and out of reach of scripts (only the server reads it).
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Setup/CI: an empty value is as bad as a missing one --------------------------------------
# (``SECRET_KEY=`` in a compose file would otherwise start a site whose sessions anyone can forge.)
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

if not SECRET_KEY.strip():
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable (it is empty)")
if not [host for host in ALLOWED_HOSTS if host.strip()]:
    raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable (it is empty)")
