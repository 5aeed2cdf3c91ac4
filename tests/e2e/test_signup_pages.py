"""Sign-up through an invitation, sign-up on one's own, and the registration status page in a
real Chromium at 1280 px and 390 px: each saved as a PNG (under ``SIGNUP_SHOTS_DIR`` if set,
else test-results/signup/), with no sideways scrolling and (at 1280 px) no WCAG 2.1 AA
violation found by axe-core; then the forms are filled in as a person would."""

import datetime as dt
import os
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from tests.e2e.test_accessibility import _violations

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)
PASSWORD = "una-clave-larga-2026"


@pytest.fixture
def shots(results_dir) -> Path:
    folder = Path(os.environ.get("SIGNUP_SHOTS_DIR", results_dir / "signup"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _look(page, url: str, shots: Path, name: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        if response.status != 200:
            problems.append(f"{name} answered {response.status}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{name} scrolls sideways at {width} px ({scroll_width} px)")
        if width == WIDTHS[0]:
            problems.extend(f"{name} WCAG: {violation}" for violation in _violations(page))
    return problems


def test_invitation_signup_in_the_browser(demo_live, browser_page, shots):
    from agenda.models import Workshop
    from participants.models import Invitation, Participant

    workshop = Workshop.objects.get()
    invitation = Invitation.objects.create(
        workshop=workshop,
        email="ana.lopez@sre.gob.mx",
        full_name="Ana María López Pérez",
        delegation=workshop.delegations.get(country_id="MX"),
        institution="Secretaría de Relaciones Exteriores",
        profile=Participant.Profile.PROTECTION,
        status=Invitation.Status.SENT,
        sent_at=timezone.now() - dt.timedelta(hours=2),
    )
    base = demo_live.url
    page = browser_page
    page.goto(f"{base}/invitation/{invitation.token}/")
    assert page.url == f"{base}/accounts/signup/"

    problems = _look(page, f"{base}/accounts/signup/", shots, "invitation-signup")

    assert page.input_value("input[name=email]") == "ana.lopez@sre.gob.mx"
    assert page.get_attribute("input[name=email]", "readonly") is not None
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/home/"
    assert problems == []
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_self_signup_in_the_browser(demo_live, browser_page, shots):
    from participants.models import Participant

    base = demo_live.url
    page = browser_page
    problems = _look(page, f"{base}/accounts/signup/", shots, "self-signup")
    problems += _look(page, f"{base}/en/accounts/signup/", shots, "self-signup-en")

    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", "luis.perez@minseg.gob.gt")
    page.fill("input[name=first_name]", "Luis")
    page.fill("input[name=last_name]", "Pérez Gómez")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.select_option("select[name=country]", "GT")
    page.fill("input[name=institution]", "Ministerio de Gobernación")
    page.select_option("select[name=profile]", "migration_control")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url == f"{base}/accounts/confirm-email/"
    participant = Participant.objects.get(user__email="luis.perez@minseg.gob.gt")
    assert participant.registration_status == "pending"
    assert problems == []


def test_registration_status_page_in_the_browser(demo_live, browser_page, shots):
    from agenda.models import Workshop
    from participants.models import Participant, User

    workshop = Workshop.objects.get()
    user = User.objects.create_user(
        username="pendiente",
        email="pendiente@minseg.gob.gt",
        password=PASSWORD,
        first_name="Luis",
        last_name="Pérez",
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Participant.objects.create(
        user=user,
        workshop=workshop,
        delegation=workshop.delegations.get(country_id="GT"),
        institution="Ministerio de Gobernación",
        position="Analista de migración irregular",
        profile=Participant.Profile.MIGRATION_CONTROL,
    )
    base = demo_live.url
    page = browser_page
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    problems = _look(page, f"{base}/registration/", shots, "registration-status")
    problems += _look(page, f"{base}/en/registration/", shots, "registration-status-en")

    assert problems == []


def test_registration_form_in_the_browser(demo_live, browser_page, shots):
    from participants.models import Participant, User

    user = User.objects.create_user(
        username="sin", email="sin.inscripcion@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    base = demo_live.url
    page = browser_page
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    problems = _look(page, f"{base}/registration/", shots, "registration-form")
    page.select_option(
        "select[name=organisation]",
        label="Oficina de las Naciones Unidas contra la Droga y el Delito (UNODC)",
    )
    page.fill("input[name=institution]", "UNODC")
    page.select_option("select[name=profile]", "other")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url == f"{base}/registration/"
    assert Participant.objects.get(user=user).registration_status == "pending"
    assert problems == []
