"""Outside probe of a running site (issue 5): the checks that need no second factor.

Run against gunicorn started with the production settings (see bench/probe/README.md)::

    .venv/bin/python bench/probe/probe.py --port 8101 [--redis-down-port 8103]
        [--broker-silent-port 8104] [--db-down-port 8105]

Each line says ``ok`` or ``REPRODUCES`` with what was seen. Exit status 1 if any check fails.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client import Client

DEMO = "demo-crm-2022"
failures = []


def check(name: str, ok: bool, seen) -> None:
    print(f"{'ok        ' if ok else 'REPRODUCES'} {name}: {seen}")
    if not ok:
        failures.append(name)


def limited(response) -> bool:
    text = response.text.lower()
    return "demasiados" in text or "too many" in text


def one_door(port: int) -> None:
    anonymous = Client(port=port)
    response = anonymous.get("/admin/login/")
    check(
        "1 anonymous GET /admin/login/ hands over to allauth",
        response.status == 302 and (response.location or "").startswith("/accounts/login/"),
        response,
    )
    token = anonymous.get("/accounts/login/").csrf()
    statuses = set()
    for attempt in range(30):
        statuses.add(
            anonymous.post(
                "/admin/login/",
                {
                    "csrfmiddlewaretoken": token,
                    "username": "secretaria@crm-workshop.test",
                    "password": DEMO if attempt == 29 else f"wrong-{attempt}",
                },
            ).status
        )
    check(
        "1 /admin/login/ never signs in (30 POSTs, the last right)",
        anonymous.get("/admin/").status == 302 and "sessionid" not in anonymous.cookies,
        sorted(statuses),
    )
    moderator = Client(port=port)
    moderator.login("moderador@crm-workshop.test")
    token = moderator.get("/accounts/password/change/").csrf()
    response = moderator.post(
        "/admin/login/",
        {
            "csrfmiddlewaretoken": token,
            "username": "secretaria@crm-workshop.test",
            "password": DEMO,
        },
    )
    check(
        "1 a moderator's POST of staff credentials to /admin/login/ is refused",
        response.status == 403 and "moderador@" in moderator.get("/accounts/email/").text,
        response,
    )


def forged_forwarded_for(port: int) -> None:
    seen = []
    for n in range(12):
        client = Client(port=port, xff=f"10.9.{n}.1")
        response = client.form_post(
            "/accounts/login/", {"login": f"probe-{n}@example.org", "password": "wrong"}
        )
        seen.append("L" if limited(response) else response.status)
    check(
        "3 a forged X-Forwarded-For does not escape the per-address limit", "L" in seen[10:], seen
    )


def headers(port: int) -> None:
    for path in ("/", "/agenda/", "/accounts/login/", "/agenda.ics", "/healthz"):
        response = Client(port=port).get(path)
        csp = response.header("Content-Security-Policy") or ""
        check(
            f"9 CSP and Permissions-Policy on {path}",
            "unsafe-" not in csp
            and "default-src 'self'" in csp
            and bool(response.header("Permissions-Policy")),
            response,
        )


def fresh_visitor_csrf(port: int) -> None:
    """Whole-page caching must not hand one visitor another's CSRF token."""
    for path in ("/", "/agenda/", "/agenda/session/1/", "/en/agenda/"):
        seen = []
        for _ in range(2):
            client = Client(port=port)
            token = client.get(path).csrf()
            seen.append(
                client.post(
                    "/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "en", "next": path}
                ).status
            )
        check(f"  language switch from a fresh visitor's {path}", seen == [302, 302], seen)


def pages_up(port: int, label: str) -> None:
    client = Client(port=port)
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = client.get(path)
        check(f"{label} GET {path}", response.status == 200, response)
    response = client.form_post("/accounts/password/reset/", {"email": "nobody@example.org"})
    check(f"{label} POST /accounts/password/reset/", response.status == 302, response)
    seen = []
    for n in range(25):
        response = Client(port=port).form_post(
            "/accounts/login/", {"login": f"probe-down-{n}@example.org", "password": "wrong"}
        )
        seen.append("L" if limited(response) else response.status)
    check(f"{label} sign-in keeps a rate limit", 500 not in seen and "L" in seen, seen)


def healthz(port: int, label: str, failing: str) -> None:
    response = Client(port=port).get("/healthz")
    check(
        f"{label} /healthz 503 JSON naming {failing} within 3 s",
        response.status == 503 and f'"{failing}": false' in response.text and response.elapsed < 3,
        f"{response} {response.text}",
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-down-port", type=int)
    parser.add_argument("--broker-silent-port", type=int)
    parser.add_argument("--db-down-port", type=int)
    args = parser.parse_args()
    one_door(args.port)
    forged_forwarded_for(args.port)
    headers(args.port)
    fresh_visitor_csrf(args.port)
    if args.redis_down_port:
        pages_up(args.redis_down_port, "4 cache down:")
        healthz(args.redis_down_port, "6 cache down:", "cache")
    if args.broker_silent_port:
        healthz(args.broker_silent_port, "5 broker silent:", "broker")
    if args.db_down_port:
        healthz(args.db_down_port, "6 database down:", "database")
    print(f"{len(failures)} reproduce" if failures else "all gone")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
