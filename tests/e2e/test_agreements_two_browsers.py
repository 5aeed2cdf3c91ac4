"""Issue 8, point 9: a moderator records an agreement in the console of one browser, and a
delegate watching the live view in another browser sees it appear within 3 s, then sees the
moderator's edit and the session's closing, without reloading."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.test_csp import ViolationLog, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MODERATOR = "moderador@crm-workshop.test"
DELEGATE = "delegada.mx@crm-workshop.test"


def _tab(chromium_browser, width: int):
    context = chromium_browser.new_context(
        viewport={"width": width, "height": 900},
        locale="es-ES",
        timezone_id="America/Mexico_City",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_moderator_records_and_the_delegate_sees_it_live(demo_live, chromium_browser):
    base = demo_live.url
    moderator_context, moderator = _tab(chromium_browser, 1280)
    delegate_context, delegate = _tab(chromium_browser, 390)  # the delegate on a phone
    try:
        moderator_log, delegate_log = ViolationLog(moderator), ViolationLog(delegate)
        sign_in(moderator, moderator_log, base, MODERATOR)
        sign_in(delegate, delegate_log, base, DELEGATE)
        delegate.goto(f"{base}/agreements/session/1/live/")
        delegate.evaluate("window.__sameDocument = true")
        moderator.goto(f"{base}/moderation/session/1/")

        text = "Crear una mesa técnica binacional sobre rutas de tráfico ilícito."
        moderator.fill("#id_text_es", text)
        moderator.locator("#agreement-form button[type=submit]").click()
        moderator.wait_for_load_state()
        started = time.monotonic()
        expect(delegate.get_by_text(text)).to_be_visible(timeout=3000)
        first_seen = time.monotonic() - started

        # The moderator corrects it on its edit page; the delegate sees the new text.
        moderator.locator("a", has_text="Editar").first.click()
        moderator.wait_for_load_state()
        corrected = "Crear una mesa técnica regional sobre rutas de tráfico ilícito."
        moderator.fill("#id_text_es", corrected)
        moderator.locator("#agreement-form button[type=submit]").click()
        moderator.wait_for_load_state()
        started = time.monotonic()
        expect(delegate.get_by_text(corrected)).to_be_visible(timeout=3000)
        edit_seen = time.monotonic() - started

        assert first_seen < 3, first_seen
        assert edit_seen < 3, edit_seen
        assert delegate.evaluate("window.__sameDocument") is True  # never reloaded
        expect(delegate.get_by_text(text)).to_have_count(0)
        moderator_log.check()
        delegate_log.check()
        assert moderator_log.problems == {}, moderator_log.report()
        assert delegate_log.problems == {}, delegate_log.report()
    finally:
        moderator_context.close()
        delegate_context.close()
