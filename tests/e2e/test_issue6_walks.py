"""Issue 6, point 10: the two paths into the workshop walked in a real Chromium, with every
e-mail travelling over SMTP to a local sink (tests/smtp_sink.py) and its link opened from the
received message.

1. Staff sign in through the real login page and pass the second factor (a TOTP code made
   from the authenticator's secret), import a CSV of two invitees, preview it, confirm it,
   send the drafts from the change list and watch the progress panel reach 2 sent; the two
   invitations arrive, each in its language; the English one's link opens sign-up with the
   e-mail fixed and lands on the delegate's home.
2. Someone registers on their own, verifies their address from the e-mail, signs in and
   waits on the status page (no conference link); staff approve them from the change list;
   the approval e-mail arrives in the person's language; their home then has the link.

Each step is saved at 1280 px under test-results/issue6/, each home also at 390 px (a second
context sharing the session's cookies, 390 x 844).
"""

import re
import time
from pathlib import Path

import pytest

from tests.admin_factories import activate_totp
from tests.smtp_sink import html_body, plain_body, smtp_sink  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e

STAFF_EMAIL = "secretaria@crm-workshop.test"
DEMO_PASSWORD = "demo-crm-2022"
WEBINAR_URL = "https://zoom.example.org/j/987654321"
PASSWORD = "una-clave-larga-2026"

CSV_TEXT = (
    "name,email,country,organisation,institution,position,profile,language\n"
    "Ana María López Pérez,ana.lopez@sre.gob.mx,MX,,Secretaría de Relaciones Exteriores,"
    "Directora de Protección,protection,en\n"
    "José Martínez Ayala,jose.martinez@migracion.gob.sv,SV,,Dirección General de Migración,"
    "Jefe de Control Migratorio,migration_control,es\n"
)


@pytest.fixture
def shots(results_dir) -> Path:
    folder = results_dir / "issue6"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def walk(demo_live, smtp_sink, settings):  # noqa: F811 - pytest fixture by name
    """The demo workshop with a webinar link, links in e-mails pointing at the live server,
    and the Secretaría's account holding an authenticator app (the admin's gate stays on)."""
    from agenda.models import Workshop
    from participants.models import User

    settings.SITE_URL = demo_live.url
    settings.ADMIN_REQUIRE_MFA = True
    workshop = Workshop.objects.get()
    workshop.webinar_url = WEBINAR_URL
    workshop.save()
    _authenticator, secret = activate_totp(User.objects.get(email=STAFF_EMAIL))
    return {"base": demo_live.url, "sink": smtp_sink, "secret": secret, "workshop": workshop}


def _totp_code(secret: str) -> str:
    """The code an authenticator app shows now, made away from a 30 s period's end so the
    server checks it in the same period."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _context(browser, *, width=1280, height=900, locale="es-ES", storage_state=None):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale=locale,
        timezone_id="America/El_Salvador",
        storage_state=storage_state,
    )
    context.set_default_timeout(15_000)
    return context


def _submit(page, selector="main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def _staff_sign_in(page, base: str, secret: str, shots: Path, prefix: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", STAFF_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    _submit(page)
    assert page.url == f"{base}/accounts/2fa/authenticate/"
    page.screenshot(path=str(shots / f"{prefix}-staff-second-factor-1280.png"), full_page=True)
    page.fill("input[name=code]", _totp_code(secret))
    _submit(page, "main form button.btn-primary[type=submit]")
    assert page.url == f"{base}/staff/"


def _home_at_390(browser, context, url: str, path: Path) -> None:
    """The same signed-in session in a phone-sized window."""
    phone = _context(browser, width=390, height=844, storage_state=context.storage_state())
    page = phone.new_page()
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(path), full_page=True)
    phone.close()


def _link(message, pattern: str, *, html: bool = True) -> str:
    """The one link matching ``pattern`` in the plain body (the same in the HTML body)."""
    plain_links = set(re.findall(pattern, plain_body(message)))
    assert len(plain_links) == 1, plain_links
    if html:
        html_links = set(re.findall(pattern, html_body(message).replace("&amp;", "&")))
        assert html_links == plain_links
    else:
        assert message.get_body(preferencelist=("html",)) is None
    return plain_links.pop()


def test_staff_import_send_and_invitee_signs_up(chromium_browser, walk, shots, tmp_path):
    from participants.models import Invitation, Participant

    base, sink, workshop = walk["base"], walk["sink"], walk["workshop"]
    csv_path = tmp_path / "invitados.csv"
    csv_path.write_text(CSV_TEXT, encoding="utf-8")

    staff_context = _context(chromium_browser)
    staff = staff_context.new_page()
    _staff_sign_in(staff, base, walk["secret"], shots, "walk1")
    staff.screenshot(path=str(shots / "walk1-01-staff-dashboard-1280.png"), full_page=True)

    # Upload → preview (nothing saved yet) → confirm.
    staff.goto(f"{base}/admin/participants/invitation/import/")
    assert staff.locator("h1").inner_text() == "Importar invitados"
    staff.set_input_files("input[name=import_file]", str(csv_path))
    _submit(staff, "form.import-upload input[type=submit]")
    assert staff.locator("#preview-heading").inner_text() == (
        "Vista previa: nada se ha guardado todavía"
    )
    assert " ".join(staff.locator(".import-summary").inner_text().split()) == (
        "2 filas se pueden importar; 0 filas tienen errores."
    )
    assert staff.locator(".import-fate-new").all_inner_texts() == ["Nueva (borrador)"] * 2
    assert staff.locator(".import-preview-table tbody td").all_inner_texts()[1:3] == [
        "Ana María López Pérez",
        "ana.lopez@sre.gob.mx",
    ]
    assert Invitation.objects.count() == 0
    staff.screenshot(path=str(shots / "walk1-02-import-preview-1280.png"), full_page=True)
    _submit(staff, "form.import-confirm input[name=confirm]")
    assert staff.url == f"{base}/admin/participants/invitation/"
    assert staff.locator(".messagelist .success").inner_text() == (
        "Se importaron 2 invitaciones como borradores (sin enviar)."
    )
    assert sorted(Invitation.objects.values_list("email", "status", "language")) == [
        ("ana.lopez@sre.gob.mx", "draft", "en"),
        ("jose.martinez@migracion.gob.sv", "draft", "es"),
    ]
    assert len(sink.messages) == 0  # drafts wait for the "send" action

    # Select the drafts and send them; the panel counts them as sent.
    staff.goto(f"{base}/admin/participants/invitation/?status__exact=draft")
    assert staff.locator("input[name=_selected_action]").count() == 2
    staff.check("#action-toggle")
    staff.select_option("select[name=action]", "send_invitations")
    _submit(staff, "#changelist-form button[name=index]")
    assert staff.locator(".messagelist .success").inner_text() == (
        "2 invitaciones en cola de envío."
    )
    panel = staff.locator(".invitation-progress")
    assert panel.locator("h2").inner_text() == "Progreso del último envío"
    assert panel.locator("[data-status=sent]").inner_text() == "2"
    assert panel.locator("[data-status=queued]").inner_text() == "0"
    assert panel.locator("[data-status=failed]").inner_text() == "0"
    assert panel.locator(".invitation-progress-text").inner_text() == ("2 de 2 procesadas (100 %)")
    assert panel.locator("progress").get_attribute("value") == "100"
    staff.screenshot(path=str(shots / "walk1-03-sent-progress-1280.png"), full_page=True)
    staff_context.close()

    # Two messages over SMTP, each in its invitee's language, each with its own link.
    assert len(sink.messages) == 2
    by_recipient = {message["To"]: message for message in sink.messages}
    english, spanish = (
        by_recipient["ana.lopez@sre.gob.mx"],
        by_recipient["jose.martinez@migracion.gob.sv"],
    )
    assert english["Content-Language"] == "en"
    assert english["Subject"] == f"Invitation: {workshop.title_en}"
    assert plain_body(english).startswith("Dear Ana María López Pérez,")
    assert spanish["Content-Language"] == "es"
    assert spanish["Subject"] == f"Invitación: {workshop.title_es}"
    assert plain_body(spanish).startswith("Estimado/a José Martínez Ayala:")
    tokens = dict(Invitation.objects.values_list("email", "token"))
    assert _link(spanish, rf"{re.escape(base)}/[^\s\"<]*invitation/[^\s\"<]+/") == (
        f"{base}/invitation/{tokens['jose.martinez@migracion.gob.sv']}/"
    )
    link = _link(english, rf"{re.escape(base)}/[^\s\"<]*invitation/[^\s\"<]+/")
    assert link == f"{base}/en/invitation/{tokens['ana.lopez@sre.gob.mx']}/"

    # The invitee opens the link in a browser of her own and signs up.
    invitee_context = _context(chromium_browser, locale="en-US")
    invitee = invitee_context.new_page()
    invitee.goto(link)
    assert invitee.url == f"{base}/en/accounts/signup/"
    assert invitee.input_value("input[name=email]") == "ana.lopez@sre.gob.mx"
    assert invitee.get_attribute("input[name=email]", "readonly") is not None
    invitee.fill("input[name=password1]", PASSWORD)
    invitee.fill("input[name=password2]", PASSWORD)
    invitee.screenshot(path=str(shots / "walk1-04-invitation-signup-1280.png"), full_page=True)
    _submit(invitee)

    assert invitee.url == f"{base}/en/home/"
    assert invitee.locator("h1").inner_text() == "My space"
    identity = invitee.locator("section[aria-labelledby=identity-heading]")
    assert identity.locator("h2").inner_text() == "Delegation of Mexico"
    assert "Approved" in identity.inner_text()
    sessions = invitee.locator("section[aria-labelledby=sessions-heading]")
    assert "Times in your time zone: America/Mexico_City." in sessions.inner_text()
    assert sessions.locator(".zone-inline").count() == 2
    assert all(
        text.startswith("(America/Mexico_City, UTC")
        for text in sessions.locator(".zone-inline").all_inner_texts()
    )
    conference = sessions.locator("a.conference-link")
    assert conference.count() == 2
    assert {conference.nth(i).get_attribute("href") for i in range(2)} == {WEBINAR_URL}
    invitee.screenshot(path=str(shots / "walk1-05-delegate-home-1280.png"), full_page=True)
    _home_at_390(
        chromium_browser,
        invitee_context,
        f"{base}/en/home/",
        shots / "walk1-05-delegate-home-390.png",
    )
    invitee_context.close()

    participant = Participant.objects.get(user__email="ana.lopez@sre.gob.mx")
    assert (participant.delegation.country_id, participant.registration_status) == (
        "MX",
        "approved",
    )
    assert Invitation.objects.get(email="ana.lopez@sre.gob.mx").status == "accepted"
    assert len(sink.messages) == 2  # the link proved the address: no verification e-mail


def test_self_registration_pending_then_approved(chromium_browser, walk, shots):
    from participants.models import Participant

    base, sink, workshop = walk["base"], walk["sink"], walk["workshop"]
    email = "maria.castillo@immigration.gov.bz"

    person_context = _context(chromium_browser)
    person = person_context.new_page()
    person.goto(f"{base}/accounts/signup/")
    person.fill("input[name=email]", email)
    person.fill("input[name=first_name]", "María")
    person.fill("input[name=last_name]", "Castillo")
    person.select_option("select[name=country]", "BZ")
    person.fill("input[name=institution]", "Immigration and Nationality Department")
    person.fill("input[name=position]", "Senior Immigration Officer")
    person.select_option("select[name=profile]", "migration_control")
    person.fill("input[name=time_zone]", "America/Belize")
    person.select_option("select[name=language]", "en")
    person.fill("input[name=password1]", PASSWORD)
    person.fill("input[name=password2]", PASSWORD)
    person.screenshot(path=str(shots / "walk2-01-self-signup-1280.png"), full_page=True)
    _submit(person)
    assert person.url == f"{base}/accounts/confirm-email/"
    participant = Participant.objects.get(user__email=email)
    assert participant.registration_status == "pending"

    # Mandatory verification: the e-mail's link, then sign in.
    assert len(sink.messages) == 1
    verification = sink.messages[0]
    assert verification["To"] == email
    confirm_link = _link(
        verification, rf"{re.escape(base)}/[^\s\"<]*confirm-email/[^\s\"<]+/", html=False
    )
    person.goto(confirm_link)
    person.screenshot(path=str(shots / "walk2-02-confirm-email-1280.png"), full_page=True)
    _submit(person)
    assert person.url == f"{base}/accounts/login/"  # confirmed; now she signs in
    person.fill("input[name=login]", email)
    person.fill("input[name=password]", PASSWORD)
    _submit(person)
    assert person.url == f"{base}/en/registration/"
    assert person.locator(".alert-info").inner_text() == "Your registration is awaiting approval."
    assert person.locator("a.conference-link").count() == 0
    assert WEBINAR_URL not in person.content()
    person.screenshot(path=str(shots / "walk2-03-pending-status-1280.png"), full_page=True)
    _home_at_390(
        chromium_browser,
        person_context,
        f"{base}/en/registration/",
        shots / "walk2-03-pending-status-390.png",
    )
    person.goto(f"{base}/en/home/")
    assert person.url == f"{base}/en/registration/"  # nothing reserved while pending

    # Staff approve from the change list.
    staff_context = _context(chromium_browser)
    staff = staff_context.new_page()
    _staff_sign_in(staff, base, walk["secret"], shots, "walk2")
    staff.goto(f"{base}/admin/participants/participant/?registration_status__exact=pending")
    assert staff.locator("input[name=_selected_action]").count() == 1
    staff.check(f"input[name=_selected_action][value='{participant.pk}']")
    staff.select_option("select[name=action]", "approve_registrations")
    staff.screenshot(path=str(shots / "walk2-04-staff-approve-1280.png"), full_page=True)
    _submit(staff, "#changelist-form button[name=index]")
    assert staff.locator(".messagelist .success").inner_text() == "Se aprobó 1 inscripción."
    staff_context.close()

    # The decision reaches the person in English, with the link to their home.
    assert len(sink.messages) == 2
    approval = sink.messages[1]
    assert approval["To"] == email
    assert approval["Content-Language"] == "en"
    assert approval["Subject"] == f"Registration approved: {workshop.title_en}"
    assert plain_body(approval).startswith("Dear María Castillo,")
    home_link = _link(approval, rf"{re.escape(base)}/[^\s\"<]*home/")
    assert home_link == f"{base}/en/home/"

    person.goto(home_link)
    assert person.url == f"{base}/en/home/"
    identity = person.locator("section[aria-labelledby=identity-heading]")
    assert identity.locator("h2").inner_text() == "Delegation of Belize"
    sessions = person.locator("section[aria-labelledby=sessions-heading]")
    assert "Times in your time zone: America/Belize." in sessions.inner_text()
    conference = sessions.locator("a.conference-link")
    assert conference.count() == 2
    assert conference.first.get_attribute("href") == WEBINAR_URL
    person.screenshot(path=str(shots / "walk2-05-approved-home-1280.png"), full_page=True)
    _home_at_390(
        chromium_browser, person_context, home_link, shots / "walk2-05-approved-home-390.png"
    )
    person_context.close()
    participant.refresh_from_db()
    assert participant.registration_status == "approved"
    assert len(sink.messages) == 2
