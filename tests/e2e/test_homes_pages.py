"""The homes and the staff page in a real Chromium at 1280 px and 390 px.

Screenshots go to test-results/homes/ (look at them when the styling changes). Each page is
checked as the account pages are: no sideways scrolling, one visible h1, no English on the
Spanish pages and, at 1280 px, no WCAG 2.1 A/AA violation found by axe-core.
"""

import pytest

from tests.e2e.test_account_pages import WIDTHS, _problems, _sign_in

pytestmark = pytest.mark.e2e

PAGES = {
    "delegate": (
        "delegada.mx@crm-workshop.test",
        ["/home/", "/home/delegation/", "/home/preferences/"],
    ),
    "focal-point": ("delegado.sv@crm-workshop.test", ["/home/", "/home/delegation/"]),
    "observer": ("observador@crm-workshop.test", ["/home/"]),
    "moderator": ("moderador@crm-workshop.test", ["/home/"]),
    "staff": (
        "secretaria@crm-workshop.test",
        ["/staff/", "/home/delegation/", "/home/delegation/?country=SV"],
    ),
}


@pytest.fixture
def populated(demo_live, settings):
    """The demo workshop with a webinar link, a pending registration and some attendance."""
    from agenda.models import Workshop
    from participants.models import Attendance, Participant, User

    settings.ADMIN_REQUIRE_MFA = False
    workshop = Workshop.objects.get()
    workshop.webinar_url = "https://zoom.example.org/j/123456789"
    workshop.save()
    pending = User.objects.create_user(
        username="ana.pendiente",
        email="ana.pendiente@example.org",
        first_name="Ana",
        last_name="Pendiente",
    )
    Participant.objects.create(
        user=pending,
        workshop=workshop,
        delegation=workshop.delegations.get(country_id="SV"),
        profile=Participant.Profile.PROTECTION,
        institution="Dirección General de Migración",
        position="Analista",
    )
    session = workshop.sessions.get(number=1)
    for participant in Participant.objects.filter(registration_status="approved"):
        Attendance.objects.create(participant=participant, session=session)
    return demo_live


@pytest.mark.parametrize("role", list(PAGES))
def test_home_pages_look_right_at_both_widths(populated, browser_page, results_dir, role):
    email, paths = PAGES[role]
    _sign_in(browser_page, populated.url, email)
    folder = results_dir / "homes"
    folder.mkdir(exist_ok=True)
    found = {}
    for path in paths:
        slug = path.strip("/").replace("/", "-").replace("?country=", "-") or "root"
        for width in WIDTHS:
            shot = folder / f"{role}-{slug}-{width}.png"
            problems = _problems(
                browser_page, populated.url + path, width=width, shot=shot, danger=[]
            )
            if problems:
                found[f"{path} @ {width}px"] = problems

    assert found == {}
