"""The compilation pages in a real Chromium at 1280 and 390 px, and the compendium's pages.

Screenshots go to $SHOTS_DIR/compile/ when SHOTS_DIR is set, else to test-results/compile/.
Each page is checked as the other browser tests check theirs (no sideways scrolling, one h1,
no English on Spanish pages, axe-core at 1280 px). The progress page's script is watched
moving the bar as the row advances, then reloading into the download link once the render
is done.
"""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.test_account_pages import WIDTHS, _problems, _sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF = "secretaria@crm-workshop.test"
MODERATOR = "moderador@crm-workshop.test"


@pytest.fixture
def shots() -> Path:
    base = os.environ.get("SHOTS_DIR") or Path(settings.BASE_DIR) / "test-results"
    folder = Path(base) / "compile"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def answered(demo_live, settings, tmp_path):
    """Every country answered TQ-S1-1 (one with hostile HTML), two answered TQ-S1-2, one
    draft; staff need no second factor here (tested elsewhere)."""
    from consultations.models import TriggerQuestion
    from participants.models import User
    from tests.consultations.test_compile_views import draft, submit

    settings.ADMIN_REQUIRE_MFA = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    q1 = TriggerQuestion.objects.get(code="TQ-S1-1")
    q2 = TriggerQuestion.objects.get(code="TQ-S1-2")
    sv = User.objects.get(email="delegado.sv@crm-workshop.test")
    texts = {
        "SV": (
            "El Salvador intercambia información con sus vecinos mediante la red de oficiales "
            "de enlace y alertas migratorias compartidas.\n\nAdemás, la Fiscalía participa en "
            "equipos conjuntos de investigación con Guatemala y Honduras."
        ),
        "MX": '<script>alert("x")</script> <img src="file:///etc/passwd"> — texto literal.',
    }
    for country in q1.assignments.values_list("country_id", flat=True):
        text = texts.get(country, f"Respuesta de la delegación ({country}) sobre el intercambio.")
        submit(q1, country, text, by=sv)
    submit(q2, "SV", texts["SV"], by=sv)
    submit(q2, "CR", "Costa Rica usa el sistema regional de alertas.", by=sv)
    draft(q2, "GT", "Borrador")
    return demo_live


def _visit(page, base, paths, shots, label, danger=None) -> dict:
    found = {}
    for path in paths:
        slug = path.strip("/").replace("/", "-") or "root"
        for width in WIDTHS:
            shot = shots / f"{label}-{slug}-{width}.png"
            problems = _problems(
                page, base + path, width=width, shot=shot, danger=(danger or {}).get(path, [])
            )
            if problems:
                found[f"{path} @ {width}px"] = problems
    return found


def test_staff_compile_pages_and_compendium(answered, browser_page, shots):
    from consultations.models import Compendium

    base = answered.url
    _sign_in(browser_page, base, STAFF)
    found = _visit(
        browser_page,
        base,
        ["/consultations/compile/", "/consultations/compile/TQ-S1-1/"],
        shots,
        "staff",
        danger={"/consultations/compile/TQ-S1-1/": [""] * 11},  # closed <details>
    )
    assert found == {}

    # Reopen one answer through its form.
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    browser_page.goto(base + "/consultations/compile/TQ-S1-1/")
    card = browser_page.locator("li.compile-answer", has_text="Costa Rica")
    card.locator("summary").click()
    card.locator("textarea").fill("Falta la cifra de 2021.")
    card.locator("input[type=submit], button[type=submit]").click()
    browser_page.wait_for_load_state()
    assert "La respuesta de Costa Rica se reabrió" in browser_page.locator("main").inner_text()

    # Ask for a compendium: tasks run inline, so the page shows the finished file.
    browser_page.goto(base + "/consultations/compile/")
    browser_page.select_option("#compendium-form select", "es")
    browser_page.locator("#compendium-form [type=submit]").click()
    browser_page.wait_for_load_state()
    compendium = Compendium.objects.get()
    assert compendium.status == "done"
    assert compendium.sha256 in browser_page.locator("code.sha256").inner_text()
    found = _visit(
        browser_page, base, [f"/consultations/compile/compendium/{compendium.pk}/"], shots, "done"
    )
    assert found == {}

    # The PDF's pages, as images to look at.
    for old in shots.glob("compendium-pdf-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", compendium.file.path, str(shots / "compendium-pdf")],
        check=True,
        timeout=120,
    )
    assert len(list(shots.glob("compendium-pdf-*.png"))) == compendium.page_count


def test_progress_page_moves_with_the_row_then_offers_the_file(
    answered,
    browser_page,
    shots,
):
    from agenda.models import Workshop
    from consultations.models import Compendium

    compendium = Compendium.objects.create(
        workshop=Workshop.objects.get(), language="es", status="rendering", progress=35
    )
    base = answered.url
    _sign_in(browser_page, base, STAFF)
    path = f"/consultations/compile/compendium/{compendium.pk}/"
    found = _visit(browser_page, base, [path], shots, "progress")
    assert found == {}

    browser_page.set_viewport_size({"width": 1280, "height": 900})
    browser_page.goto(base + path)
    assert browser_page.locator("progress").get_attribute("value") == "35"
    Compendium.objects.filter(pk=compendium.pk).update(progress=70)
    # (Playwright's wait_for_function would need 'unsafe-eval', which the CSP refuses.)
    expect(browser_page.locator('[data-field="progress"]')).to_have_text("70")
    expect(browser_page.locator("progress")).to_have_attribute("value", "70")

    Compendium.objects.filter(pk=compendium.pk).update(
        status="done", progress=100, file="compendia/x.pdf", sha256="a" * 64, page_count=3
    )
    expect(browser_page.locator("code.sha256")).to_be_visible()
    assert browser_page.locator("code.sha256").inner_text() == "a" * 64
    assert browser_page.locator("progress").count() == 0


def test_moderator_pages(answered, browser_page, shots):
    _sign_in(browser_page, answered.url, MODERATOR)
    found = _visit(
        browser_page,
        answered.url,
        ["/consultations/compile/", "/consultations/compile/TQ-S1-1/"],
        shots,
        "moderator",
    )
    assert found == {}
