"""The minutes in a real Chromium: staff ask for a version, watch its progress, issue it and
download it; a delegate downloads it from their home page. Every page at 1280 and 390 px
(no sideways scrolling, one h1, no English on Spanish pages, axe-core at 1280 px), and the
PDF's pages turned into PNG with pdftoppm to be looked at.

Screenshots go to $SHOTS_DIR/minutes/ when SHOTS_DIR is set, else to test-results/minutes/.
"""

import datetime as dt
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.test_account_pages import WIDTHS, _problems, _sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF = "secretaria@crm-workshop.test"
DELEGATE = "delegada.mx@crm-workshop.test"


@pytest.fixture
def shots() -> Path:
    base = os.environ.get("SHOTS_DIR") or Path(settings.BASE_DIR) / "test-results"
    folder = Path(base) / "minutes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def seeded(demo_live, settings, tmp_path):
    """Every country answered three questions (one answer hostile), one draft; twelve
    agreements over both sessions, one hostile, one withdrawn; attendance for session 1."""
    from agenda.models import Workshop
    from agreements import services
    from agreements.models import Agreement
    from consultations.models import Answer, TriggerQuestion
    from participants.models import Attendance, Country, Organisation, Participant, User

    settings.ADMIN_REQUIRE_MFA = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    workshop = Workshop.objects.get()
    staff = User.objects.get(email=STAFF)
    when = dt.datetime(2022, 6, 10, 20, 0, tzinfo=dt.UTC)
    for code in ("TQ-S1-1", "TQ-S1-2", "TQ-S2-1"):
        question = TriggerQuestion.objects.get(code=code)
        for delegation in workshop.delegations.select_related("country"):
            text = (
                f"{delegation.country.name_es} comparte información mediante la red de "
                "oficiales de enlace y las alertas migratorias; propone una mesa técnica "
                "regional trimestral y un directorio de puntos de contacto."
            )
            if delegation.country_id == "MX" and code == "TQ-S1-1":
                text = '<script>alert("x")</script> <img src="file:///etc/passwd"> — literal.'
            Answer.objects.create(
                question=question,
                delegation=delegation,
                text=text,
                status=Answer.Status.SUBMITTED,
                version=2,
                submitted_at=when,
                submitted_by=staff,
            )
    Answer.objects.create(
        question=TriggerQuestion.objects.get(code="TQ-S2-2"),
        delegation=workshop.delegations.get(country_id="GT"),
        text="BORRADOR-NO-ENVIADO",
    )
    sessions = list(workshop.sessions.order_by("number"))
    countries = list(Country.objects.order_by("name_es"))
    organisations = list(Organisation.objects.filter(code__in=["OIM", "UNODC"]))
    for number in range(12):
        agreement = services.agreement_create(
            session=sessions[number % 2],
            by=staff,
            text_es=(
                '<b>Acuerdo</b> con <script>alert("y")</script>'
                if number == 3
                else f"Las delegaciones acuerdan la acción regional n.º {number + 1}, con "
                "informe de avance a la Presidencia Pro-Témpore."
            ),
            countries=countries[number % 11 : number % 11 + 2],
            organisations=organisations[: number % 3],
            term=Agreement.Term.SHORT if number % 2 else Agreement.Term.MEDIUM,
            due_date=dt.date(2022, 9, 30) + dt.timedelta(days=31 * (number % 5)),
            status=Agreement.Status.ADOPTED,
        )
        if number == 7:
            services.agreement_set_status(
                agreement=agreement,
                by=staff,
                status=Agreement.Status.WITHDRAWN,
                expected_version=agreement.version,
            )
    for participant in Participant.objects.filter(registration_status="approved"):
        Attendance.objects.create(participant=participant, session=sessions[0])
    return demo_live


def _visit(page, base, paths: dict[str, list[str]], shots, label) -> dict:
    found = {}
    for path, danger in paths.items():
        slug = path.strip("/").replace("/", "-") or "root"
        for width in WIDTHS:
            shot = shots / f"{label}-{slug}-{width}.png"
            problems = _problems(page, base + path, width=width, shot=shot, danger=danger)
            if problems:
                found[f"{path} @ {width}px"] = problems
    return found


def test_staff_renders_issues_and_downloads_then_a_delegate_downloads(
    seeded, chromium_browser, shots
):
    from agreements.models import Minutes
    from participants.models import Notification

    base = seeded.url
    context = chromium_browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="es-ES", timezone_id="America/El_Salvador"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    _sign_in(page, base, STAFF)
    assert _visit(page, base, {"/staff/minutes/": []}, shots, "staff-empty") == {}

    # Ask for a version (tasks run inline here: the page then shows the finished file).
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/staff/minutes/")
    page.select_option("#minutes-form select", "es")
    page.locator("#minutes-form [type=submit]").click()
    page.wait_for_load_state()
    minutes = Minutes.objects.get()
    assert minutes.render_status == "ready"
    expect(page.locator("code.sha256")).to_have_text(minutes.sha256)
    detail = f"/staff/minutes/{minutes.pk}/"
    assert _visit(page, base, {detail: ["Emitir esta versión…"]}, shots, "draft") == {}
    for old in shots.glob("draft-pdf-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", minutes.pdf.path, str(shots / "draft-pdf")],
        check=True,
        timeout=120,
    )

    # Issue it: the confirm step names the recipients; the box must be ticked.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + detail)
    page.get_by_role("link", name="Emitir esta versión…").click()
    page.wait_for_load_state()
    assert "a 5 participantes aprobados" in page.locator("main").inner_text()
    issue = f"/staff/minutes/{minutes.pk}/issue/"
    # The red button is an <input type=submit> (no inner text): "".
    assert _visit(page, base, {issue: [""]}, shots, "confirm") == {}
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + issue)
    page.locator("#minutes-issue-form input[type=checkbox]").check()
    page.locator("#minutes-issue-form [type=submit]").click()
    page.wait_for_load_state()
    minutes.refresh_from_db()
    assert minutes.status == "issued"
    assert "Versión 1 emitida." in page.locator("main").inner_text()
    assert Notification.objects.filter(kind="minutes_issued").count() == 5
    assert _visit(page, base, {detail: [], "/staff/minutes/": []}, shots, "issued") == {}
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + detail)
    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar el acta emitida (PDF)").click()
    download = info.value
    assert download.suggested_filename == "acta-v1-es.pdf"
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == minutes.sha256
    context.close()

    for old in shots.glob("issued-pdf-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", minutes.pdf.path, str(shots / "issued-pdf")],
        check=True,
        timeout=120,
    )
    assert len(list(shots.glob("issued-pdf-*.png"))) == minutes.page_count

    # A delegate downloads it from their home page.
    context = chromium_browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="es-ES", timezone_id="America/Mexico_City"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    _sign_in(page, base, DELEGATE)
    assert _visit(page, base, {"/home/": []}, shots, "delegate") == {}
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/home/")
    card = page.locator("section", has=page.locator("#minutes-heading"))
    assert minutes.sha256 in card.inner_text()
    with page.expect_download() as info:
        card.get_by_role("link", name="Descargar el acta, versión 1 (PDF)").click()
    download = info.value
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == minutes.sha256
    context.close()


def test_progress_is_seen_moving_then_the_file_is_offered(seeded, browser_page, shots):
    from agenda.models import Workshop
    from agreements.models import Minutes

    minutes = Minutes.objects.create(
        workshop=Workshop.objects.get(), version=1, render_status="rendering", progress=15
    )
    base = seeded.url
    _sign_in(browser_page, base, STAFF)
    path = f"/staff/minutes/{minutes.pk}/"
    assert _visit(browser_page, base, {path: []}, shots, "progress") == {}

    browser_page.set_viewport_size({"width": 1280, "height": 900})
    browser_page.goto(base + path)
    assert browser_page.locator("progress").get_attribute("value") == "15"
    Minutes.objects.filter(pk=minutes.pk).update(progress=55)
    # (Playwright's wait_for_function would need 'unsafe-eval', which the CSP refuses.)
    expect(browser_page.locator('[data-field="progress"]')).to_have_text("55")
    expect(browser_page.locator("progress")).to_have_attribute("value", "55")
    Minutes.objects.filter(pk=minutes.pk).update(
        render_status="ready", progress=100, pdf="minutes/x.pdf", sha256="a" * 64, page_count=9
    )
    expect(browser_page.locator("code.sha256")).to_have_text("a" * 64)
    assert browser_page.locator("progress").count() == 0
