"""Production: no default secrets, HTTPS only, static files hashed and compressed.

Starting without SECRET_KEY, ALLOWED_HOSTS or SITE_URL raises ImproperlyConfigured on purpose;
so does a SITE_URL that is not https or whose host the site does not serve (links in e-mails
would point elsewhere, and Message-IDs are made on that host).
"""

from urllib.parse import urlsplit

from django.http.request import validate_host

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="").strip()  # checked below, once the others are

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
if not SITE_URL:
    raise ImproperlyConfigured(
        "Set the SITE_URL environment variable: the site's https:// address, used in the links "
        "of every e-mail (e.g. https://crm.example.org)"
    )
_site = urlsplit(SITE_URL)
if (
    _site.scheme != "https"
    or not _site.hostname
    or _site.username
    or _site.password
    or _site.query
    or _site.fragment
):
    raise ImproperlyConfigured(
        f"SITE_URL must be an https:// address such as https://crm.example.org (it is {SITE_URL!r})"
    )
if not validate_host(_site.hostname, ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        f"The host of SITE_URL ({_site.hostname}) must be one of ALLOWED_HOSTS "
        f"({', '.join(ALLOWED_HOSTS)})"
    )
