"""The Celery application. Workers: ``celery -A crm_workshop worker``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_workshop.settings.local")

app = Celery("crm_workshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
