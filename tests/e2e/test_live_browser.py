"""The live view of a session's agreements in a real Chromium.

A delegate keeps the live page open; an agreement recorded through ``agreements.services``
(as the moderators' console records it) appears within 3 s without a reload, the polite
live region says how many changed and the focus stays where it was; axe-core finds nothing
and the browser reports no CSP violation. With JavaScript off, a reload shows the same.

Screenshots of the index and the live page at 1280 and 390 px go to $SHOTS_DIR/live/ when
SHOTS_DIR is set, else to test-results/live/.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.test_account_pages import WIDTHS, _problems
from tests.e2e.test_csp import ViolationLog, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DELEGATE = "delegada.mx@crm-workshop.test"
DEMO_PASSWORD = "demo-crm-2022"


@pytest.fixture
def shots() -> Path:
    base = os.environ.get("SHOTS_DIR") or Path(settings.BASE_DIR) / "test-results"
    folder = Path(base) / "live"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def agreements(demo_live):
    """Session 1 with four agreements (one withdrawn, one in English only), session 2 with
    one and closed."""
    from agenda.models import Session, Workshop
    from agreements import services
    from participants.models import Country, Organisation, User

    workshop = Workshop.objects.get(slug="crm-gtgf-trafico-ilicito-migrantes-2022")
    s1, s2 = (Session.objects.get(workshop=workshop, number=n) for n in (1, 2))
    moderator = User.objects.get(email="moderador@crm-workshop.test")
    item = s1.items.order_by("order").last()
    axes = list(workshop.axes.order_by("number"))
    countries = {c.pk: c for c in Country.objects.filter(pk__in=["MX", "GT", "SV", "HN"])}
    oim = Organisation.objects.filter(acronym_es="OIM").first()
    services.agreement_create(
        session=s1,
        by=moderator,
        text_es="Intercambiar alertas migratorias entre las autoridades de control fronterizo "
        "de los países de tránsito, mediante la red de oficiales de enlace.",
        text_en="Share migration alerts between border control authorities of transit "
        "countries, through the network of liaison officers.",
        agenda_item=item,
        axis=axes[0],
        term="short",
        due_date=dt.date(2022, 9, 30),
        countries=[countries["GT"], countries["MX"], countries["SV"]],
        organisations=[oim] if oim else [],
        status="adopted",
    )
    withdrawn = services.agreement_create(
        session=s1,
        by=moderator,
        text_es="Crear una base de datos regional única de personas migrantes.",
        agenda_item=item,
        axis=axes[1],
    )
    services.agreement_set_status(
        agreement=withdrawn, by=moderator, status="withdrawn", expected_version=1
    )
    services.agreement_create(
        session=s1,
        by=moderator,
        text_en="Hold a follow-up meeting of prosecutors specialised in migrant smuggling.",
        axis=axes[2],
        term="medium",
        due_date=dt.date(2023, 3, 31),
        countries=[countries["HN"]],
    )
    services.agreement_create(
        session=s1,
        by=moderator,
        text_es='<script>alert("x")</script> <img src=file:///etc/passwd> texto literal',
    )
    services.agreement_create(
        session=s2,
        by=moderator,
        text_es="Publicar el informe de buenas prácticas en protección de personas migrantes.",
        axis=axes[3],
        term="medium",
        countries=list(countries.values()),
    )
    services.session_close(session=s2, by=moderator)
    return {"base": demo_live.url, "session": s1, "moderator": moderator}


def test_new_agreement_appears_live_without_reload(agreements, browser_page, shots):
    from agreements import services

    page = browser_page
    base = agreements["base"]
    log = ViolationLog(page)
    sign_in(page, log, base, DELEGATE)

    found = {}
    for path in ("/agreements/", "/agreements/session/1/live/", "/en/agreements/session/1/live/"):
        for width in WIDTHS:
            slug = path.strip("/").replace("/", "-")
            shot = shots / f"{slug}-{width}.png"
            problems = _problems(page, base + path, width=width, shot=shot, danger=[])
            log.check()
            if problems:
                found[f"{path} @ {width}px"] = problems
    assert found == {}

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/agreements/session/1/live/")
    expect(page.locator(".live-hint-js")).to_be_visible()
    expect(page.locator(".live-hint-nojs")).to_be_hidden()
    page.evaluate("window.__sameDocument = true")
    page.locator("a.live-reload").focus()
    assert page.locator("script").evaluate_all("s => s.filter(e => !e.src).length") == 0

    started = time.monotonic()
    services.agreement_create(
        session=agreements["session"],
        by=agreements["moderator"],
        text_es="Acuerdo registrado mientras la delegación mira la página.",
    )
    expect(
        page.get_by_text("Acuerdo registrado mientras la delegación mira la página.")
    ).to_be_visible(timeout=3000)
    elapsed = time.monotonic() - started

    assert elapsed < 3, elapsed
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    expect(page.locator("#live-announce")).to_have_text("1 acuerdo actualizado")
    assert "live-reload" in page.evaluate("document.activeElement.className")
    assert page.locator(".agreement-changed").count() == 1
    assert page.locator("style").count() == 0  # htmx injected no indicator styles
    page.screenshot(path=str(shots / "live-after-change-1280.png"), full_page=True)
    from tests.e2e.test_accessibility import _violations

    assert _violations(page) == []
    log.check()
    assert log.problems == {}, log.report()


def test_without_javascript_a_reload_shows_the_new_agreement(agreements, chromium_browser, shots):
    from agreements import services

    context = chromium_browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 900}, locale="es-ES"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = agreements["base"]
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", DELEGATE)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{base}/agreements/session/1/live/")
    expect(page.locator(".live-hint-nojs")).to_have_text(
        "Sin JavaScript la lista no se actualiza sola: pulse «Actualizar» o recargue la página "
        "para ver los cambios."
    )
    expect(page.locator(".live-hint-js")).to_be_hidden()
    services.agreement_create(
        session=agreements["session"],
        by=agreements["moderator"],
        text_es="Acuerdo visible tras recargar.",
    )
    time.sleep(3)
    assert page.get_by_text("Acuerdo visible tras recargar.").count() == 0  # nothing polls
    page.get_by_role("link", name="Actualizar").click()
    expect(page.get_by_text("Acuerdo visible tras recargar.")).to_be_visible()
    page.screenshot(path=str(shots / "live-nojs-390.png"), full_page=True)
    context.close()
