"""Browser fixtures: Playwright (sync API) driving Debian's Chromium against ``live_server``."""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop alive in this thread; Django would then refuse
# ORM calls made by the test itself (seeding, lookups) as "async unsafe". The ORM is only
# used synchronously here, so the check is a false alarm.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
RESULTS_DIR = Path(settings.BASE_DIR) / "test-results"


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
            "to run the e2e tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh browser tab (own cookies) with a desktop viewport and a Spanish-speaking reader."""
    context = chromium_browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="es-ES", timezone_id="America/El_Salvador"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def results_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR


@pytest.fixture
def demo_live(transactional_db, live_server):
    """``live_server`` with the concept-note workshop loaded (seed_demo)."""
    from django.core.management import call_command

    call_command("seed_demo", force=True, verbosity=0)
    return live_server
