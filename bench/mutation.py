"""Mutation testing of the foundation (issue #5, point 14) with mutmut 3, module by module.

Usage (from the repository root; nothing is installed at run time, mutmut comes from
requirements-dev.txt)::

    .venv/bin/python bench/mutation.py                 # every module, 2 at a time, 20 min at most
    .venv/bin/python bench/mutation.py agenda/ics.py   # only the modules named
    .venv/bin/python bench/mutation.py --list          # the module -> tests mapping, no run
    .venv/bin/python bench/mutation.py --report        # the last run's table again

Each module (or package, see MODULES) runs in its own scratch copy (``.mutation/<module>/``,
git- and ruff-ignored): mutmut copies the project into ``mutants/`` there, mutates only that
module, runs the mapped test files once to learn which test reaches which function, then runs
each mutant against the tests that reach its function only (``-x``: the first failure kills
it). Modules run in parallel (``--jobs``, default: twice the cores), one mutmut worker
each. The test database is built without migrations while no migration carries data
(RunPython/RunSQL), which is much faster per mutant; the run always uses SQLite and the
local-memory cache, whatever the shell's environment.

mutmut 3 mutates only function bodies: module-level code (settings) and decorated functions
(Celery tasks, ``@cache``/``@lru_cache`` helpers, decorated views) are not mutated; the table
counts those functions in "not mutated".

Survivors judged equivalent are listed, each with its reason, in bench/mutation_equivalent.tsv
(summarised in bench/MUTATION.md); the table gives the score with them and without them.
Every other survivor is written with its diff to ``.mutation/survivors.txt``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import fnmatch
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"

# The modules of issue #5 point 14, each with the test files about it. A key may be a glob
# (a package is one run, one row). Tests are glob patterns resolved at run time, so the
# behaviour-named test files that come with a module are picked up without editing this table;
# every test file that names a module's dotted path (an import) joins its list too.
MODULES: dict[str, list[str]] = {
    "crm_workshop/admin.py": ["tests/test_admin.py", "tests/test_admin_*.py"],
    "crm_workshop/broker.py": ["tests/participants/test_broker*.py", "tests/test_healthz*.py"],
    "crm_workshop/cache.py": ["tests/test_cache*.py", "tests/test_healthz*.py"],
    "crm_workshop/outage.py": ["tests/test_cache*.py", "tests/test_healthz*.py"],
    "crm_workshop/forms.py": ["tests/test_optimistic_locking*.py", "tests/test_*version*.py"],
    "crm_workshop/i18n.py": [
        "tests/test_models.py",
        "tests/test_content_language*.py",
        "tests/agenda/test_ics.py",
    ],
    "crm_workshop/mail.py": ["tests/test_mail*.py", "tests/participants/test_invitation*.py"],
    "crm_workshop/models.py": ["tests/test_staff_enrolment*.py", "tests/test_models.py"],
    "crm_workshop/signin/*.py": [
        "tests/test_one_door*.py",
        "tests/test_signin*.py",
        "tests/test_staff_enrolment*.py",
        "tests/test_mfa*.py",
        "tests/test_admin_mfa.py",
        "tests/test_admin_permissions*.py",
        "tests/test_accounts*.py",
        "tests/test_account_*.py",
        "tests/test_trusted_proxy*.py",
        "tests/participants/test_signin_language*.py",
        "tests/participants/test_invitation_link*.py",
        "tests/participants/test_self_registration*.py",
    ],
    "crm_workshop/demo/*.py": ["tests/demo/test_seed*.py", "tests/agenda/test_seed_demo*.py"],
    "crm_workshop/management/commands/*.py": [
        "tests/demo/test_seed*.py",
        "tests/agenda/test_seed_demo*.py",
    ],
    "crm_workshop/timezones.py": [
        "tests/test_models.py",
        "tests/test_iana_zone*.py",
        "tests/agenda/test_timezones.py",
    ],
    "crm_workshop/validators.py": [
        "tests/test_validators*.py",
        "tests/test_line_breaks*.py",
        "tests/test_models.py",
    ],
    "crm_workshop/views.py": ["tests/test_healthz*.py", "tests/test_error_pages*.py"],
    "consultations/services.py": [
        "tests/consultations/test_services*.py",
        "tests/consultations/test_answer_*.py",
    ],
    "consultations/selectors.py": ["tests/consultations/test_answer_*.py"],
    "consultations/forms.py": ["tests/consultations/test_answer_*.py"],
    "consultations/compile.py": [
        "tests/consultations/test_compile_views.py",
        "tests/consultations/test_compile_exports.py",
        "tests/consultations/test_compile_compendium.py",
        "tests/consultations/test_compile_admin.py",
    ],
    "consultations/distribution.py": ["tests/consultations/test_distribution_*.py"],
    "consultations/notifications.py": [
        "tests/consultations/test_distribution_*.py",
        "tests/consultations/test_reminders_*.py",
    ],
    "consultations/followup.py": ["tests/consultations/test_follow_*.py"],
    "crm_workshop/pdf.py": [
        "tests/test_pdf_fetcher*.py",
        "tests/consultations/test_compile_compendium*.py",
    ],
    "agreements/services.py": [
        "tests/agreements/test_services*.py",
        "tests/agreements/test_console*.py",
    ],
    "agreements/rules.py": [
        "tests/agreements/test_rules*.py",
        "tests/agreements/test_signals*.py",
        "tests/agreements/test_console*.py",
        "tests/agreements/test_live*.py",
        "tests/agreements/test_index*.py",
        "tests/agreements/test_followup*.py",
        "tests/agreements/test_minutes*.py",
    ],
    "agreements/signals.py": [
        "tests/agreements/test_services*.py",
        "tests/agreements/test_live*.py",
    ],
    "agreements/selectors.py": [
        "tests/agreements/test_live*.py",
        "tests/agreements/test_index*.py",
    ],
    "agreements/followup.py": ["tests/agreements/test_followup*.py"],
    "agreements/minutes.py": ["tests/agreements/test_minutes*.py"],
    "agreements/notifications.py": ["tests/agreements/test_minutes*.py"],
    "consultations/rules.py": [
        "tests/consultations/test_services*.py",
        "tests/consultations/test_answer_*.py",
        "tests/consultations/test_compile_views.py",
        "tests/consultations/test_compile_exports.py",
    ],
    "participants/services.py": [
        "tests/participants/test_invitation*.py",
        "tests/participants/test_smtp*.py",
        "tests/participants/test_broker*.py",
        "tests/test_line_breaks*.py",
        "tests/test_mail_headers*.py",
    ],
    "participants/tasks.py": [
        "tests/participants/test_invitation*.py",
        "tests/participants/test_notifications*.py",
        "tests/participants/test_reminders*.py",
        "tests/participants/test_send_invitations*.py",
        "tests/participants/test_outbox*.py",
        "tests/participants/test_broker*.py",
        "tests/test_line_breaks*.py",
    ],
    # Issue 6: registration, homes, notifications, attendance, import/export.
    "participants/registration.py": [
        "tests/participants/test_invitation_link*.py",
        "tests/participants/test_self_registration*.py",
        "tests/participants/test_signin_language*.py",
        "tests/participants/test_registration*.py",
    ],
    "participants/forms.py": [
        "tests/participants/test_invitation_link*.py",
        "tests/participants/test_self_registration*.py",
        "tests/participants/test_attendance_*.py",
        "tests/participants/test_invitee_import*.py",
        "tests/participants/test_forms*.py",
    ],
    "participants/views/registration.py": [
        "tests/participants/test_invitation_link*.py",
        "tests/participants/test_self_registration*.py",
        "tests/participants/test_signin_language*.py",
        "tests/participants/test_views_registration*.py",
    ],
    "participants/views/home.py": [
        "tests/participants/test_home*.py",
        "tests/participants/test_delegation_page*.py",
        "tests/participants/test_conference_link*.py",
        "tests/participants/test_views_home*.py",
    ],
    "participants/views/staff.py": [
        "tests/participants/test_staff_dashboard*.py",
        "tests/participants/test_views_staff*.py",
    ],
    "participants/views/calendar.py": [
        "tests/participants/test_personal_calendar*.py",
        "tests/participants/test_views_calendar*.py",
    ],
    "participants/selectors.py": [
        "tests/participants/test_home*.py",
        "tests/participants/test_delegation_page*.py",
        "tests/participants/test_staff_dashboard*.py",
        "tests/participants/test_conference_link*.py",
        "tests/participants/test_selectors*.py",
    ],
    "participants/notifications.py": [
        "tests/participants/test_notifications*.py",
        "tests/participants/test_reminders*.py",
    ],
    "participants/attendance.py": [
        "tests/participants/test_attendance_*.py",
        "tests/participants/test_personal_calendar*.py",
    ],
    "participants/admin_attendance.py": ["tests/participants/test_attendance_*.py"],
    "participants/imports.py": [
        "tests/participants/test_invitee_import*.py",
        "tests/participants/test_imports*.py",
    ],
    "participants/resources.py": [
        "tests/participants/test_invitee_import*.py",
        "tests/participants/test_invitation_export*.py",
        "tests/participants/test_resources*.py",
    ],
    "participants/sending.py": [
        "tests/participants/test_send_invitations*.py",
        "tests/participants/test_sending*.py",
    ],
    "crm_workshop/exports.py": [
        "tests/test_exports*.py",
        "tests/participants/test_invitation_export*.py",
    ],
    "agenda/timezones.py": [
        "tests/agenda/test_timezone*.py",
        "tests/agenda/test_viewer_zone*.py",
        "tests/agenda/test_ics.py",
    ],
    "agenda/ics.py": [
        "tests/agenda/test_ics*.py",
        "tests/test_line_breaks*.py",
        "tests/participants/test_personal_calendar*.py",
    ],
    "agenda/selectors.py": [
        "tests/agenda/test_pages.py",
        "tests/agenda/test_ics.py",
        "tests/agenda/test_agenda_*.py",
        "tests/agenda/test_*cache*.py",
        "tests/test_*cache*.py",
    ],
}
# The demo loader (data tables and the code that writes them; moved here from agenda/seed.py by
# point 16, after the issue was written) costs more than the whole foundation: each of its ~500
# mutants reruns the seed tests. It runs only when named: bench/mutation.py crm_workshop/demo/*.py
ON_REQUEST = ("crm_workshop/demo/*.py", "crm_workshop/management/commands/*.py")
# Every other .py file under crm_workshop/ (outside settings/, migrations/) is a row of its own,
# run against tests/test_<stem>*.py, tests/*/test_<stem>*.py and the test files naming it; one
# with no test file is reported, not run.
AUTO_DISCOVER = ["crm_workshop"]
_DEFAULT_TESTS = ["tests/test_{stem}*.py", "tests/*/test_{stem}*.py"]
# A browser, or a real worker with PostgreSQL and Redis: never part of a mutation run.
_NOT_RUN_TESTS = ("tests/e2e/", "tests/services/")
NOT_MUTATED_DIRS = ("settings", "migrations")

# Survivors judged equivalent, one a line: module, function, change and reason, tab-separated.
# ``change`` is the mutant's diff in one line, "<removed code> ⟶ <added code>", as
# .mutation/survivors.txt prints it: matched on the code, not on mutmut's mutant number, so an
# entry survives edits elsewhere in the module (and stops matching when its line changes).
EQUIVALENT_FILE = ROOT / "bench" / "mutation_equivalent.tsv"


def equivalents() -> dict[tuple[str, str, str], str]:
    table = {}
    for line in EQUIVALENT_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            module, function, change, reason = line.split("\t")
            table[(module, function, change)] = reason
    return table


# Top-level entries of the repository that are neither copied nor linked into a scratch copy.
_SKIP = {
    ".git", ".venv", ".mutation", "mutants", "bench", "media", "staticfiles", "db.sqlite3",
    "node_modules", "test-results", ".pytest_cache", ".ruff_cache",
}  # fmt: skip
# Environment that would point the tests at shared services (and let parallel runs collide).
_SCRUB = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")


@dataclass
class Result:
    module: str
    tests: list[str]
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[tuple[str, str]] = field(default_factory=list)  # (mutant, diff)
    equivalent: list[tuple[str, str]] = field(default_factory=list)  # (mutant, reason)
    not_mutated: list[str] = field(default_factory=list)  # decorated functions
    error: str = ""


def mutable_functions(unit: str) -> tuple[int, list[str]]:
    """(functions mutmut 3 mutates, names of the decorated ones it leaves alone) in ``unit``."""
    count, skipped = 0, []
    for file in unit_files(unit):
        file_count, file_skipped = _mutable_functions(ROOT / file)
        count += file_count
        skipped += file_skipped
    return count, skipped


def _mutable_functions(path: Path) -> tuple[int, list[str]]:
    tree = ast.parse(path.read_text())
    count, skipped = 0, []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [d.id for d in node.decorator_list if isinstance(d, ast.Name)]
            if not node.decorator_list or (
                len(node.decorator_list) == 1 and names in (["staticmethod"], ["classmethod"])
            ):
                count += 1
            else:
                skipped.append(node.name)
    return count, skipped


def unit_files(unit: str) -> list[str]:
    """The files of a MODULES key (a path, or a glob for a package)."""
    return sorted(glob.glob(unit, root_dir=ROOT))


def modules_to_run() -> dict[str, list[str]]:
    table = {unit: patterns for unit, patterns in MODULES.items() if unit_files(unit)}
    for package in AUTO_DISCOVER:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            if set(Path(module).parts) & set(NOT_MUTATED_DIRS):
                continue
            if not any(fnmatch.fnmatch(module, unit) for unit in table):
                table[module] = [p.format(stem=path.stem) for p in _DEFAULT_TESTS]
    return table


def naming_tests(files: list[str]) -> list[str]:
    """Test files that name one of ``files`` as a dotted module path (mostly: import it)."""
    dotted = [
        f.removesuffix(".py").replace("/", ".") for f in files if not f.endswith("__init__.py")
    ]
    found = []
    for test in sorted(glob.glob("tests/**/test_*.py", root_dir=ROOT, recursive=True)):
        if test.startswith(_NOT_RUN_TESTS) or test.endswith("_browser.py"):
            continue
        text = (ROOT / test).read_text()
        if any(re.search(rf"\b{re.escape(name)}\b", text) for name in dotted):
            found.append(test)
    return found


def resolve_tests(patterns: list[str]) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        for match in sorted(glob.glob(pattern, root_dir=ROOT)):
            if match.startswith(_NOT_RUN_TESTS):
                continue
            if match not in found:
                found.append(match)
    return found


def packages() -> list[str]:
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name != "tests"
    )


def data_migrations() -> list[str]:
    """Migrations that write data: with any, test databases are built by migrating."""
    return [
        path.relative_to(ROOT).as_posix()
        for path in sorted(ROOT.glob("*/migrations/*.py"))
        if re.search(r"\bRun(Python|SQL)\b", path.read_text())
    ]


def previous_seconds(unit: str) -> float:
    seconds = scratch_of(unit) / "seconds"
    return float(seconds.read_text()) if seconds.exists() else 0.0


def unit_size(unit: str) -> int:
    return sum((ROOT / file).stat().st_size for file in unit_files(unit))


def scratch_of(unit: str) -> Path:
    return WORK / unit.replace("/", "__").replace("*", "all").removesuffix(".py")


def prepare(module: str, tests: list[str], *, fresh: bool) -> Path:
    """A scratch directory with links to the project and a pyproject naming the module."""
    scratch = scratch_of(module)
    if fresh and scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    also_copy = []
    for entry in ROOT.iterdir():
        if entry.name in _SKIP or entry.name == "pyproject.toml":
            continue
        link = scratch / entry.name
        if not link.is_symlink():
            link.symlink_to(entry)
        if entry.name != "tests" and entry.name not in packages():
            also_copy.append(entry.name)
    pyproject = (ROOT / "pyproject.toml").read_text()
    config = {
        "source_paths": packages(),
        "only_mutate": [module],
        "also_copy": sorted(also_copy),
        "pytest_add_cli_args_test_selection": tests,
        # While no migration carries data, building the tables directly is equivalent and
        # saves about a second per mutant; e2e and services tests need a browser or a worker.
        "pytest_add_cli_args": [
            *("-p", "no:cacheprovider"),
            *([] if data_migrations() else ["--nomigrations"]),
            *("-m", "not e2e and not services"),
        ],
        # A mutant that makes a test wait on a socket burns no CPU: mutmut's wall-clock limit,
        # (tests' time + constant) x multiplier, ends it. Its default x15 lets one such mutant
        # of the outage tests hold a worker for minutes.
        "timeout_multiplier": 4.0,
        "timeout_constant": 2.0,
        "use_git_change_detection": False,
        "on_dependency_change": "rerun",
    }
    block = "\n".join(f"{key} = {json.dumps(value)}" for key, value in config.items())
    (scratch / "pyproject.toml").write_text(f"{pyproject}\n[tool.mutmut]\n{block}\n")
    return scratch


def run_module(module: str, patterns: list[str], *, fresh: bool, deadline: float) -> Result:
    tests = resolve_tests(patterns)
    tests += [t for t in naming_tests(unit_files(module)) if t not in tests]
    result = Result(module=module, tests=tests)
    count, result.not_mutated = mutable_functions(module)
    if count == 0:
        result.error = "no function to mutate"
        return result
    if not tests:
        result.error = "no test file matches " + ", ".join(patterns)
        return result
    started = time.monotonic()
    if started >= deadline:
        result.error = "not run: the --minutes budget was spent"
        return result
    scratch = prepare(module, tests, fresh=fresh)
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    with open(scratch / "mutmut.log", "w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", "1"],
            cwd=scratch,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all its workers
        )
        try:
            returncode = process.wait(timeout=deadline - started)
        except subprocess.TimeoutExpired:
            stop(process)
            returncode = None
    result.seconds = time.monotonic() - started
    (scratch / "seconds").write_text(f"{result.seconds:.0f}\n")
    if returncode is None:
        result.error = "stopped when the --minutes budget was spent (unchecked mutants: other)"
    elif returncode != 0:
        result.error = f"mutmut exited {returncode}, see {scratch / 'mutmut.log'}"
    collect(result, scratch)
    return result


def stop(process: subprocess.Popen) -> None:
    """End a mutmut run and the workers it forked (its process group), politely first."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def last_result(module: str, patterns: list[str]) -> Result:
    """The outcome of the last run of ``module``, read back from its scratch copy."""
    result = Result(module=module, tests=resolve_tests(patterns))
    count, result.not_mutated = mutable_functions(module)
    scratch = scratch_of(module)
    if count == 0 or not (scratch / "seconds").exists():
        result.error = "no function to mutate" if count == 0 else "not run yet"
        return result
    result.seconds = float((scratch / "seconds").read_text())
    collect(result, scratch)
    return result


def collect(result: Result, scratch: Path) -> None:
    """Counts per status, and the diff of every survivor, read back with mutmut's own code."""
    from mutmut.configuration import reset_config

    known = equivalents()
    previous = Path.cwd()
    os.chdir(scratch)
    reset_config()
    try:
        for file in unit_files(result.module):
            collect_file(result, file, known)
    finally:
        os.chdir(previous)
        reset_config()


def collect_file(result: Result, file: str, known: dict) -> None:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    data = SourceFileMutationData(path=file)
    data.load()
    for mutant, exit_code in sorted(data.exit_code_by_key.items()):
        status = status_by_exit_code[exit_code]
        result.counts[status] = result.counts.get(status, 0) + 1
        if status != "survived":
            continue
        try:
            diff = get_diff_for_mutant(mutant, path=file)
        except FileNotFoundError as error:
            # mutmut 3.8.1 cannot show some mutants (participants.attendance._latest: its
            # lookup of the original function fails); count it, say so, do not stop the run.
            diff = f"--- {file}\n+++ {file}\n-(mutmut could not show this mutant: {error})\n"
        function, class_name = orig_function_and_class_names_from_key(mutant)
        qualified = f"{class_name}.{function}" if class_name else function
        key = (file, qualified, change_of(diff))
        reason = known.get(key)
        if reason:
            result.equivalent.append((mutant, reason))
        else:
            result.survivors.append((mutant, "# key: " + "\t".join(key) + "\n" + diff))


def change_of(diff: str) -> str:
    """A mutant's diff in one line: "<removed code> ⟶ <added code>", whitespace collapsed."""
    body = diff.splitlines()[2:]  # without the ---/+++ header
    removed = " ".join(line[1:].strip() for line in body if line.startswith("-"))
    added = " ".join(line[1:].strip() for line in body if line.startswith("+"))
    return f"{removed} \N{LONG RIGHTWARDS ARROW} {added}".strip()


def score(killed: int, total: int) -> str:
    return f"{100 * killed / total:.1f}%" if total else "—"


def report(results: list[Result], wall: float, wall_label: str = "wall") -> str:
    header = (
        "| module | mutants | killed | survived | equivalent | timeout | no tests | other "
        "| score | score w/o equivalent | seconds |"
    )
    lines = [header, "|" + " --- |" * 11]
    keys = ("total", "killed", "survived", "equivalent", "timeout", "no", "other")
    totals = dict.fromkeys(keys, 0)
    notes = []
    for r in results:
        c = r.counts
        total = sum(c.values())
        if r.error and not total:
            notes.append(f"- {r.module}: {r.error}")
            if r.not_mutated:
                notes.append(f"- {r.module}: not mutated (decorated): {', '.join(r.not_mutated)}")
            continue
        killed = c.get("killed", 0) + c.get("caught by type check", 0)
        timeout = c.get("timeout", 0)
        equivalent = len(r.equivalent)
        survived = c.get("survived", 0) - equivalent
        no_tests = c.get("no tests", 0)
        other = total - killed - timeout - c.get("survived", 0) - no_tests
        row = (total, killed, survived, equivalent, timeout, no_tests, other)
        for key, value in zip(keys, row, strict=True):
            totals[key] += value
        lines.append(
            f"| {r.module} | {total} | {killed} | {survived} | {equivalent} | {timeout} "
            f"| {no_tests} | {other} | {score(killed + timeout, total)} "
            f"| {score(killed + timeout, total - equivalent)} | {r.seconds:.0f} |"
        )
        if r.error:
            notes.append(f"- {r.module}: {r.error}")
        if r.not_mutated:
            notes.append(f"- {r.module}: not mutated (decorated): {', '.join(r.not_mutated)}")
    t = totals
    caught = t["killed"] + t["timeout"]
    lines.append(
        f"| **total** | {t['total']} | {t['killed']} | {t['survived']} | {t['equivalent']} "
        f"| {t['timeout']} | {t['no']} | {t['other']} | {score(caught, t['total'])} "
        f"| {score(caught, t['total'] - t['equivalent'])} | {wall:.0f} ({wall_label}) |"
    )
    return "\n".join([*lines, "", *notes])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths as in MODULES (default: all)")
    # Twice the cores: the outage tests (cache, broker, /healthz) mostly wait on sockets.
    parser.add_argument("--jobs", type=int, default=2 * (os.cpu_count() or 2))
    parser.add_argument(
        "--minutes",
        type=float,
        default=20,
        help="wall-clock budget: a module still running then is stopped and reported with its "
        "unchecked mutants, one not started is skipped (default 20)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse earlier results (no fresh copy)")
    parser.add_argument("--list", action="store_true", help="print the module -> tests mapping")
    parser.add_argument(
        "--report", action="store_true", help="no run: the table from the last run's results"
    )
    args = parser.parse_args()

    table = modules_to_run()
    # A file of a package given on the command line selects the package's run.
    wanted = [next((u for u in table if fnmatch.fnmatch(m, u)), m) for m in args.modules]
    unknown = [m for m in wanted if m not in table]
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}; see --list")
    selected = {m: table[m] for m in (wanted or [u for u in table if u not in ON_REQUEST])}
    if args.list:
        for module, patterns in selected.items():
            tests = resolve_tests(patterns)
            tests += [t for t in naming_tests(unit_files(module)) if t not in tests]
            print(f"{module}: {' '.join(tests) or '(no test file)'}")
        return 0

    if args.report:
        results = [last_result(module, selected[module]) for module in selected]
        print(report(results, sum(r.seconds for r in results), "sum of the last runs"))
        return 0

    started = time.monotonic()
    deadline = started + 60 * args.minutes
    # Slowest first (the last run's time, else the size), so the last to finish is a short one.
    order = sorted(selected, key=lambda m: (-previous_seconds(m), -unit_size(m)))
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            m: pool.submit(run_module, m, selected[m], fresh=not args.keep, deadline=deadline)
            for m in order
        }
        results = []
        for module in selected:
            result = futures[module].result()
            mutants = sum(result.counts.values())
            print(f"{module}: {mutants} mutants in {result.seconds:.0f} s", flush=True)
            results.append(result)
    text = report(results, time.monotonic() - started)
    WORK.mkdir(exist_ok=True)
    with open(WORK / "survivors.txt", "w") as out:
        for r in results:
            for mutant, diff in r.survivors:
                out.write(f"# {mutant}\n{diff}\n\n")
    (WORK / "report.md").write_text(text + "\n")
    print()
    print(text)
    print(f"\nSurvivors with their diffs: {WORK / 'survivors.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
