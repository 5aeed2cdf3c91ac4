"""Settings for the test suite. DATABASE_URL / REDIS_URL switch it to real services."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105 - never used outside the test suite
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_DELIVERY_BACKEND = env(
    "TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
MEDIA_ROOT = env("MEDIA_ROOT", default="/tmp/crm_workshop_test_media")  # noqa: S108

# Tasks run inline even when CELERY_BROKER_URL is set (CI's second pass); tests/services/
# switch this off themselves to talk to a real worker through Redis.
CELERY_TASK_ALWAYS_EAGER = True
