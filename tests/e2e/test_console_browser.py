"""The moderator console in a real Chromium: a moderator records an agreement and adopts it
with the keyboard alone on a 390 px wide screen; the console, edit, conflict and closed pages
have no WCAG 2.1 A/AA violation (axe-core), never scroll sideways and break no rule of the
Content-Security-Policy.

Screenshots go to $SHOTS_DIR/console/ when SHOTS_DIR is set, else to test-results/console/.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.test_accessibility import _violations
from tests.e2e.test_account_pages import _sign_in
from tests.e2e.test_csp import ViolationLog

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MODERATOR = "moderador@crm-workshop.test"
STAFF = "secretaria@crm-workshop.test"


@pytest.fixture
def shots() -> Path:
    base = os.environ.get("SHOTS_DIR") or Path(settings.BASE_DIR) / "test-results"
    folder = Path(base) / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _tab_to(page, predicate: str, *, limit: int = 80) -> None:
    """Press Tab until ``predicate`` (JS, on ``document.activeElement`` as ``el``) holds;
    each focused control must show a visible focus indicator."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(
            f"(() => {{ const el = document.activeElement; return {predicate}; }})()"
        )
        if found:
            outline = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.boxShadow]; })()"
            )
            assert outline[0] != "none" or outline[1] != "none", outline
            return
    raise AssertionError(f"never reached by Tab: {predicate}")


def _type_date(page, day: dt.date) -> None:
    """Type ``day`` into the focused date field with the keyboard. Chromium orders the
    field's segments by its own locale (month first in en-US), not by the page's language:
    try each order, going back to the first segment (Shift+Tab stays inside the field)."""
    parts = {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year": str(day.year)}
    for order in (("day", "month", "year"), ("month", "day", "year")):
        page.keyboard.type("".join(parts[name] for name in order))
        if page.evaluate("document.activeElement.value") == day.isoformat():
            return
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
    raise AssertionError("the date field took neither order")


def _check(page, shots, name, csp: ViolationLog) -> list[str]:
    """Problems of the page as it stands, at 1280 (axe) and 390 px (no sideways scroll), and
    whatever the Content-Security-Policy refused."""
    csp.check()
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{name}: {scroll} px wide at {width}")
        if width == 1280:
            problems.extend(f"{name}: {v}" for v in _violations(page))
    return problems


def test_moderator_records_and_adopts_an_agreement_with_the_keyboard_at_390(
    demo_live, browser_page, shots
):
    from agreements.models import Agreement

    page = browser_page
    base = demo_live.url
    _sign_in(page, base, MODERATOR)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/moderation/session/1/")

    _tab_to(page, "el.id === 'id_text_es'")
    page.keyboard.type('Compartir alertas <script>alert("x")</script> sobre rutas.')
    page.keyboard.press("Tab")
    page.keyboard.type("Share alerts on routes.")
    page.keyboard.press("Tab")  # axis
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # agenda block
    page.keyboard.press("ArrowDown")
    _tab_to(page, "el.name === 'responsible_countries' && el.value === 'MX'")
    page.keyboard.press("Space")
    _tab_to(
        page, "el.name === 'responsible_organisations' && el.labels[0].textContent.includes('OIM ')"
    )
    page.keyboard.press("Space")
    _tab_to(page, "el.name === 'term'")
    page.keyboard.press("ArrowDown")  # medium term
    page.keyboard.press("Tab")  # due date, typed in the order the browser shows it
    _type_date(page, dt.date(2022, 12, 31))
    _tab_to(page, "el.type === 'submit' && el.closest('#agreement-form') !== null")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.screenshot(path=str(shots / "keyboard-recorded-390.png"), full_page=True)

    agreement = Agreement.objects.get()
    assert page.url.endswith(f"/moderation/session/1/#agreement-{agreement.pk}")
    assert (
        agreement.text_es,
        agreement.text_en,
        agreement.axis.number,
        agreement.agenda_item.order,
        agreement.term,
        agreement.due_date,
        list(agreement.responsible_countries.values_list("pk", flat=True)),
        list(agreement.responsible_organisations.values_list("code", flat=True)),
    ) == (
        'Compartir alertas <script>alert("x")</script> sobre rutas.',
        "Share alerts on routes.",
        1,
        1,
        "medium",
        dt.date(2022, 12, 31),
        ["MX"],
        ["OIM"],
    )
    card = page.locator(f"#agreement-{agreement.pk}")
    assert "<script>" in card.inner_text()  # shown as text, never run
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Adopt it, and open its history, still with the keyboard.
    _tab_to(page, "el.textContent.trim() === 'Adoptar el acuerdo 1'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.version) == ("adopted", 2)
    _tab_to(page, "el.tagName === 'SUMMARY'")
    page.keyboard.press("Enter")
    history = page.locator(f"#agreement-{agreement.pk} details")
    assert history.get_attribute("open") is not None
    assert "Estado Propuesto → pasó a Adoptado" in " ".join(history.inner_text().split())


def test_console_pages_are_accessible_and_fit_a_phone(demo_live, browser_page, shots):
    from agenda.models import Session
    from agreements import services
    from participants.models import Country, User

    session = Session.objects.get(number=1)
    moderator = User.objects.get(email=MODERATOR)
    staff = User.objects.get(email=STAFF)
    first = services.agreement_create(
        session=session,
        by=moderator,
        text_es="Intercambiar alertas migratorias sobre rutas de tráfico ilícito.",
        text_en="Exchange migration alerts on smuggling routes.",
        countries=Country.objects.filter(pk__in=["MX", "SV"]),
        axis=session.workshop.axes.get(number=1),
        agenda_item=session.items.first(),
    )
    services.agreement_create(session=session, by=moderator, text_es="Segundo acuerdo.")
    page = browser_page
    base = demo_live.url
    csp = ViolationLog(page)
    _sign_in(page, base, MODERATOR)
    problems = []

    page.goto(f"{base}/moderation/session/1/")
    page.locator("details summary").first.click()
    problems += _check(page, shots, "console", csp)
    page.goto(f"{base}/moderation/session/1/agreement/{first.pk}/")
    problems += _check(page, shots, "edit", csp)
    # Somebody saves while the edit page is open: the conflict screen.
    services.agreement_update(
        agreement=first, by=staff, expected_version=1, text_es="Versión de la Secretaría."
    )
    page.fill("#id_text_es", "Versión del moderador.")
    page.locator("#agreement-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#keep-mine-form").count() == 1
    problems += _check(page, shots, "conflict", csp)
    page.goto(f"{base}/moderation/session/1/")
    page.locator("#id_confirm").check()
    page.locator("#close-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".console-closed").count() == 1
    problems += _check(page, shots, "closed", csp)

    assert problems == []
    assert csp.problems == {}, csp.report()
