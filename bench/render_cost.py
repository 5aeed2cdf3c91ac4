"""In-process cost of one /agenda/ request, with the rendered-agenda cache warm and cold.

Usage: .venv/bin/python bench/render_cost.py [requests]
Uses a throwaway SQLite file and a LocMem cache; prints milliseconds per request.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    DJANGO_SETTINGS_MODULE="crm_workshop.settings.local",
    DJANGO_DEBUG="false",
    ALLOWED_HOSTS="testserver",
    LOG_LEVEL="ERROR",
    DATABASE_URL=f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3",
)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

requests = int(sys.argv[1]) if len(sys.argv) > 1 else 300
call_command("migrate", verbosity=0)
call_command("seed_demo", force=True, verbosity=0)
client = Client()
assert client.get("/agenda/").status_code == 200

start = time.perf_counter()
for _ in range(requests):
    client.get("/agenda/")
warm = (time.perf_counter() - start) / requests * 1000

start = time.perf_counter()
for _ in range(requests):
    cache.clear()
    client.get("/agenda/")
cold = (time.perf_counter() - start) / requests * 1000

print(f"/agenda/ warm cache: {warm:.2f} ms/request")
print(f"/agenda/ cold cache: {cold:.2f} ms/request (data loaded and templates rendered)")
