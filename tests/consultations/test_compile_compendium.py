"""The PDF compendium: requested by staff, rendered by the Celery task (inline here), stored
with its SHA-256; idempotent, time-limited, failures recorded; progress and download pages."""

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from consultations.models import Compendium
from consultations.tasks_compendium import compendium_render_task
from tests.consultations.test_compile_views import draft, question, submit

pytestmark = pytest.mark.django_db

HOSTILE = '<img src="file:///etc/passwd"> <script>alert("x")</script> & <b>negrita</b>'


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """POST to compendium_start as a browser would; the after-commit publication runs (the
    test's own transaction never commits)."""

    def post(client, language="es"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("consultations:compendium_start"), {"language": language})

    return post


@pytest.fixture
def answered(demo, people, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    q1, q5 = question(demo, "TQ-S1-1"), question(demo, "TQ-S2-1")
    sv = people["focal_point_other"]
    submit(q1, "SV", "El Salvador comparte alertas migratorias con sus vecinos.", by=sv)
    submit(q1, "MX", HOSTILE, by=people["delegate"])
    submit(q5, "SV", "Respuesta salvadoreña a la sesión 2.", by=sv)
    draft(q1, "GT", "BORRADOR-GUATEMALA no enviado")
    return {"q1": q1, "q5": q5}


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def test_staff_compendium_renders_inline_and_is_stored_with_its_hash(
    start, client_as, people, answered
):
    client = client_as(people["staff"])
    response = start(client)
    compendium = Compendium.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:compendium", args=[compendium.pk])
    assert compendium.status == Compendium.Status.DONE
    assert compendium.progress == 100
    assert compendium.attempts == 1
    assert compendium.requested_by == people["staff"]
    assert compendium.file.name.startswith("compendia/compendio-")
    path = Path(compendium.file.path)
    content = path.read_bytes()
    assert compendium.sha256 == hashlib.sha256(content).hexdigest()
    assert compendium.page_count == _pdf_pages(path)

    text = " ".join(_pdf_text(path).split())
    assert "Compendio de respuestas a las preguntas detonadoras" in text
    assert "Intercambio Técnico sobre Tráfico Ilícito de Personas Migrantes" in text
    assert "El Salvador comparte alertas migratorias con sus vecinos." in text
    assert "Respuesta salvadoreña a la sesión 2." in text
    assert "[Pregunta de ejemplo]" in text
    assert f"página 1 de {compendium.page_count}" in text
    assert f"página {compendium.page_count} de {compendium.page_count}" in text
    assert "(America/El_Salvador, UTC−06:00)" in text
    assert "BORRADOR-GUATEMALA" not in text
    # The contents table on the cover: answers per question and the page each starts on.
    assert "TQ-S1-1 Sesión 1 2 de 11 2" in text
    assert "TQ-S2-1 Sesión virtual 2 1 de 11 3" in text
    # Hostile HTML in an answer is printed as text, never followed or run.
    assert '<img src="file:///etc/passwd"> <script>alert("x")</script> & <b>negrita</b>' in text
    assert "root:x:0" not in text

    page = client.get(response["Location"])
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("code.sha256").get_text() == compendium.sha256
    download = soup.find(
        "a", href=reverse("consultations:compendium_download", args=[compendium.pk])
    )
    assert download is not None
    assert soup.find("progress") is None
    assert soup.find("script", src="/static/js/pdf-progress.js") is None


def test_compendium_in_english(start, client_as, people, answered):
    start(client_as(people["staff"]), language="en")
    compendium = Compendium.objects.get()
    assert compendium.language == "en"
    text = " ".join(_pdf_text(Path(compendium.file.path)).split())
    assert "[Example question]" in text
    assert f"page 1 of {compendium.page_count}" in text
    assert "Compendium of answers to the trigger questions" in text
    assert "página" not in text
    assert "TQ-S1-1 Session 1 2 of 11 2" in text


def test_download_streams_the_stored_file(start, client_as, people, answered):
    client = client_as(people["staff"])
    start(client)
    compendium = Compendium.objects.get()
    response = client.get(reverse("consultations:compendium_download", args=[compendium.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="compendio-respuestas-{compendium.pk}-es.pdf"'
    )
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == compendium.sha256


def test_second_delivery_renders_no_second_file(start, client_as, people, answered):
    start(client_as(people["staff"]))
    compendium = Compendium.objects.get()
    files_before = sorted(Path(compendium.file.path).parent.iterdir())
    assert compendium_render_task.apply(kwargs={"compendium_id": compendium.pk}).get() is None
    again = Compendium.objects.get()
    assert (again.file.name, again.sha256, again.attempts, again.finished_at) == (
        compendium.file.name,
        compendium.sha256,
        1,
        compendium.finished_at,
    )
    assert sorted(Path(compendium.file.path).parent.iterdir()) == files_before


def test_missing_row_is_ignored(db):
    assert compendium_render_task.apply(kwargs={"compendium_id": 424242}).get() is None


def test_rendering_row_in_progress_is_left_alone(demo, settings):
    compendium = Compendium.objects.create(
        workshop=demo, status=Compendium.Status.RENDERING, started_at=timezone.now(), attempts=1
    )
    assert compendium_render_task.apply(kwargs={"compendium_id": compendium.pk}).get() is None
    compendium.refresh_from_db()
    assert (compendium.status, compendium.attempts, compendium.file.name) == ("rendering", 1, "")


def test_stale_rendering_row_is_rendered_again_once(demo, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    stale = timezone.now() - dt.timedelta(seconds=settings.COMPENDIUM_TIME_LIMIT_SECONDS + 5)
    compendium = Compendium.objects.create(
        workshop=demo, status=Compendium.Status.RENDERING, started_at=stale, attempts=1
    )
    assert compendium_render_task.apply(kwargs={"compendium_id": compendium.pk}).get() == "done"
    compendium.refresh_from_db()
    assert (compendium.status, compendium.attempts) == ("done", 2)


def test_stale_row_after_last_attempt_is_failed_not_retried(demo, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.COMPENDIUM_TIME_LIMIT_SECONDS + 5)
    compendium = Compendium.objects.create(
        workshop=demo, status=Compendium.Status.RENDERING, started_at=stale, attempts=2
    )
    assert compendium_render_task.apply(kwargs={"compendium_id": compendium.pk}).get() is None
    compendium.refresh_from_db()
    assert compendium.status == "failed"
    assert compendium.attempts == 2
    assert compendium.error == (
        f"La generación no terminó a tiempo (límite de {settings.COMPENDIUM_TIME_LIMIT_SECONDS} s) "
        "tras 2 intentos."
    )


def test_render_past_its_time_limit_is_marked_failed(start, client_as, people, answered, settings):
    settings.COMPENDIUM_TIME_LIMIT_SECONDS = 0.001
    client = client_as(people["staff"])
    response = start(client)
    assert response.status_code == 302
    compendium = Compendium.objects.get()
    assert compendium.status == Compendium.Status.FAILED
    assert compendium.error.startswith("PdfRenderTimeout: PDF render exceeded 0.001 s")
    assert compendium.file.name == ""
    assert compendium.finished_at is not None
    page = client.get(response["Location"])
    text = BeautifulSoup(page.content, "html.parser").get_text(" ", strip=True)
    assert "La generación falló y no se reintentará por sí sola." in text
    assert "PdfRenderTimeout" in text
    # A second delivery does not retry it.
    assert compendium_render_task.apply(kwargs={"compendium_id": compendium.pk}).get() is None
    compendium.refresh_from_db()
    assert (compendium.status, compendium.attempts) == ("failed", 1)


def test_task_declares_its_time_limits(settings):
    assert compendium_render_task.name == "consultations.compendium_render"
    assert compendium_render_task.soft_time_limit == settings.COMPENDIUM_TIME_LIMIT_SECONDS
    assert compendium_render_task.time_limit == settings.COMPENDIUM_TIME_LIMIT_SECONDS + 30


def test_broker_down_leaves_row_queued_and_says_so(start, client_as, people, answered, broker_down):
    client = client_as(people["staff"])
    response = start(client)
    assert response.status_code == 302
    compendium = Compendium.objects.get()
    assert (compendium.status, compendium.progress, compendium.attempts) == ("queued", 0, 0)
    page = client.get(response["Location"])
    soup = BeautifulSoup(page.content, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "el servidor de tareas no responde ahora" in text
    progress = soup.find("progress")
    assert (progress["max"], progress["value"]) == ("100", "0")
    assert soup.find("script", src="/static/js/pdf-progress.js") is not None
    refresh = soup.select_one('noscript meta[http-equiv="refresh"]')
    assert refresh is not None
    assert soup.find("a", href=reverse("consultations:compendium", args=[compendium.pk]))


def test_progress_json(client_as, people, demo):
    compendium = Compendium.objects.create(
        workshop=demo, status=Compendium.Status.RENDERING, progress=40, started_at=timezone.now()
    )
    response = client_as(people["staff"]).get(
        reverse("consultations:compendium_progress", args=[compendium.pk])
    )
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "rendering",
        "status_label": "Generándose",
        "progress": 40,
        "done": False,
        "finished": False,
        "sha256": "",
        "page_count": None,
        "error": "",
    }


def test_download_of_unfinished_compendium_is_404(client_as, people, demo):
    compendium = Compendium.objects.create(workshop=demo)
    response = client_as(people["staff"]).get(
        reverse("consultations:compendium_download", args=[compendium.pk])
    )
    assert response.status_code == 404


def test_compendium_start_rejects_other_languages(start, client_as, people, demo):
    response = start(client_as(people["staff"]), language="fr")
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:compile")
    assert not Compendium.objects.exists()


def test_sweep_publishes_old_queued_and_stale_rows_only(demo, settings, tmp_path):
    from consultations.tasks_compendium import compendium_sweep_task

    settings.MEDIA_ROOT = str(tmp_path / "media")
    now = timezone.now()
    old = Compendium.objects.create(workshop=demo)
    Compendium.objects.filter(pk=old.pk).update(requested_at=now - dt.timedelta(minutes=6))
    fresh = Compendium.objects.create(workshop=demo)
    stale = Compendium.objects.create(
        workshop=demo,
        status="rendering",
        attempts=1,
        started_at=now - dt.timedelta(seconds=settings.COMPENDIUM_TIME_LIMIT_SECONDS + 5),
    )
    done = Compendium.objects.create(
        workshop=demo, status="done", file="compendia/x.pdf", sha256="c" * 64
    )
    Compendium.objects.filter(pk=done.pk).update(requested_at=now - dt.timedelta(hours=1))

    assert compendium_sweep_task.apply().get() == 2

    status = dict(Compendium.objects.values_list("pk", "status"))
    assert status == {old.pk: "done", fresh.pk: "queued", stale.pk: "done", done.pk: "done"}
    assert Compendium.objects.get(pk=done.pk).sha256 == "c" * 64


def test_progress_page_names_the_zone_of_the_request_time(client_as, people, demo):
    compendium = Compendium.objects.create(workshop=demo, requested_by=people["staff"])
    Compendium.objects.filter(pk=compendium.pk).update(
        requested_at=dt.datetime(2022, 6, 1, 15, 0, tzinfo=dt.UTC)
    )
    response = client_as(people["staff"]).get(
        reverse("consultations:compendium", args=[compendium.pk])
    )
    text = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
    assert (
        "pedido por Secretaría Ejecutiva (demo), 1 de junio de 2022, 09:00 "
        "(America/El_Salvador, UTC−06:00)"
    ) in text
