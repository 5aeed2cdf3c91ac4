"""Settings shared by every environment.

Every value that differs between machines comes from the environment through the one
``env`` object below (cookiecutter-django style). ``local``, ``test`` and ``production``
only change what they must.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "crm_workshop.signin.apps.AdminConfig",  # django.contrib.admin without its password form
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",  # its system checks (a string EXCLUDE_URL_PREFIXES would exempt every path)
    "simple_history",
    "import_export",  # the admin's invitee import (preview, validate, confirm) and exports
    "crm_workshop",
    "participants",
    "agenda",
    "consultations",
    "agreements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "crm_workshop.security_headers.CSPMiddleware",  # django-csp, policy built once
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "crm_workshop.urls"
WSGI_APPLICATION = "crm_workshop.wsgi.application"
AUTH_USER_MODEL = "participants.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data ----------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database costs a request 2 s (libpq's minimum), not the OS's TCP
    # timeout; a runaway query is cancelled before gunicorn kills the worker (30 s).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"connect_timeout": 2, "options": "-c statement_timeout=25s"}
    )

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # A shared cache is what makes allauth's rate limits real across workers.
    CACHES = {
        "default": {
            # Redis down or hung: a per-process cache answers instead (logged), so pages
            # and allauth's rate limits keep working; see crm_workshop/cache.py.
            "BACKEND": "crm_workshop.cache.RedisCacheWithFallback",
            "LOCATION": REDIS_URL,
            # A hung Redis costs one call a second, then is skipped for a back-off.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work (Celery) -----------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
# No broker configured: tasks run inline in the request, so a laptop needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed mid-task must not lose the task: acknowledge only after it ran.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when Redis is down or hung (crm_workshop.broker.task_publish
# makes one attempt): one connection attempt, and no socket wait longer than a second. The
# outbox row keeps the work.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "max_retries": 0,
    "interval_start": 0,
}
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "participants-invitation-outbox-sweep": {
        "task": "participants.invitation_outbox_sweep",
        "schedule": 300.0,
    },
    "participants-notification-outbox-sweep": {
        "task": "participants.notification_outbox_sweep",
        "schedule": 300.0,
    },
    # Each run writes the reminders now due (once per person and session, see
    # participants.notifications.session_reminders_create); a missed run is caught up by the next.
    "participants-session-reminders": {
        "task": "participants.session_reminders",
        "schedule": 300.0,
    },
    # Reminders before a country's answer deadline (once per delegate and deadline).
    "consultations-answer-reminders": {
        "task": "consultations.answer_reminders",
        "schedule": 300.0,
    },
    # Compendium renders the broker lost (their row stays queued) are published again.
    "consultations-compendium-sweep": {
        "task": "consultations.compendium_sweep",
        "schedule": 300.0,
    },
    # Minutes renders the broker lost, or left rendering by a dead worker, are published
    # again, at most MINUTES_MAX_ATTEMPTS times each; then the row is marked failed.
    "agreements-minutes-sweep": {
        "task": "agreements.minutes_sweep",
        "schedule": 300.0,
    },
}

# --- E-mail ---------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Every message passes through crm_workshop.mail (site Message-ID, Date with offset, RFC 2047
# subject), which hands it to the backend EMAIL_URL names.
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "crm_workshop.mail.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Secretaría Ejecutiva CRM <no-reply@crm-workshop.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where participants write to the Secretaría (named in notifications, and their Reply-To).
SECRETARIAT_EMAIL = env("SECRETARIAT_EMAIL", default="secretaria@crm-workshop.invalid")

# --- Accounts (django-allauth) -----------------------------------------------------------------

# One door: allauth's backend alone (a ModelBackend, so permissions work as usual); every
# sign-in goes through allauth's views, the admin's login page only hands over to them.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "participants:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Without django.contrib.sites allauth would prefix subjects with the request's Host header.
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CRM] "
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
# People are shown by name (else e-mail), never by the internal username allauth generates.
ACCOUNT_USER_DISPLAY = str  # participants.User.__str__
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CRM Workshop"
# Staff rules (crm_workshop.signin): a staff member's second factor changes only after a
# fresh authenticator-app code; the first one comes through a link e-mailed to them.
ACCOUNT_ADAPTER = "crm_workshop.signin.adapters.AccountAdapter"
MFA_ADAPTER = "crm_workshop.signin.adapters.MFAAdapter"
ACCOUNT_FORMS = {
    "add_email": "crm_workshop.signin.forms.StaffAddEmailForm",
    # Names and participation (country or organisation…); invitation links fix the e-mail.
    "signup": "participants.forms.ParticipantSignupForm",
}
MFA_FORMS = {
    "activate_totp": "crm_workshop.signin.forms.StaffActivateTOTPForm",
    "generate_recovery_codes": "crm_workshop.signin.forms.StaffGenerateRecoveryCodesForm",
}
ACCOUNT_RATE_LIMITS = {"staff_mfa_enrolment_link": "3/h/user"}  # added to allauth's defaults
# Proxies in front of the site that append to X-Forwarded-For (0: none, use REMOTE_ADDR).
# allauth's rate limits count per client address; behind a proxy without this every
# visitor shares the proxy's address, with it a direct client cannot forge its address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)

# --- Workshop rules ------------------------------------------------------------------------------

# An invitation link works this many days after the invitation was sent (then: a clear message).
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=30)
# Approved participants are e-mailed this many hours before each session starts.
SESSION_REMINDER_LEAD_HOURS = env.int("SESSION_REMINDER_LEAD_HOURS", default=24)
# Trigger questions: the longest answer a delegation may save (characters), and how many hours
# before a country's deadline its approved delegates are reminded (once per deadline).
ANSWER_MAX_CHARS = env.int("ANSWER_MAX_CHARS", default=20000)
ANSWER_REMINDER_LEAD_HOURS = env.int("ANSWER_REMINDER_LEAD_HOURS", default=48)
# The PDF compendium of answers: a render that takes longer is stopped and marked failed.
COMPENDIUM_TIME_LIMIT_SECONDS = env.int("COMPENDIUM_TIME_LIMIT_SECONDS", default=300)
# The PDF minutes: the same kind of limit, and how many times a render is started at most.
MINUTES_TIME_LIMIT_SECONDS = env.int("MINUTES_TIME_LIMIT_SECONDS", default=180)
MINUTES_MAX_ATTEMPTS = env.int("MINUTES_MAX_ATTEMPTS", default=3)
# The live view of a session's agreements asks the server this often (seconds).
AGREEMENTS_POLL_SECONDS = env.int("AGREEMENTS_POLL_SECONDS", default=2)
# Largest CSV/XLSX staff may upload (invitees, attendance reports).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)

# django-import-export: an import is written in one transaction or not at all. Its own
# formula escaping (which deletes a leading "=") stays off: every export goes through
# crm_workshop.exports.formula_safe, which keeps the text and neutralises = + - @ tab CR.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- Internationalisation and time ----------------------------------------------------------------

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"  # stored in UTC; every page says which zone it shows
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step of every page at INFO (60 lines for a 7-page PDF):
    # only its warnings (a style it ignored, a resource it refused) are worth a log line.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Security headers -----------------------------------------------------------------------
# Here, not in production.py: every environment and every test runs under the same policy, so
# an inline script, style="" or third-party file fails in the suite (tests/e2e/test_csp.py)
# before it reaches a browser. Scripts and styles are files under static/ (Bootstrap is in
# static/vendor/). No nonce: nothing needs one, and a per-response nonce would not survive
# whole-page caching; a script that seems to need one belongs in static/js/ instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # allauth draws the TOTP QR code as a data: URI <img>
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Browser features the portal never uses, off for it and for anything it might embed.
# Only features Chromium knows (it logs an error for others; tests/e2e/test_csp.py fails on it).
# publickey-credentials-* keep their "self" default, for allauth's WebAuthn if it is turned on.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Admin (Secretaría Ejecutiva) ------------------------------------------------------------
# Staff reach /admin/ only after a second factor (allauth MFA); see crm_workshop.signin.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=True)
MIDDLEWARE += ["crm_workshop.signin.middleware.AdminMFAMiddleware"]  # after auth and messages
