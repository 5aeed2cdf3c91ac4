"""Every page works under the strict Content-Security-Policy: Chromium loads each public,
account and admin page without a single violation.

A violation is caught twice: Chromium's console report ("Executing inline script violates the
following Content Security Policy directive …") and the ``securitypolicyviolation`` event,
recorded into the page by an init script that runs before any of the page's own. Errors in the
Permissions-Policy header (an unknown feature) and uncaught script errors fail too.
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from tests.admin_factories import activate_totp

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "demo-crm-2022"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
    + (event.sample ? ` «${event.sample}»` : "")
  );
}, true);
"""
CONSOLE_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


class ViolationLog:
    """Collects, per page, what the browser refused; ``problems`` is ``{}`` when all is well."""

    def __init__(self, page):
        self.page = page
        self.problems: dict[str, list[str]] = {}
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._add(f"uncaught script error: {error}"))

    def _add(self, problem: str) -> None:
        self.problems.setdefault(self._where(), []).append(problem)

    def _where(self) -> str:
        url = urlsplit(self.page.url)
        return f"{url.path}?{url.query}" if url.query else url.path

    def _on_console(self, message) -> None:
        if any(marker in message.text for marker in CONSOLE_MARKERS):
            self._add(f"console {message.type}: {message.text}")

    def check(self) -> None:
        """Collects the events recorded on the page shown now (call before leaving it)."""
        self.page.wait_for_load_state("load")
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self._add(f"securitypolicyviolation: {violation}")

    def report(self) -> str:
        return "\n".join(
            f"{where}: {problem}"
            for where, problems in self.problems.items()
            for problem in problems
        )

    def visit(self, url: str, *, lands_on: str | None = None, status: int = 200) -> None:
        """Opens ``url`` (which must end, after any redirect, on ``lands_on`` or itself)."""
        response = self.page.goto(url)
        assert response is not None
        assert response.status == status, f"{url} answered {response.status}"
        assert self.page.url == (lands_on or url)
        self.check()


@pytest.fixture
def violations(browser_page):
    return ViolationLog(browser_page)


def current_totp_code(secret: str) -> str:
    """The code for ``secret`` now, never within 3 s of the period's end (the server would
    then check it against the next period)."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def sign_in(page, violations: ViolationLog, base_url: str, email: str) -> None:
    violations.visit(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    violations.check()


def test_csp_public_pages_have_no_violation(demo_live, browser_page, violations):
    for path in [
        "/",
        "/agenda/",
        "/agenda/session/1/",
        "/agenda/session/2/",
        "/en/",
        "/en/agenda/",
        "/en/agenda/session/1/",
        "/en/agenda/session/2/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/en/accounts/login/",
        "/en/accounts/signup/",
        "/en/accounts/password/reset/",
    ]:
        violations.visit(f"{demo_live.url}{path}")
    violations.visit(f"{demo_live.url}/agenda/session/99/", status=404)

    assert violations.problems == {}, violations.report()


def test_csp_account_pages_and_totp_activation_have_no_violation(
    demo_live, browser_page, violations
):
    page = browser_page
    sign_in(page, violations, demo_live.url, "delegado.sv@crm-workshop.test")

    for path in [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/en/accounts/email/",
        "/en/accounts/2fa/",
    ]:
        violations.visit(f"{demo_live.url}{path}")

    # Setting up a second factor asks for the password again, even right after signing in.
    violations.visit(
        f"{demo_live.url}/accounts/2fa/totp/activate/",
        lands_on=f"{demo_live.url}/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
    )
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{demo_live.url}/accounts/2fa/totp/activate/")
    violations.check()
    qr_code = page.locator("main img")
    expect(qr_code).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0") is True
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", current_totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{demo_live.url}/accounts/2fa/recovery-codes/")
    violations.check()

    violations.visit(f"{demo_live.url}/accounts/2fa/")
    violations.visit(f"{demo_live.url}/accounts/logout/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{demo_live.url}/")
    violations.check()

    assert violations.problems == {}, violations.report()


def test_csp_admin_pages_have_no_violation(demo_live, browser_page, violations):
    from agenda.models import Session, Workshop
    from participants.models import User

    page = browser_page
    admin_user = User.objects.get(email="admin@crm-workshop.test")
    _, secret = activate_totp(admin_user)
    sign_in(page, violations, demo_live.url, admin_user.email)
    # The sign-in's second stage: allauth asks for the authenticator code.
    assert page.url == f"{demo_live.url}/accounts/2fa/authenticate/"
    page.fill("input[name=code]", current_totp_code(secret))
    page.press("input[name=code]", "Enter")  # its form also holds a "cancel" button
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)
    violations.check()

    session = Session.objects.order_by("number").first()
    for path in [
        "/admin/",
        "/admin/participants/participant/",
        "/admin/agenda/session/",
        f"/admin/agenda/session/{session.pk}/change/",
        f"/admin/agenda/workshop/{Workshop.objects.get().pk}/change/",
        "/admin/participants/invitation/add/",
        f"/admin/participants/user/{admin_user.pk}/change/",
        "/en/admin/",
    ]:
        violations.visit(f"{demo_live.url}{path}")

    assert violations.problems == {}, violations.report()
