"""The agenda as a person uses it: read it, change the zone, switch to English."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

UNODC_ES = "Representante Regional de UNODC"
SESSION_1_ES = (
    "Sesión 1: Investigación e inteligencia policial sobre Tráfico Ilícito de Personas Migrantes"
)
SESSION_2_ES = "Sesión virtual 2: Cooperación judicial transfronteriza y Protección"
SESSION_1_EN = "Police investigation and intelligence on the smuggling of migrants"


def test_agenda_zone_change_and_language_switch_in_browser(demo_live, browser_page, results_dir):
    page = browser_page

    page.goto(f"{demo_live.url}/agenda/")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    expect(page.get_by_role("heading", level=2)).to_have_text([SESSION_1_ES, SESSION_2_ES])
    expect(page.get_by_text("Agenda preliminar")).to_be_visible()
    unodc = page.locator(".participant", has_text=UNODC_ES)
    expect(unodc.locator(".badge-status")).to_have_text("Por confirmar")
    expect(unodc.locator(".badge-status")).to_be_visible()
    expect(page.locator(".zone-shown")).to_contain_text("America/El_Salvador (UTC\u221206:00)")

    page.get_by_label("Zona horaria en la que ver los horarios").select_option(
        "America/Mexico_City"
    )
    page.get_by_role("button", name="Cambiar zona").click()

    expect(page).to_have_url(re.compile(r"/agenda/\?tz=America%2FMexico_City$"))
    expect(page.locator(".agenda-item").first.locator(".agenda-item-time time").first).to_have_text(
        "11:00"
    )
    expect(page.locator(".zone-shown")).to_contain_text("America/Mexico_City (UTC\u221205:00)")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.screenshot(path=str(results_dir / "agenda.png"), full_page=True)

    switcher = page.get_by_role("group", name="Idioma:")
    expect(switcher.get_by_role("link", name="Español")).to_have_attribute("aria-current", "true")
    english = switcher.get_by_role("link", name="English")
    expect(english).to_have_attribute("hreflang", "en")
    english.focus()  # a plain link: reachable and followed from the keyboard
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/en/agenda/\?tz=America%2FMexico_City$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2).first).to_contain_text(SESSION_1_EN)
    expect(page.locator(".agenda-item").first.locator(".agenda-item-time time").first).to_have_text(
        "11:00"
    )
    page.screenshot(path=str(results_dir / "agenda-en.png"), full_page=True)


def test_agenda_bad_zone_shows_alert_in_browser(demo_live, browser_page):
    page = browser_page

    page.goto(f"{demo_live.url}/agenda/?tz=Mars/Olympus")

    expect(page.get_by_role("alert")).to_contain_text(
        "«Mars/Olympus» no es una zona horaria válida"
    )
    expect(page.locator(".zone-shown")).to_contain_text("America/El_Salvador (UTC\u221206:00)")


def test_skip_link_is_first_and_visible_on_focus(demo_live, browser_page, results_dir):
    page = browser_page
    page.goto(f"{demo_live.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Intercambio Técnico sobre Tráfico Ilícito de Personas Migrantes"
    )
    page.screenshot(path=str(results_dir / "home.png"), full_page=True)

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Saltar al contenido principal")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.screenshot(path=str(results_dir / "home-skip-link.png"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/#main$"))
    page.keyboard.press("Tab")  # focus continues inside <main>, not back in the header
    expect(page.locator("main :focus")).to_have_count(1)
    page.screenshot(path=str(results_dir / "home-focus.png"))
