"""Answering together, in a real Chromium: two delegates of El Salvador edit the same answer,
the second to save sees the conflict and keeps both texts, the focal point submits; Mexico's
delegate reaches none of it.

Screenshots of the list, answer, conflict, submitted and history pages at 1280 and 390 px go
to ``$SHOTS_DIR`` (default test-results/consultations/). Every page is checked as the
account pages are: no sideways scrolling, one visible h1, no English on the Spanish pages,
and at 1280 px no WCAG 2.1 A/AA violation found by axe-core.
"""

import os
import re
from pathlib import Path

import pytest

from tests.e2e.test_accessibility import _violations
from tests.e2e.test_account_pages import ENGLISH, WIDTHS, _sign_in

pytestmark = pytest.mark.e2e

DELEGADA_SV = "delegada.sv@crm-workshop.test"
DELEGADO_SV = "delegado.sv@crm-workshop.test"  # SV's focal point
DELEGADA_MX = "delegada.mx@crm-workshop.test"
CODE = "TQ-S1-1"
SV_ONLY = "TQ-S2-4"  # distributed to El Salvador, taken back from Mexico below


@pytest.fixture
def shots(results_dir) -> Path:
    folder = Path(os.environ.get("SHOTS_DIR", results_dir / "consultations"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def new_page(chromium_browser):
    contexts = []

    def make():
        context = chromium_browser.new_context(
            viewport={"width": 1280, "height": 900},
            locale="es-ES",
            timezone_id="America/El_Salvador",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def _look(page, shots: Path, name: str, *, english: bool = False) -> list[str]:
    """Screenshots of the page as it stands at both widths, and what is wrong with it."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{name}: {scroll_width} px wide in a {width} px window")
        if page.locator("main h1").count() != 1 or not page.locator("main h1").is_visible():
            problems.append(f"{name}: no single visible h1 at {width} px")
        if width == WIDTHS[0]:
            problems.extend(f"{name}: WCAG {v}" for v in _violations(page))
    if not english:
        text = re.sub(r"\S+@\S+", " ", page.locator("main").inner_text())
        words = {word.lower() for word in ENGLISH.findall(text)}
        if words:
            problems.append(f"{name}: English on a Spanish page: {sorted(words)}")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def test_two_delegates_answer_together_and_another_country_reaches_nothing(
    demo_live, new_page, shots
):
    from consultations.models import Answer, QuestionAssignment

    QuestionAssignment.objects.filter(question__code=SV_ONLY, country_id="MX").delete()
    base = demo_live.url
    answer_url = f"{base}/consultations/{CODE}/"
    problems = []

    # She drafts.
    her = new_page()
    _sign_in(her, base, DELEGADA_SV)
    her.goto(f"{base}/consultations/")
    problems += _look(her, shots, "list")
    her.get_by_role("link", name=f"Responder a {CODE}").click()
    assert "/consultations/TQ-S1-1/" in her.url
    assert her.locator(".answer-counter").inner_text() == "0 de 20.000 caracteres"
    her.fill("#id_text", "Borrador de la delegada: la DGME comparte alertas por la red <b>CRM</b>.")
    her.get_by_role("button", name="Guardar borrador").click()
    assert "Borrador guardado (versión 1)" in her.locator("main").inner_text()
    assert her.get_by_role("button", name="Enviar la respuesta del país").count() == 0
    problems += _look(her, shots, "answer")
    # She goes on typing without saving yet.
    her.fill("#id_text", "Borrador de la delegada, ampliado con la ruta del Pacífico.")

    # Her colleague, the focal point, edits the same answer and saves first.
    him = new_page()
    _sign_in(him, base, DELEGADO_SV)
    him.goto(answer_url)
    him.fill("#id_text", "Versión del punto focal: intercambio vía INTERPOL y la red CRM.")
    him.get_by_role("button", name="Guardar borrador").click()
    assert "Borrador guardado (versión 2)" in him.locator("main").inner_text()

    # She saves her stale form: both texts, nothing lost.
    her.get_by_role("button", name="Guardar borrador").click()
    main = her.locator("main").inner_text()
    assert "Otra persona de su delegación guardó esta respuesta" in main
    assert "Versión del punto focal: intercambio vía INTERPOL" in main
    assert "ampliado con la ruta del Pacífico" in main
    problems += _look(her, shots, "conflict")
    combined = her.locator("#combined-form textarea").input_value()
    assert "[Texto guardado por Delegado El Salvador (demo) el " in combined
    assert "[Su texto]\nBorrador de la delegada, ampliado con la ruta del Pacífico." in combined
    her.locator("#combined-form").get_by_role("button", name="Guardar borrador").click()
    assert "Borrador guardado (versión 3)" in her.locator("main").inner_text()

    # The focal point reloads and submits the combined text.
    him.goto(answer_url)
    assert "ampliado con la ruta del Pacífico" in him.locator("#id_text").input_value()
    assert "intercambio vía INTERPOL" in him.locator("#id_text").input_value()
    him.get_by_role("button", name="Enviar la respuesta del país").click()
    main = him.locator("main").inner_text()
    assert "se envió a la Secretaría (versión 4)" in main
    assert "Enviada por Delegado El Salvador (demo) (versión 4)" in main
    assert him.locator("textarea").count() == 0
    problems += _look(him, shots, "submitted")
    him.get_by_role("link", name="Ver el historial").click()
    assert him.locator(".answer-version").count() == 4
    problems += _look(him, shots, "history")
    him.goto(f"{base}/en/consultations/")
    assert "Trigger questions" in him.locator("main h1").inner_text()
    problems += _look(him, shots, "list-en", english=True)

    answer = Answer.objects.get(question__code=CODE, delegation__country_id="SV")
    assert (answer.status, answer.version) == ("submitted", 4)
    assert "INTERPOL" in answer.text
    assert "Pacífico" in answer.text

    # Mexico's delegate: no way in, and none of El Salvador's text on her pages.
    mexico = new_page()
    _sign_in(mexico, base, DELEGADA_MX)
    assert mexico.goto(f"{base}/consultations/{SV_ONLY}/").status == 404
    assert mexico.goto(f"{base}/consultations/{SV_ONLY}/history/").status == 404
    for path in ("/consultations/", f"/consultations/{CODE}/", f"/consultations/{CODE}/history/"):
        response = mexico.goto(base + path)
        assert response.status == 200
        html = mexico.content()
        assert "INTERPOL" not in html
        assert "Pacífico" not in html
        assert "Delegado El Salvador" not in html

    assert problems == []


def test_closed_and_reopened_answers_say_why(demo_live, new_page, shots):
    import datetime as dt

    from django.utils import timezone

    from consultations.models import TriggerQuestion
    from consultations.services import answer_reopen, answer_save
    from participants.models import Participant, User

    focal = Participant.objects.get(user__email=DELEGADO_SV)
    submitted = answer_save(
        question=TriggerQuestion.objects.get(code=CODE),
        participant=focal,
        text="Respuesta enviada por error.",
        expected_version=0,
        submit=True,
    )
    answer_reopen(
        answer=submitted,
        by=User.objects.get(email="secretaria@crm-workshop.test"),
        reason="Falta la cifra de casos de 2021.",
    )
    base = demo_live.url
    page = new_page()
    _sign_in(page, base, DELEGADA_SV)
    page.goto(f"{base}/consultations/{CODE}/")
    assert "Motivo: Falta la cifra de casos de 2021." in page.locator("main").inner_text()
    problems = _look(page, shots, "reopened")
    page.fill("#id_text", "Texto escrito cuando el plazo ya había vencido.")
    TriggerQuestion.objects.filter(code=CODE).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    page.get_by_role("button", name="Guardar borrador").click()
    main = page.locator("main").inner_text()
    assert "La fecha límite de esta pregunta ya pasó: no se guardó nada." in main
    assert page.locator("#unsaved-text").input_value() == (
        "Texto escrito cuando el plazo ya había vencido."
    )
    problems += _look(page, shots, "closed-refused")

    assert problems == []
