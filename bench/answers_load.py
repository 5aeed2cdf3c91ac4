"""110 delegates answering in the same 10 seconds before the deadline (issue #7, point 8).

What it does, on PostgreSQL with gunicorn and the production settings:

1. Creates a fresh database (``BENCH_DB``, default ``crm_answers_bench``), migrates it, loads the
   demo workshop (``seed_demo``: 8 questions distributed to 11 countries), and adds 10 approved
   delegates per country (110), the first of each the country's focal point. Every delegate is
   signed in (a real session row, as the sign-in view would write it).
2. Starts ``gunicorn crm_workshop.wsgi`` (``-w 4``, sync) on loopback.
3. **Before the deadline.** Each delegate, at a random moment of the same 10-second window,
   opens one of the country's 8 answers (GET), and saves a draft (POST) whose text names the
   country, the question and the delegate. Two delegates of a country share each of questions
   1 and 2 and open them within 20 ms of each other, so their saves race: one is saved, the
   other meets a version conflict (409) and is shown both texts; nothing is overwritten.
   Then, in the same window, each country's focal point submits the country's 8 answers
   (GET + POST ``action=submit``; after a conflict she keeps her text, as a person would).
4. **After the deadline.** The deadlines are moved one minute into the past and the same run is
   repeated: every write must be refused and the database must not change.

Checks (the run exits 1 if any fails): no 5xx and no transport error; every POST answered
302 (saved) or 409 (conflict) before the deadline, never 302 after it; every saved text is in
the answer's history under the writer's name; every final answer holds a text of its own
country and question (nothing lost or mixed up); all 88 answers submitted; p95 latency under
300 ms over all requests of the window before the deadline.

Usage: .venv/bin/python bench/answers_load.py [--window 10] [--workers 4]
Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and the venv; listens on loopback.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DELEGATES_PER_COUNTRY = 10
QUESTIONS = [f"TQ-S{s}-{n}" for s in (1, 2) for n in (1, 2, 3, 4)]


def _environment(db_name: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="crm_workshop.settings.production",
        DJANGO_READ_DOT_ENV_FILE="False",
        SECRET_KEY="bench-only-" + secrets.token_hex(16),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="https://localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        STATIC_ROOT=str(Path("/tmp") / f"{db_name}-static"),
        LOG_LEVEL="WARNING",
    )
    # No broker: e-mails (none are sent by answering) would run inline; the cache is local.
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qAtc", sql], check=True
    )


def prepare(db_name: str, env: dict[str, str]) -> None:
    _psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{db_name}"')
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "--force", "-v0"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_delegates() -> list[dict]:
    """110 approved delegates with a signed-in session each: [{country, user_id, cookie}]."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from agenda.models import Workshop
    from participants.models import Participant, User

    workshop = Workshop.objects.get()
    delegates = []
    for delegation in workshop.delegations.select_related("country").order_by("country_id"):
        code = delegation.country_id
        for number in range(DELEGATES_PER_COUNTRY):
            user = User.objects.create_user(
                username=f"bench.{code}.{number}",
                email=f"bench.{code.lower()}.{number}@crm-workshop.test",
                first_name=f"Bench {number}",
                last_name=code,
            )
            Participant.objects.create(
                user=user,
                workshop=workshop,
                role=Participant.Role.DELEGATE,
                delegation=delegation,
                registration_status=Participant.RegistrationStatus.APPROVED,
            )
            if number == 0:
                delegation.focal_point = user
                delegation.save(update_fields=["focal_point"])
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            delegates.append(
                {
                    "country": code,
                    "number": number,
                    "user_id": user.pk,
                    "session": session.session_key,
                }
            )
    return delegates


class Client:
    """One delegate's browser: a session cookie, a CSRF cookie, a keep-alive connection."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        self.cookies = {"sessionid": session_key}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            content = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return None, str(error), time.perf_counter() - started
        elapsed = time.perf_counter() - started
        self.location = response.getheader("Location", "")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content, elapsed


FORM_RE = {
    "csrf": re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"'),
    "version": re.compile(r'name="version" value="(\d+)"'),
}


def _form_fields(html: str, *, closed: bool) -> dict[str, str] | None:
    """The CSRF token and the version of the answer form. After the deadline the page may
    show no answer form; the writer then posts anyway (as a stale tab would), with the CSRF
    token of the page's other form (the language switcher) and the version it last saw."""
    csrf = FORM_RE["csrf"].search(html)
    version = FORM_RE["version"].search(html)
    if csrf is None or (version is None and not closed):
        return None
    return {"csrfmiddlewaretoken": csrf.group(1), "version": version.group(1) if version else "1"}


def answer_text(country: str, code: str, number: int, step: str) -> str:
    return f"{country}/{code}: {step} de delegado {number} ({secrets.token_hex(4)})"


def run_window(
    *, port: int, delegates: list[dict], window: float, log: list, lock, closed: bool = False
) -> None:
    """Drafts by all 110, then the focal points' submissions, in one window of ``window`` s."""
    start = time.monotonic() + 0.5
    by_country: dict[str, list[dict]] = {}
    for delegate in delegates:
        by_country.setdefault(delegate["country"], []).append(delegate)

    def record(**entry):
        with lock:
            log.append(entry)

    # One moment per country and question: the two delegates of a country who share a
    # question (numbers 0 and 8, 1 and 9) open it within 20 ms of each other, so their saves
    # race for the same version.
    moments = {
        (delegate["country"], code): start + random.uniform(0, window * 0.6)
        for delegate in delegates
        for code in QUESTIONS
    }

    def draft(delegate):
        code = QUESTIONS[delegate["number"] % len(QUESTIONS)]
        moment = moments[(delegate["country"], code)] + random.uniform(0, 0.02)
        time.sleep(max(0.0, moment - time.monotonic()))
        client = Client(port, delegate["session"])
        path = f"/consultations/{code}/"
        status, html, elapsed = client.request("GET", path)
        record(
            kind="GET",
            status=status,
            elapsed=elapsed,
            location=getattr(client, "location", ""),
            **_who(delegate, code),
        )
        fields = _form_fields(html, closed=closed) if status == 200 else None
        if fields is None and closed:
            fields = _form_fields(client.request("GET", "/home/preferences/")[1], closed=True)
        if fields is None:
            record(kind="no-form", status=status, elapsed=0.0, **_who(delegate, code))
            return
        text = answer_text(delegate["country"], code, delegate["number"], "borrador")
        status, _html, elapsed = client.request(
            "POST", path, {**fields, "text": text, "action": "save"}
        )
        record(kind="save", status=status, elapsed=elapsed, text=text, **_who(delegate, code))

    def submit_all(focal):
        moment = start + window * 0.6 + random.uniform(0, window * 0.35)
        time.sleep(max(0.0, moment - time.monotonic()))
        client = Client(port, focal["session"])
        if closed:
            fallback = _form_fields(client.request("GET", "/home/preferences/")[1], closed=True)
        for code in QUESTIONS:
            path = f"/consultations/{code}/"
            status, html, elapsed = client.request("GET", path)
            record(kind="GET", status=status, elapsed=elapsed, **_who(focal, code))
            fields = _form_fields(html, closed=closed) if status == 200 else None
            if fields is None and closed:
                fields = fallback
            if fields is None:
                record(kind="no-form", status=status, elapsed=0.0, **_who(focal, code))
                continue
            text = answer_text(focal["country"], code, focal["number"], "final")
            # A colleague may save a draft between this GET and the POST: the focal point
            # then sees both texts and keeps hers (the conflict form carries the new version),
            # as a person would; at most three times.
            for _attempt in range(3):
                status, html, elapsed = client.request(
                    "POST", path, {**fields, "text": text, "action": "submit"}
                )
                record(
                    kind="submit", status=status, elapsed=elapsed, text=text, **_who(focal, code)
                )
                if status != 409 or closed:
                    break
                fields = _form_fields(html, closed=False)
                if fields is None:
                    break

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(delegates) + 11) as pool:
        futures = [pool.submit(draft, d) for d in delegates]
        futures += [pool.submit(submit_all, members[0]) for members in by_country.values()]
        for future in futures:
            future.result()


def _who(delegate: dict, code: str) -> dict:
    return {"country": delegate["country"], "user_id": delegate["user_id"], "code": code}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else 0.0


def summarise(label: str, log: list[dict]) -> dict:
    timed = [e["elapsed"] for e in log if e["kind"] in ("GET", "save", "submit")]
    statuses: dict[str, dict[str, int]] = {}
    for entry in log:
        statuses.setdefault(entry["kind"], {}).setdefault(str(entry["status"]), 0)
        statuses[entry["kind"]][str(entry["status"])] += 1
    result = {
        "run": label,
        "requests": len(timed),
        "p50_ms": round(statistics.median(timed) * 1000, 1) if timed else None,
        "p95_ms": round(p95(timed) * 1000, 1),
        "max_ms": round(max(timed) * 1000, 1) if timed else None,
        "statuses": statuses,
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


def check_before(log: list[dict], problems: list[str]) -> None:
    from consultations.models import Answer

    for entry in log:
        if entry["status"] is None or (isinstance(entry["status"], int) and entry["status"] >= 500):
            problems.append(f"before: {entry['kind']} {entry['code']} → {entry['status']}")
        if entry["kind"] == "GET" and entry["status"] != 200:
            problems.append(
                f"before: GET {entry['code']} answered {entry['status']} {entry.get('location')}"
            )
        if entry["kind"] == "no-form":
            problems.append(f"before: no form on {entry['code']} for {entry['country']}")
        if entry["kind"] in ("save", "submit") and entry["status"] not in (302, 409):
            problems.append(f"before: {entry['kind']} {entry['code']} answered {entry['status']}")
    saved = [e for e in log if e["kind"] in ("save", "submit") and e["status"] == 302]
    history = {
        (row.question.code, row.delegation.country_id, row.text, row.edited_by_id)
        for row in Answer.history.select_related("question", "delegation")
    }
    for entry in saved:
        key = (entry["code"], entry["country"], entry["text"], entry["user_id"])
        if key not in history:
            problems.append(f"lost: {key}")
    answers = list(Answer.objects.select_related("question", "delegation"))
    for answer in answers:
        prefix = f"{answer.delegation.country_id}/{answer.question.code}: "
        if not answer.text.startswith(prefix):
            problems.append(f"mixed up: {prefix!r} holds {answer.text[:60]!r}")
    submitted = sum(1 for a in answers if a.status == Answer.Status.SUBMITTED)
    if submitted != 88:
        problems.append(f"{submitted} of 88 answers submitted")
    print(json.dumps({"answers": len(answers), "submitted": submitted, "saved_posts": len(saved)}))


def check_after(log: list[dict], before_state, problems: list[str]) -> None:
    posted = [e for e in log if e["kind"] in ("save", "submit")]
    if len(posted) < 110 + 88:
        problems.append(f"after the deadline only {len(posted)} of 198 writes were attempted")
    for entry in log:
        if entry["status"] is None or (isinstance(entry["status"], int) and entry["status"] >= 500):
            problems.append(f"after: {entry['kind']} {entry['code']} → {entry['status']}")
        if entry["kind"] in ("save", "submit") and entry["status"] == 302:
            problems.append(f"after the deadline a write answered 302: {entry['code']}")
    if database_state() != before_state:
        problems.append("after the deadline the answers changed")


def database_state():
    from consultations.models import Answer

    return (
        sorted(Answer.objects.values_list("pk", "version", "status", "text")),
        Answer.history.count(),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8775)))
    args = parser.parse_args()
    db_name = os.environ.get("BENCH_DB", "crm_answers_bench")
    env = _environment(db_name, args.port)
    prepare(db_name, env)
    django_setup(env)
    from django.db import connection
    from django.utils import timezone

    from consultations.models import TriggerQuestion

    delegates = make_delegates()
    connection.close()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "crm_workshop.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    problems: list[str] = []
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.1)
        # Warm each worker (imports, template loading) as a deployed server would be.
        warm = Client(args.port, delegates[0]["session"])
        for _ in range(args.workers * 4):
            warm.request("GET", "/consultations/")
        lock = threading.Lock()
        before: list[dict] = []
        run_window(port=args.port, delegates=delegates, window=args.window, log=before, lock=lock)
        result = summarise("before the deadline", before)
        check_before(before, problems)
        if result["p95_ms"] >= 300:
            problems.append(f"p95 {result['p95_ms']} ms ≥ 300 ms")

        TriggerQuestion.objects.update(deadline=timezone.now() - timezone.timedelta(minutes=1))
        from consultations.models import Answer, QuestionAssignment

        QuestionAssignment.objects.update(deadline_extended_to=None)
        Answer.objects.update(status=Answer.Status.DRAFT)  # so the refusal is the deadline's
        state = database_state()
        connection.close()
        after: list[dict] = []
        run_window(
            port=args.port,
            delegates=delegates,
            window=args.window,
            log=after,
            lock=lock,
            closed=True,
        )
        summarise("after the deadline", after)
        check_after(after, state, problems)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for problem in problems[:50]:
        print("PROBLEM:", problem)
    print("RESULT:", "FAIL" if problems else "PASS", f"({len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
