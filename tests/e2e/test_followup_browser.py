"""The follow-up pages in a real Chromium at 1280 and 390 px: no sideways scrolling, one h1,
no English on Spanish pages, axe-core clean at 1280 px; staff record progress with the form
(keyboard only), and a delegate reads it on their country's page.

Screenshots go to $SHOTS_DIR/followup/ when SHOTS_DIR is set, else test-results/followup/.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.test_account_pages import WIDTHS, _problems, _sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF = "secretaria@crm-workshop.test"
DELEGATE_MX = "delegada.mx@crm-workshop.test"
OBSERVER = "observador@crm-workshop.test"


@pytest.fixture
def shots() -> Path:
    base = os.environ.get("SHOTS_DIR") or Path(settings.BASE_DIR) / "test-results"
    folder = Path(base) / "followup"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def followed(demo_live, settings):
    """The five agreements of ``followup_helpers.scenario``; staff need no second factor."""
    from agenda.models import Workshop
    from participants.models import User
    from tests.agreements.followup_helpers import scenario

    settings.ADMIN_REQUIRE_MFA = False
    people = {
        "staff": User.objects.get(email=STAFF),
        "moderator": User.objects.get(email="moderador@crm-workshop.test"),
    }
    scenario(Workshop.objects.get(), people)
    return demo_live


def _visit(page, base, paths, shots, label) -> dict:
    found = {}
    for path in paths:
        slug = path.strip("/").replace("/", "-").replace("?", "-").replace("&", "-") or "root"
        for width in WIDTHS:
            shot = shots / f"{label}-{slug}-{width}.png"
            problems = _problems(page, base + path, width=width, shot=shot, danger=[])
            if problems:
                found[f"{path} @ {width}px"] = problems
    return found


def _tab_to(page, element_id: str) -> None:
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id").endswith(element_id):
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_staff_follow_up_pages_and_recording_by_keyboard(followed, browser_page, shots):
    from agreements.models import Agreement

    base = followed.url
    _sign_in(browser_page, base, STAFF)
    found = _visit(
        browser_page,
        base,
        ["/staff/agreements/", "/staff/agreements/?country=MX&overdue=on", "/en/staff/agreements/"],
        shots,
        "staff",
    )
    assert found == {}

    # Record progress on agreement 3 with the keyboard alone.
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(base + "/staff/agreements/")
    card = page.locator("#agreement-3")
    card.locator("summary", has_text="Registrar un avance").focus()
    page.keyboard.press("Enter")
    status = card.locator("select")
    status.focus()
    status.select_option("done")
    # The date (today in the workshop's zone) is left as it is: Tab through its parts.
    pk = Agreement.objects.get(number=3).pk
    _tab_to(page, f"agreement-{pk}-note")
    page.keyboard.type("Curso impartido a 40 funcionarios.")
    _tab_to(page, f"followup-submit-{pk}")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    main = page.locator("main").inner_text()
    assert "Avance registrado para el acuerdo 3. Su seguimiento queda en «Cumplido»." in main
    assert Agreement.objects.get(number=3).follow_up_status == "done"
    page.screenshot(path=str(shots / "staff-recorded-390.png"), full_page=True)
    # Done: no longer overdue.
    assert page.locator("#agreement-3 .followup-overdue-badge").count() == 0


def test_participants_read_their_agreements(followed, browser_page, shots):
    base = followed.url
    _sign_in(browser_page, base, DELEGATE_MX)
    found = _visit(
        browser_page,
        base,
        ["/agreements/country/", "/en/agreements/country/", "/home/"],
        shots,
        "mx",
    )
    assert found == {}
    browser_page.goto(base + "/home/")
    browser_page.get_by_role("link", name="Ver esos acuerdos y sus avances").click()
    browser_page.wait_for_load_state()
    assert browser_page.locator("main h1").inner_text() == "Los acuerdos de México"

    browser_page.context.clear_cookies()
    _sign_in(browser_page, base, OBSERVER)
    found = _visit(browser_page, base, ["/agreements/country/"], shots, "observer")
    assert found == {}
