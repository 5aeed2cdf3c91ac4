"""Rendering the minutes: request (next version under a lock), the task claiming the row once,
progress, failures with their reason (never retried for ever), the sweep, the broker down,
and the render_minutes command."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agreements import minutes as service
from agreements.models import Minutes
from agreements.tasks import minutes_render_task, minutes_sweep_task
from tests.agreements.minutes_helpers import pdf_pages, use_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_media(settings, tmp_path)


def _request(demo, by=None, language="es", capture=None):
    with capture(execute=True):
        minutes, published = service.minutes_request(workshop=demo, by=by, language=language)
    minutes.refresh_from_db()
    return minutes, published


def test_request_renders_next_version_with_hash_pages_and_progress(
    demo, people, media, django_capture_on_commit_callbacks
):
    first, _ = _request(demo, people["staff"], capture=django_capture_on_commit_callbacks)
    second, _ = _request(demo, people["staff"], "en", capture=django_capture_on_commit_callbacks)

    assert (first.version, second.version) == (1, 2)
    assert (second.language, second.status, second.render_status) == ("en", "draft", "ready")
    assert (second.progress, second.attempts, second.error) == (100, 1, "")
    assert second.generated_by == people["staff"]
    assert second.pdf.name.startswith(f"minutes/{timezone.now():%Y}/acta-v2-en-")
    content = Path(second.pdf.path).read_bytes()
    assert second.sha256 == hashlib.sha256(content).hexdigest()
    assert second.page_count == pdf_pages(second.pdf.path) == 7
    # The HTML it was made from is kept next to it (issuing renders it again, unmarked).
    snapshot = Path(second.pdf.path + ".html").read_text()
    assert '<html lang="en" class="minutes-draft">' in snapshot


def test_second_delivery_renders_nothing(demo, media, django_capture_on_commit_callbacks):
    minutes, _ = _request(demo, capture=django_capture_on_commit_callbacks)
    files = sorted(Path(minutes.pdf.path).parent.iterdir())
    assert minutes_render_task.apply(kwargs={"minutes_id": minutes.pk}).get() is None
    again = Minutes.objects.get(pk=minutes.pk)
    assert (again.pdf.name, again.sha256, again.attempts, again.generated_at) == (
        minutes.pdf.name,
        minutes.sha256,
        1,
        minutes.generated_at,
    )
    assert sorted(Path(minutes.pdf.path).parent.iterdir()) == files


def test_missing_row_is_ignored(db):
    assert minutes_render_task.apply(kwargs={"minutes_id": 424242}).get() is None


def test_rendering_row_in_progress_is_left_alone(demo):
    minutes = Minutes.objects.create(
        workshop=demo, version=1, render_status="rendering", started_at=timezone.now(), attempts=1
    )
    assert minutes_render_task.apply(kwargs={"minutes_id": minutes.pk}).get() is None
    minutes.refresh_from_db()
    assert (minutes.render_status, minutes.attempts, minutes.pdf.name) == ("rendering", 1, "")


def test_progress_steps_are_written_as_the_render_goes(demo, media):
    minutes = Minutes.objects.create(workshop=demo, version=1)
    claimed = service._claim(minutes.pk)
    seen = [Minutes.objects.get(pk=minutes.pk).progress]
    service.minutes_html(
        minutes=claimed,
        on_step=lambda percent: (
            service._set_progress(minutes.pk, claimed.attempts, percent),
            seen.append(Minutes.objects.get(pk=minutes.pk).progress),
        ),
    )
    assert seen == [5, 15, 25, 40, 50]


def test_progress_json_values(demo):
    minutes = Minutes.objects.create(
        workshop=demo, version=3, render_status="rendering", progress=40
    )
    assert service.minutes_progress(minutes) == {
        "render_status": "rendering",
        "status_label": "Generando",
        "progress": 40,
        "ready": False,
        "finished": False,
        "sha256": "",
        "page_count": None,
        "error": "",
    }
    minutes.render_status, minutes.error = "failed", "La generación falló: X"
    assert service.minutes_progress(minutes)["error"] == "La generación falló: X"
    assert service.minutes_progress(minutes)["finished"] is True


def test_time_limit_marks_failed_with_reason_and_no_retry(
    demo, media, settings, django_capture_on_commit_callbacks
):
    settings.MINUTES_TIME_LIMIT_SECONDS = 0.001
    minutes, _ = _request(demo, capture=django_capture_on_commit_callbacks)
    assert (minutes.render_status, minutes.attempts, minutes.pdf.name) == ("failed", 1, "")
    assert minutes.error == (
        "La generación superó el límite de 0.001 s y se detuvo (PdfRenderTimeout). "
        "No se reintentará."
    )
    assert minutes_render_task.apply(kwargs={"minutes_id": minutes.pk}).get() is None
    minutes.refresh_from_db()
    assert (minutes.render_status, minutes.attempts) == ("failed", 1)


def test_template_error_marks_failed_with_reason(
    demo, media, settings, tmp_path, django_capture_on_commit_callbacks
):
    broken = tmp_path / "templates" / "pdf"
    broken.mkdir(parents=True)
    (broken / "minutes.html").write_text("{% url 'no-such-page' %}")
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [str(tmp_path / "templates"), *settings.TEMPLATES[0]["DIRS"]],
        }
    ]
    minutes, _ = _request(demo, capture=django_capture_on_commit_callbacks)
    assert minutes.render_status == "failed"
    assert minutes.error.startswith(
        "La generación falló: NoReverseMatch: Reverse for 'no-such-page'"
    )
    assert minutes.error.endswith("No se reintentará.")
    assert minutes.progress == 50  # it got as far as the data


def test_task_declares_no_retry_and_its_time_limits(settings):
    assert minutes_render_task.name == "agreements.minutes_render"
    assert minutes_render_task.max_retries == 0
    assert minutes_render_task.soft_time_limit == settings.MINUTES_TIME_LIMIT_SECONDS
    assert minutes_render_task.time_limit == settings.MINUTES_TIME_LIMIT_SECONDS + 30
    assert minutes_sweep_task.name == "agreements.minutes_sweep"
    assert settings.CELERY_BEAT_SCHEDULE["agreements-minutes-sweep"]["task"] == (
        "agreements.minutes_sweep"
    )


def test_stale_rendering_row_is_rendered_again_then_capped(demo, media, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.MINUTES_TIME_LIMIT_SECONDS + 5)
    again = Minutes.objects.create(
        workshop=demo, version=1, render_status="rendering", started_at=stale, attempts=1
    )
    exhausted = Minutes.objects.create(
        workshop=demo, version=2, render_status="rendering", started_at=stale, attempts=3
    )
    assert minutes_render_task.apply(kwargs={"minutes_id": again.pk}).get() == "ready"
    assert minutes_render_task.apply(kwargs={"minutes_id": exhausted.pk}).get() is None
    again.refresh_from_db()
    exhausted.refresh_from_db()
    assert (again.render_status, again.attempts) == ("ready", 2)
    assert (exhausted.render_status, exhausted.attempts) == ("failed", 3)
    assert exhausted.error == (
        "La generación no terminó a tiempo (límite de 180 s) tras 3 intentos; no se "
        "reintentará. Pida una nueva versión."
    )


def test_sweep_publishes_old_queued_and_stale_rows_and_fails_exhausted(demo, media, settings):
    now = timezone.now()
    limit = dt.timedelta(seconds=settings.MINUTES_TIME_LIMIT_SECONDS + 5)
    old = Minutes.objects.create(workshop=demo, version=1)
    Minutes.objects.filter(pk=old.pk).update(requested_at=now - dt.timedelta(minutes=6))
    fresh = Minutes.objects.create(workshop=demo, version=2)
    stale = Minutes.objects.create(
        workshop=demo, version=3, render_status="rendering", attempts=1, started_at=now - limit
    )
    exhausted = Minutes.objects.create(
        workshop=demo, version=4, render_status="rendering", attempts=3, started_at=now - limit
    )
    failed = Minutes.objects.create(workshop=demo, version=5, render_status="failed", error="x")
    Minutes.objects.filter(pk=failed.pk).update(requested_at=now - dt.timedelta(hours=1))

    assert minutes_sweep_task.apply().get() == 2

    status = dict(Minutes.objects.values_list("pk", "render_status"))
    assert status == {
        old.pk: "ready",
        fresh.pk: "queued",
        stale.pk: "ready",
        exhausted.pk: "failed",
        failed.pk: "failed",
    }
    assert Minutes.objects.get(pk=exhausted.pk).attempts == 3
    assert Minutes.objects.get(pk=failed.pk).attempts == 0  # a failed row is never retried


def test_broker_down_leaves_row_queued_and_sweep_keeps_it(
    demo, media, broker_down, django_capture_on_commit_callbacks
):
    minutes, published = _request(demo, capture=django_capture_on_commit_callbacks)
    assert published is False
    assert (minutes.render_status, minutes.progress, minutes.attempts) == ("queued", 0, 0)
    Minutes.objects.filter(pk=minutes.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert service.minutes_sweep() == 0
    assert Minutes.objects.get(pk=minutes.pk).render_status == "queued"


def test_command_renders_a_draft_through_the_task(demo, media, capsys):
    call_command("render_minutes", "--language", "en", "--workshop", demo.slug)
    minutes = Minutes.objects.get()
    out = capsys.readouterr().out
    assert out == (
        f"version: 1 (en, draft)\nfile: {minutes.pdf.path}\npages: {minutes.page_count}\n"
        f"sha256: {minutes.sha256}\n"
    )
    assert hashlib.sha256(Path(minutes.pdf.path).read_bytes()).hexdigest() == minutes.sha256
    assert minutes.attempts == 1


def test_command_fails_with_the_reason(demo, media, settings):
    settings.MINUTES_TIME_LIMIT_SECONDS = 0.001
    with pytest.raises(CommandError) as raised:
        call_command("render_minutes")
    assert str(raised.value) == (
        "Version 1 (es) failed: La generación superó el límite de 0.001 s y se detuvo "
        "(PdfRenderTimeout). No se reintentará."
    )
    with pytest.raises(CommandError, match="No workshop with slug 'nope'"):
        call_command("render_minutes", "--workshop", "nope")
