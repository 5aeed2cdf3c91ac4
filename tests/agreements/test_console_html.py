"""The console's pages are valid HTML (vnu, one run, with a known-invalid control page), and
read in English under /en/."""

import pytest

from agreements import services
from participants.models import Country
from tests.agreements.console_helpers import (
    agreement_post,
    close_url,
    console_url,
    edit_url,
    reopen_url,
    soup,
    text_of,
)
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _vnu_errors

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> <img src=file:///etc/passwd>'


def _html(response, status) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


@pytest.fixture
def recorded(demo, people, session1, record_agreement):
    """Three agreements in session 1: one with every field, one hostile and edited, one
    adopted; the second was then edited by staff (so a moderator's version 1 is stale)."""
    countries = list(Country.objects.filter(pk__in=["MX", "SV"]))
    full = record_agreement(
        session1,
        "Intercambiar alertas migratorias.\n\nSegundo párrafo.",
        text_en="Exchange migration alerts.",
        countries=countries,
        axis=demo.axes.get(number=1),
        agenda_item=session1.items.first(),
        term="medium",
    )
    hostile = record_agreement(session1, HOSTILE)
    services.agreement_update(
        agreement=hostile, by=people["staff"], expected_version=1, text_es=HOSTILE + " (2)"
    )
    adopted = record_agreement(session1, "Adoptado")
    services.agreement_set_status(
        agreement=adopted, by=people["moderator"], status="adopted", expected_version=1
    )
    return {"full": full, "hostile": hostile, "adopted": adopted}


@pytest.mark.skipif(JAVA is None, reason="Java is not installed: vnu.jar needs it")
def test_every_console_page_is_valid_html(
    client_as, people, session1, recorded, tmp_path, settings
):
    moderator = client_as(people["moderator"])
    pages = {"known invalid page": KNOWN_INVALID}
    pages["console"] = _html(moderator.get(console_url()), 200)
    pages["/en/ console"] = _html(moderator.get("/en" + console_url()), 200)
    pages["console, bad input"] = _html(
        moderator.post(console_url(), agreement_post(session1, text_es="", text_en="")), 400
    )
    pages["console, close not confirmed"] = _html(moderator.post(close_url(), {}), 400)
    pages["edit"] = _html(moderator.get(edit_url(recorded["full"])), 200)
    pages["edit, bad input"] = _html(
        moderator.post(
            edit_url(recorded["full"]),
            agreement_post(session1, text_es="a" * 5001, expected_version=1),
        ),
        400,
    )
    stale = agreement_post(session1, text_es="Mi versión", expected_version=1)
    pages["conflict"] = _html(moderator.post(edit_url(recorded["hostile"]), stale), 409)
    pages["/en/ conflict"] = _html(
        moderator.post("/en" + edit_url(recorded["hostile"]), stale), 409
    )
    pages["home with the console link"] = _html(moderator.get("/home/"), 200)
    services.session_close(session=session1, by=people["moderator"])
    pages["closed console"] = _html(moderator.get(console_url()), 200)
    pages["closed console, refused write"] = _html(
        moderator.post(console_url(), agreement_post(session1)), 409
    )
    pages["closed edit"] = _html(moderator.get(edit_url(recorded["full"])), 200)
    staff = client_as(people["staff"])
    pages["closed console (staff)"] = _html(staff.get(console_url()), 200)
    pages["reopen without reason"] = _html(staff.post(reopen_url(), {"reason": ""}), 400)
    services.session_reopen(session=session1, by=people["staff"], reason="Corrección <b>")
    pages["reopened console"] = _html(staff.get(console_url()), 200)

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )


def test_console_reads_in_english(client_as, people, session1, recorded):
    moderator = client_as(people["moderator"])
    response = moderator.get("/en" + console_url())
    page = soup(response)
    assert page.find("html")["lang"] == "en"
    assert page.find("h1").get_text(strip=True) == "Moderation console: Session 1"
    text = text_of(response)
    for english in (
        "Session open",
        "Record an agreement",
        "Text of the agreement in Spanish",
        "Work Plan axis",
        "Responsible countries",
        "Agreements of the session (3)",
        "Agreement 1",
        "Medium term",
        "Move down",
        "Adopt agreement 1",
        "History (1 change)",
        "Close the session",
        "Warning:",
    ):
        assert english in text, english
    for spanish in ("Registrar un acuerdo", "Acuerdos de la sesión", "Historial", "Bajar"):
        assert spanish not in text, spanish
    # The English text of an agreement shows first in English.
    card = page.find(id=f"agreement-{recorded['full'].pk}")
    assert card.find(lang="en").get_text(strip=True) == "Exchange migration alerts."

    response = moderator.post(
        "/en" + edit_url(recorded["hostile"]),
        agreement_post(session1, text_es="Mi versión", expected_version=1),
    )
    assert response.status_code == 409
    text = text_of(response)
    for english in (
        "Two versions of the same agreement",
        "The saved version",
        "Your version (not saved yet)",
        "Save my version",
        "Keep the saved version",
        "Someone else saved this agreement while you were editing it.",
    ):
        assert english in text, english

    response = moderator.post("/en" + close_url(), {})
    assert "Tick the box to confirm the closing: the session is still open." in text_of(response)
