"""consultations/compile.py: exact values the mutation run found untested (counts, order,
who sees what, progress fields, the sweep's limits, the failure guard, export cells)."""

import datetime as dt
import logging
import time

import pytest
import tablib
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from agenda.models import Axis
from consultations import compile as compile_
from consultations.compile import (
    compendium_progress,
    compendium_publish,
    compendium_request,
    compendium_sweep,
    compile_questions,
    export_bytes,
    person_name,
    submitted_answers_dataset,
)
from consultations.models import Compendium, TriggerQuestion
from crm_workshop.broker import BrokerUnavailable
from participants.models import User
from tests.consultations.test_compile_views import draft, question, submit
from tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db


def _codes(questions):
    return [q.code for q in questions]


# --- compile_questions ------------------------------------------------------------------------


def test_compile_questions_counts_each_assignment_and_answer_once(demo, people):
    q1 = question(demo, "TQ-S1-1")
    submit(q1, "SV", "Respuesta SV.", by=people["focal_point_other"])
    submit(q1, "MX", "Respuesta MX.", by=people["delegate"])
    draft(q1, "GT", "Borrador GT.")
    draft(q1, "CR", "Borrador CR.")
    draft(q1, "BZ", "Borrador BZ.")
    rows = {
        q.code: (q.assigned_total, q.submitted_total, q.draft_total)
        for q in compile_questions(workshop=demo, user=people["staff"])
    }
    assert rows["TQ-S1-1"] == (11, 2, 3)
    assert rows["TQ-S1-2"] == (11, 0, 0)


def test_compile_questions_order_session_then_order_then_code(demo, people):
    TriggerQuestion.objects.filter(workshop=demo, code="TQ-S1-1").update(order=9)
    # Same order in session 2: the code decides, whatever the rows' creation order.
    TriggerQuestion.objects.filter(workshop=demo, code="TQ-S2-1").update(code="TQ-S2-9", order=0)
    TriggerQuestion.objects.filter(workshop=demo, code="TQ-S2-2").update(order=0)
    orders = dict(TriggerQuestion.objects.filter(workshop=demo).values_list("code", "order"))
    codes = _codes(compile_questions(workshop=demo, user=people["staff"]))
    s1 = sorted((c for c in orders if c.startswith("TQ-S1")), key=lambda c: (orders[c], c))
    s2 = sorted((c for c in orders if c.startswith("TQ-S2")), key=lambda c: (orders[c], c))
    assert codes == s1 + s2
    assert codes[3] == "TQ-S1-1"
    assert codes[4:6] == ["TQ-S2-2", "TQ-S2-9"]


def test_compile_questions_loads_session_and_axis_in_its_one_query(
    demo, people, django_assert_num_queries
):
    with django_assert_num_queries(1):
        labels = [
            (q.session.number, q.axis.number if q.axis else None)
            for q in compile_questions(workshop=demo, user=people["staff"])
        ]
    assert len(labels) == 8


def test_compile_questions_per_person(demo, people):
    staff = _codes(compile_questions(workshop=demo, user=people["staff"]))
    assert len(staff) == 8
    moderator = people["moderator"]
    assert _codes(compile_questions(workshop=demo, user=moderator)) == [
        c for c in staff if c.startswith("TQ-S1")
    ]
    assert list(compile_questions(workshop=demo, user=None)) == []
    assert list(compile_questions(workshop=demo, user=AnonymousUser())) == []
    moderator.is_active = False
    assert list(compile_questions(workshop=demo, user=moderator)) == []


# --- compendium_progress --------------------------------------------------------------------


def test_progress_shows_the_hash_only_when_done_and_the_error_only_when_failed(demo):
    failed = Compendium(workshop=demo, status="failed", progress=40, sha256="a" * 64, error="Boom")
    assert compendium_progress(failed) == {
        "status": "failed",
        "status_label": "Fallida",
        "progress": 40,
        "done": False,
        "finished": True,
        "sha256": "",
        "page_count": None,
        "error": "Boom",
    }
    done = Compendium(
        workshop=demo, status="done", progress=100, sha256="b" * 64, error="Antiguo", page_count=3
    )
    progress = compendium_progress(done)
    assert (progress["sha256"], progress["error"], progress["page_count"]) == ("b" * 64, "", 3)
    rendering = Compendium(workshop=demo, status="rendering", sha256="c" * 64, error="Viejo")
    progress = compendium_progress(rendering)
    assert (progress["sha256"], progress["error"], progress["finished"]) == ("", "", False)


# --- Publishing and the sweep ---------------------------------------------------------------


def test_publish_with_the_broker_down_says_false_and_logs_why(demo, broker_down, caplog):
    compendium = Compendium.objects.create(workshop=demo)
    with caplog.at_level(logging.WARNING, logger="consultations.compile"):
        assert compendium_publish(compendium_id=compendium.pk) is False
    [record] = [r for r in caplog.records if r.name == "consultations.compile"]
    assert record.msg == "compendium %s stays queued: broker unavailable (%s)"
    assert record.args[0] == compendium.pk
    assert isinstance(record.args[1], BrokerUnavailable)
    assert record.getMessage().startswith(
        f"compendium {compendium.pk} stays queued: broker unavailable ("
    )


def test_sweep_with_the_broker_down_publishes_nothing_and_says_zero(demo, broker_down):
    compendium = Compendium.objects.create(workshop=demo)
    Compendium.objects.filter(pk=compendium.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert compendium_sweep() == 0
    assert Compendium.objects.get(pk=compendium.pk).status == "queued"


def test_sweep_leaves_recent_renders_and_finished_rows_with_old_starts(demo, settings):
    now = timezone.now()
    limit = dt.timedelta(seconds=settings.COMPENDIUM_TIME_LIMIT_SECONDS)
    recent = Compendium.objects.create(
        workshop=demo, status="rendering", attempts=1, started_at=now - limit / 2
    )
    failed = Compendium.objects.create(
        workshop=demo, status="failed", attempts=1, started_at=now - 2 * limit
    )
    assert compendium_sweep() == 0
    status = dict(Compendium.objects.values_list("pk", "status"))
    assert status == {recent.pk: "rendering", failed.pk: "failed"}


def test_sweep_publishes_fifty_rows_at_most(demo, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.COMPENDIUM_TIME_LIMIT_SECONDS + 5)
    # Stale rows past their last attempt: each delivery marks its row failed, no render.
    Compendium.objects.bulk_create(
        Compendium(
            workshop=demo,
            status="rendering",
            attempts=compile_.COMPENDIUM_MAX_ATTEMPTS,
            started_at=stale,
        )
        for _ in range(51)
    )
    assert compendium_sweep() == 50
    assert Compendium.objects.filter(status="failed").count() == 50
    assert Compendium.objects.filter(status="rendering").count() == 1


# --- The failure guard ----------------------------------------------------------------------


def test_fail_touches_only_its_own_rendering_attempt(demo):
    now = timezone.now()
    mine = Compendium.objects.create(workshop=demo, status="rendering", attempts=1, started_at=now)
    other = Compendium.objects.create(workshop=demo, status="rendering", attempts=1, started_at=now)
    compile_._fail(mine.pk, 1, "ValueError: " + "x" * 600)
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == "failed"
    assert mine.error == ("ValueError: " + "x" * 600)[:500]
    assert len(mine.error) == 500
    assert mine.finished_at is not None
    assert (other.status, other.error, other.finished_at) == ("rendering", "", None)


def test_fail_leaves_a_row_claimed_again_or_finished(demo):
    now = timezone.now()
    again = Compendium.objects.create(workshop=demo, status="rendering", attempts=2, started_at=now)
    done = Compendium.objects.create(
        workshop=demo, status="done", attempts=1, file="compendia/x.pdf", sha256="d" * 64
    )
    compile_._fail(again.pk, 1, "late failure of the first attempt")
    compile_._fail(done.pk, 1, "late failure of the first attempt")
    assert dict(Compendium.objects.values_list("pk", "status")) == {
        again.pk: "rendering",
        done.pk: "done",
    }
    assert set(Compendium.objects.values_list("error", flat=True)) == {""}


# --- Exports ---------------------------------------------------------------------------------


def test_person_name_falls_back_to_email_then_username():
    assert person_name(None) == "—"
    named = User(first_name="Ana", last_name="Pérez", email="ana@example.org", username="ana")
    assert person_name(named) == "Ana Pérez"
    assert person_name(User(email="ana@example.org", username="ana")) == "ana@example.org"
    assert person_name(User(username="ana")) == "ana"


def test_export_bytes_refuses_an_unknown_format_by_name():
    dataset = tablib.Dataset(headers=["a"])
    with pytest.raises(ValueError, match=r"^pdf$"):
        export_bytes(dataset, "pdf")


def test_dataset_order_session_first_and_empty_cells_without_session_or_axis(demo, people):
    q_s1 = question(demo, "TQ-S1-1")
    q_s2 = question(demo, "TQ-S2-1")
    TriggerQuestion.objects.filter(pk=q_s1.pk).update(order=9)
    TriggerQuestion.objects.filter(pk=q_s2.pk).update(order=0)
    loose = question(demo, "TQ-S2-2")
    TriggerQuestion.objects.filter(pk=loose.pk).update(session=None, axis=None, order=0)
    axis = Axis.objects.get(pk=q_s1.axis_id)
    by = people["focal_point_other"]
    submit(q_s2, "SV", "Segunda sesión.", by=by)
    submit(q_s1, "SV", "Primera sesión.", by=by)
    submit(loose, "SV", "Sin sesión ni eje.", by=by)
    rows = [list(row) for row in submitted_answers_dataset(workshop=demo)]
    # Session 1 before session 2 whatever the order field (where a question without session
    # sorts depends on the database: NULLs first in SQLite, last in PostgreSQL).
    assert [row[0] for row in rows if row[0] != "TQ-S2-2"] == ["TQ-S1-1", "TQ-S2-1"]
    [loose_row] = [row for row in rows if row[0] == "TQ-S2-2"]
    assert loose_row[1:3] == ["", ""]
    [s1_row] = [row for row in rows if row[0] == "TQ-S1-1"]
    assert s1_row[1] == "Sesión 1"
    assert s1_row[2] == str(axis) != ""
    assert s1_row[2] != "None"


def test_dataset_utc_column_is_utc_whatever_the_server_zone(demo, people, monkeypatch):
    submit(question(demo, "TQ-S1-1"), "SV", "Respuesta.", by=people["focal_point_other"])
    monkeypatch.setenv("TZ", "America/Mexico_City")
    time.tzset()
    try:
        [row] = list(submitted_answers_dataset(workshop=demo))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert row[9] == "2022-06-10T23:30:00Z"


def test_dataset_submitter_header_in_english(demo):
    with translation.override("en"):
        headers = submitted_answers_dataset(workshop=demo).headers
    assert headers[8] == "submitted by"
    assert headers[9] == "submitted at (UTC)"


# --- Requesting, and the compendium's grouping ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_request_outside_a_transaction_says_the_task_was_handed_over(settings, tmp_path):
    """With no transaction open (the view runs outside ATOMIC_REQUESTS) the publication runs
    at once, and the caller learns that it went through (inline here: rendered already)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    workshop = WorkshopFactory()
    compendium, published = compendium_request(workshop=workshop, language="es", by=None)
    assert published is True
    compendium.refresh_from_db()
    assert compendium.status == "done"


def test_compendium_groups_by_session_before_axis(demo):
    first_axis = Axis.objects.create(workshop=demo, number=0, title_es="Eje cero")
    TriggerQuestion.objects.filter(workshop=demo, code__startswith="TQ-S2").update(axis=first_axis)
    context = compile_.compendium_context(compendium=Compendium(workshop=demo, language="es"))
    sessions = [group["session"].number for group in context["sessions"]]
    assert sessions == [1, 2]
    session_2_axes = [axis["key"] for axis in context["sessions"][1]["axes"]]
    assert session_2_axes == [first_axis.pk]
    assert context["question_count"] == 8
