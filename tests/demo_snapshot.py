"""``seed_demo`` once per process, replayed as plain INSERTs in every later test.

``seed_demo`` asks about 1,200 questions of the database (0.3–0.4 s); some 750 tests need the
seeded workshop. The first test that needs it runs the real command and records what it
wrote: for each table, the rows it added, changed and removed. Later tests start from the same
database (each test's transaction is rolled back) and get those rows written back directly,
in a few dozen statements.

The replay is used only when it must give what the command would:

* every table holds exactly as many rows, with the same lowest and highest primary key, as when
  the snapshot was taken (so nothing the test made first could change what the seed does or
  collide with it, and the rows the seed points at, such as permissions, are still there);
* the clock is within ``MAX_AGE`` of the snapshot and on the same day in UTC (the seed dates
  the demo's deadlines from today; a test that moved the clock gets the real seed);
* the same database vendor.

Anything else, or any database error during the replay (rolled back to a savepoint), runs the
real command, which also takes a new snapshot. ``DEMO_SNAPSHOT=0`` turns the replay off.
"""

from __future__ import annotations

import datetime as dt
import os

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

MAX_AGE = dt.timedelta(minutes=10)

_snapshot: dict | None = None


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _fingerprint(keys: dict[str, str]) -> dict[str, tuple]:
    """table → (row count, lowest and highest primary key), in one query: rows deleted and
    made again (a flush, then post_migrate's permissions) get new keys and show here."""
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{t}', COUNT(*), CAST(MIN({qn(pk)}) AS TEXT), CAST(MAX({qn(pk)}) AS TEXT) "  # noqa: S608 - names come from Django's introspection
        f"FROM {qn(t)}"
        for t, pk in keys.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _read(tables: list[str]) -> dict[str, tuple[list[str], str, dict]]:
    """table → (columns, primary key column, {pk: row})"""
    qn = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for table in tables:
            pk = connection.introspection.get_primary_key_column(cursor, table)
            if pk is None:
                raise LookupError(table)
            cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608
            columns = [col[0] for col in cursor.description]
            index = columns.index(pk)
            state[table] = (columns, pk, {row[index]: row for row in cursor.fetchall()})
    return state


def _adapt(value):
    if connection.vendor == "postgresql" and isinstance(value, dict | list):
        from psycopg2.extras import Json

        return Json(value)
    return value


def _seed_and_capture() -> None:
    global _snapshot
    tables = _tables()
    try:
        before = _read(tables)
    except LookupError:
        _snapshot = None
        call_command("seed_demo", force=True, verbosity=0)
        return
    taken_at = timezone.now()
    fingerprint_before = _fingerprint({table: before[table][1] for table in tables})
    call_command("seed_demo", force=True, verbosity=0)
    after = _read(tables)
    changes = {}
    for table in tables:
        columns, pk, old = before[table]
        _columns, _pk, new = after[table]
        added = [row for key, row in new.items() if key not in old]
        changed = [row for key, row in new.items() if key in old and old[key] != row]
        removed = [key for key in old if key not in new]
        if added or changed or removed:
            changes[table] = (columns, pk, added, changed, removed)
    keys = {table: before[table][1] for table in tables}
    _snapshot = {
        "vendor": connection.vendor,
        "taken_at": taken_at,
        "keys": keys,
        "fingerprint": fingerprint_before,
        "changes": changes,
    }


def _replay() -> bool:
    snapshot = _snapshot
    if snapshot is None or snapshot["vendor"] != connection.vendor:
        return False
    now = timezone.now()
    if abs(now - snapshot["taken_at"]) > MAX_AGE or now.date() != snapshot["taken_at"].date():
        return False
    if _fingerprint(snapshot["keys"]) != snapshot["fingerprint"]:
        return False
    qn = connection.ops.quote_name
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, (columns, pk, added, changed, removed) in snapshot["changes"].items():
                if removed:
                    marks = ", ".join(["%s"] * len(removed))
                    cursor.execute(
                        f"DELETE FROM {qn(table)} WHERE {qn(pk)} IN ({marks})",  # noqa: S608
                        removed,
                    )
                rows = changed + added
                if changed:
                    marks = ", ".join(["%s"] * len(changed))
                    index = columns.index(pk)
                    cursor.execute(
                        f"DELETE FROM {qn(table)} WHERE {qn(pk)} IN ({marks})",  # noqa: S608
                        [row[index] for row in changed],
                    )
                if rows:
                    names = ", ".join(qn(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(
                        f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})",  # noqa: S608
                        [[_adapt(value) for value in row] for row in rows],
                    )
    except DatabaseError:
        return False
    return True


def seed_demo() -> None:
    """What ``manage.py seed_demo --force`` does to the test database, fast when it can."""
    if os.environ.get("DEMO_SNAPSHOT", "1") != "0" and _replay():
        return
    _seed_and_capture()
