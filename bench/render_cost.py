"""In-process cost of one public page request in each cache state.

Usage: .venv/bin/python bench/render_cost.py [requests]
Uses a throwaway SQLite file and a LocMem cache; prints CPU milliseconds per request for
/, /agenda/ and /agenda/session/1/:
- anonymous, whole response cached (agenda.page_cache);
- anonymous with a session cookie (so rendered: header, switcher, notice) on cached content;
- signed in (a delegate whose zone comes from her delegation), content cached;
- every cache cleared before each request (queries and full template render).
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

from agenda.page_cache import clear_process_cache  # noqa: E402
from participants.models import User  # noqa: E402

requests = int(sys.argv[1]) if len(sys.argv) > 1 else 300
call_command("migrate", verbosity=0)
call_command("seed_demo", force=True, verbosity=0)
anonymous = Client()
signed_in = Client()
signed_in.force_login(User.objects.get(email="delegada.mx@crm-workshop.test"))


def clear_caches(client):
    cache.clear()
    clear_process_cache()


def unknown_session(client):
    # Anonymous, but with a session cookie: never served from the page cache. (The answer
    # deletes the unknown cookie, so it is set again before each request.)
    client.cookies["sessionid"] = "no-such-session"


def cost(client, url, prepare=lambda client: None) -> float:
    assert client.get(url).status_code == 200
    start = time.process_time()
    for _ in range(requests):
        prepare(client)
        client.get(url)
    return (time.process_time() - start) / requests * 1000


for _ in range(300):  # warm-up: a process's first few hundred requests are slower
    for url in ("/", "/agenda/", "/agenda/session/1/"):
        anonymous.get(url)
print("| URL | anonymous, cached page | anonymous, rendered | signed in | caches cleared |")
print("| --- | --- | --- | --- | --- |")
for url in ("/", "/agenda/", "/agenda/session/1/"):
    costs = [
        cost(anonymous, url),
        cost(anonymous, url, unknown_session),
        cost(signed_in, url),
        cost(anonymous, url, clear_caches),
    ]
    print(f"| `{url}` | " + " | ".join(f"{ms:.2f} ms" for ms in costs) + " |")
