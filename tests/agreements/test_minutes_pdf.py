"""What the minutes PDF says, in Spanish and in English: cover, agenda, attendance, the
submitted answers (never drafts), the agreements table, page numbers, the draft watermark;
hostile text printed as text and nothing fetched."""

import hashlib
import logging
from pathlib import Path

import pytest

from agreements import minutes as service
from agreements.models import Minutes
from agreements.tasks import minutes_render_task
from participants.models import Attendance, Participant
from tests.agreements.minutes_helpers import (
    HOSTILE,
    add_content,
    pdf_cells,
    pdf_text,
    use_media,
    watermarks,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_media(settings, tmp_path)


@pytest.fixture
def content(demo, people, session1, session2):
    return add_content(demo, people, session1, session2)


def _render(demo, language):
    minutes = Minutes.objects.create(workshop=demo, version=1, language=language)
    assert minutes_render_task.apply(kwargs={"minutes_id": minutes.pk}).get() == "ready"
    minutes.refresh_from_db()
    return minutes


def test_spanish_minutes_content(demo, people, content, media, session1, caplog):
    delegate = Participant.objects.get(user=people["delegate"])
    Attendance.objects.create(participant=delegate, session=session1)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        minutes = _render(demo, "es")
    text = pdf_text(minutes.pdf.path)
    pages = minutes.page_count
    assert hashlib.sha256(Path(minutes.pdf.path).read_bytes()).hexdigest() == minutes.sha256

    # Cover: title, organiser, partners, session dates with their zone, version and status.
    assert "Acta Intercambio Técnico sobre Tráfico Ilícito de Personas Migrantes" in text
    assert "Organiza Grupo de Trabajo sobre Gestión Fronteriza" in text
    assert "Organización Internacional para las Migraciones (OIM); Oficina de las" in text
    assert "Sesión 1 14 de junio de 2022, 10:00–12:00 (America/El_Salvador, UTC−06:00)" in text
    assert "15 de junio de 2022, 10:00–12:00 (America/El_Salvador, UTC−06:00)" in text
    assert "Versión 1 · borrador para revisión, sin valor oficial" in text
    # Chapters, in Spanish, and the page footer on every page.
    for heading in ("1. Objetivos", "2. Agenda", "3. Asistencia", "5. Acuerdos"):
        assert heading in text
    assert "4. Preguntas detonadoras y respuestas de los países" in text
    assert f"Página 1 de {pages}" in text
    assert f"Página {pages} de {pages}" in text
    # Agenda: times in the workshop's zone, speakers and their status.
    assert "10:00–10:20 Palabras de Inauguración · Apertura" in text
    assert "(Por definir)" in text
    assert "(Por confirmar)" in text
    # Attendance: Mexico's approved participant attended session 1; nothing recorded for 2.
    assert "México 1 1 —" in text
    assert "El Salvador 2 0 —" in text
    assert "RROCM 1 0 —" in text
    assert "Total 5 1 —" in text
    # Submitted answers only; the hostile one as text; the draft nowhere.
    assert "El Salvador comparte alertas migratorias." in text
    assert "Costa Rica coordina con la Fiscalía." in text
    assert "Enviada el 10 de junio de 2022, 14:30 (UTC−06:00)" in text
    assert "BORRADOR-GUATEMALA-NO-ENVIADO" not in text
    cells = pdf_cells(minutes.pdf.path)
    assert HOSTILE in cells  # the answer; the agreement's wraps in its narrow cell:
    assert cells.count('<script>alert("x")</script> <img src="file:///etc/') == 2
    assert cells.count("negrita") == 2
    assert "root:x:0" not in text
    # Nothing was even asked of the fetcher: the <img> never became an element.
    assert [r.getMessage() for r in caplog.records if "passwd" in r.getMessage()] == []
    # Agreements table: number, text, parties, term, due date, status; withdrawn marked.
    assert (
        "1 Crear una red de puntos de contacto. El Salvador, México, OIM Mediano plazo "
        "31 de diciembre de 2022 Adoptado"
    ) in cells
    assert "3 Acuerdo que se retiró después. — Corto plazo — RETIRADO" in cells
    assert "3 acuerdos registrados en las sesiones. 1 de ellos fue retirado" in text
    # The draft watermark on every page.
    assert watermarks(minutes.pdf.path) == ["BORRADOR"] * pages


def test_english_minutes_headings_and_footer(demo, content, media):
    minutes = _render(demo, "en")
    text = pdf_text(minutes.pdf.path)
    pages = minutes.page_count
    assert "Minutes" in text
    assert "June 14, 2022, 10:00–12:00 (America/El_Salvador, UTC−06:00)" in text
    for heading in ("1. Objectives", "2. Agenda", "3. Attendance", "5. Agreements"):
        assert heading in text
    assert "4. Trigger questions and the countries' answers" in text
    assert f"Page 1 of {pages}" in text
    assert "Página" not in text
    cells = pdf_cells(minutes.pdf.path)
    assert (
        "1 Create a network of contact points. El Salvador, Mexico, IOM Medium term "
        "Dec. 31, 2022 Adopted"
    ) in cells
    assert "3 Acuerdo que se retiró después. — Short term — WITHDRAWN" in cells
    assert watermarks(minutes.pdf.path) == ["DRAFT"] * pages


def test_issued_rendering_has_no_watermark(demo, people, content, media):
    minutes = _render(demo, "es")
    issued, _created = service.minutes_issue(minutes=minutes, by=people["staff"])
    text = pdf_text(issued.pdf.path)
    assert watermarks(issued.pdf.path) == [""] * issued.page_count
    assert "Versión 1 · versión definitiva" in text
    assert "borrador para revisión" not in text
    assert "Este borrador es para revisión" not in text
    assert hashlib.sha256(Path(issued.pdf.path).read_bytes()).hexdigest() == issued.sha256
