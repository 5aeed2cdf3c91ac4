"""WCAG 2.1 A/AA audit of the public pages with axe-core, in a real Chromium."""

import pytest

pytestmark = pytest.mark.e2e

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _violations(page) -> list[str]:
    """One line per violated rule: ``rule-id (impact): first offending element``."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['nodes'][0]['html'][:120]}"
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/agenda/",
        "/agenda/?tz=Mars/Olympus",
        "/agenda/session/2/",
        "/en/",
        "/en/agenda/",
        "/accounts/login/",
        "/accounts/signup/",
        "/en/accounts/login/",
    ],
)
def test_public_page_has_no_wcag_21_aa_violations(demo_live, browser_page, path):
    browser_page.goto(f"{demo_live.url}{path}")

    assert _violations(browser_page) == []


def test_login_error_state_has_no_wcag_21_aa_violations(demo_live, browser_page):
    browser_page.goto(f"{demo_live.url}/accounts/login/")
    browser_page.fill("input[name=login]", "delegado.sv@crm-workshop.test")
    browser_page.fill("input[name=password]", "wrong-password")
    browser_page.locator("main form button[type=submit]").click()

    assert browser_page.locator("main").inner_text().count("no son correctas") == 1
    assert _violations(browser_page) == []
