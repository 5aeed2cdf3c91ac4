"""The minutes pages: who reaches what (a real request per role, a real POST per forbidden
action), the progress page and its JSON, start (and with the broker down), the confirm step
and the issue, the download's headers, the home card, query counts, valid HTML."""

import hashlib
import zoneinfo

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import minutes as service
from agreements.models import Minutes
from agreements.tasks import minutes_render_task
from participants.models import Notification
from tests.agreements.minutes_helpers import use_media
from tests.conftest import ROLES
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _get, _vnu_errors

pytestmark = pytest.mark.django_db

INDEX = "/staff/minutes/"
START = "/staff/minutes/start/"
HOME = "/home/"


@pytest.fixture
def media(settings, tmp_path):
    return use_media(settings, tmp_path)


@pytest.fixture
def versions(demo, media, people):
    """An issued version (v1), a ready draft (v2), a queued one (v3)."""
    issued = Minutes.objects.create(workshop=demo, version=1, requested_by=people["staff"])
    minutes_render_task.apply(kwargs={"minutes_id": issued.pk}).get()
    service.minutes_issue(minutes=Minutes.objects.get(pk=issued.pk), by=people["staff"])
    draft = Minutes.objects.create(workshop=demo, version=2, requested_by=people["staff"])
    minutes_render_task.apply(kwargs={"minutes_id": draft.pk}).get()
    queued = Minutes.objects.create(workshop=demo, version=3)
    return {
        "draft": Minutes.objects.get(pk=draft.pk),
        "issued": Minutes.objects.get(pk=issued.pk),
        "queued": queued,
    }


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


# --- Who may reach what -------------------------------------------------------------------

STAFF_PAGES = ("index", "detail", "progress", "issue")
# Per role: staff pages, download of the draft, download of the issued version.
EXPECTED = {
    "anonymous": (302, 302, 302),
    "pending": (404, 404, 404),
    "delegate": (404, 404, 200),
    "focal_point_other": (404, 404, 200),
    "observer": (404, 404, 200),
    "moderator": (404, 404, 200),
    "staff": (200, 200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_what_it_may(role, versions, people, client_as):
    client = client_as(people[role])
    draft, issued = versions["draft"], versions["issued"]
    staff_status, draft_status, issued_status = EXPECTED[role]
    paths = {
        "index": INDEX,
        "detail": reverse("staff:minutes_detail", args=[draft.pk]),
        "progress": reverse("staff:minutes_progress", args=[draft.pk]),
        "issue": reverse("staff:minutes_issue", args=[draft.pk]),
    }
    for name in STAFF_PAGES:
        response = client.get(paths[name])
        assert response.status_code == staff_status, name
        if staff_status == 302:
            assert response["Location"].startswith("/accounts/login/?next=")
    draft_url = reverse("minutes:download", args=[draft.pk])
    issued_url = reverse("minutes:download", args=[issued.pk])
    assert client.get(draft_url).status_code == draft_status
    assert client.get(issued_url).status_code == issued_status
    # A version that does not exist answers like one that may not be read.
    missing = client.get(reverse("minutes:download", args=[99999]))
    assert missing.status_code == (302 if role == "anonymous" else 404)
    if role != "staff":
        # Forbidden writes change nothing.
        before = list(Minutes.objects.order_by("pk").values_list("pk", "status", "sha256"))
        assert client.post(START, {"language": "es"}).status_code in (302, 404)
        response = client.post(paths["issue"], {"confirm": "on"})
        assert response.status_code == staff_status
        after = list(Minutes.objects.order_by("pk").values_list("pk", "status", "sha256"))
        assert after == before
        assert Notification.objects.filter(dedupe_key=f"minutes-{draft.pk}").count() == 0


def test_download_sends_the_stored_file_as_an_attachment(versions, people, client_as):
    issued = versions["issued"]
    response = client_as(people["delegate"]).get(reverse("minutes:download", args=[issued.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acta-v1-es.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == issued.sha256
    draft = client_as(people["staff"]).get(reverse("minutes:download", args=[versions["draft"].pk]))
    assert draft["Content-Disposition"] == 'attachment; filename="acta-v2-es-borrador.pdf"'
    # The file is not reachable under /media/.
    assert client_as(people["staff"]).get(f"/media/{issued.pdf.name}").status_code == 404


def test_start_renders_and_redirects_to_the_version(
    demo, media, people, client_as, django_capture_on_commit_callbacks
):
    client = client_as(people["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"language": "en"})
    minutes = Minutes.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:minutes_detail", args=[minutes.pk])
    assert (minutes.language, minutes.render_status, minutes.requested_by) == (
        "en",
        "ready",
        people["staff"],
    )
    page = client.get(response["Location"])
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("code.sha256").get_text() == minutes.sha256
    assert soup.find("a", href=reverse("minutes:download", args=[minutes.pk])) is not None
    assert soup.find("a", href=reverse("staff:minutes_issue", args=[minutes.pk])) is not None
    assert soup.find("progress") is None
    assert "Páginas 7" in _text(page)


def test_start_rejects_another_language(demo, people, client_as):
    response = client_as(people["staff"]).post(START, {"language": "fr"})
    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert not Minutes.objects.exists()


def test_broker_down_page_says_it_will_start_later(
    demo, media, people, client_as, broker_down, django_capture_on_commit_callbacks
):
    client = client_as(people["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"language": "es"})
    minutes = Minutes.objects.get()
    assert (minutes.render_status, minutes.attempts) == ("queued", 0)
    page = client.get(response["Location"])
    soup = BeautifulSoup(page.content, "html.parser")
    text = _text(page)
    assert "el servidor de tareas no responde ahora: se generará en cuanto vuelva" in text
    progress = soup.find("progress")
    assert (progress["max"], progress["value"]) == ("100", "0")
    assert soup.find("script", src="/static/js/pdf-progress.js") is not None
    assert soup.select_one('noscript meta[http-equiv="refresh"]') is not None
    assert soup.find("a", href=reverse("staff:minutes_detail", args=[minutes.pk])) is not None


def test_progress_json(demo, people, client_as):
    minutes = Minutes.objects.create(
        workshop=demo, version=1, render_status="rendering", progress=40, started_at=timezone.now()
    )
    response = client_as(people["staff"]).get(reverse("staff:minutes_progress", args=[minutes.pk]))
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "render_status": "rendering",
        "status_label": "Generando",
        "progress": 40,
        "ready": False,
        "finished": False,
        "sha256": "",
        "page_count": None,
        "error": "",
    }


def test_failed_version_shows_its_reason(demo, people, client_as):
    minutes = Minutes.objects.create(
        workshop=demo, version=1, render_status="failed", error="La generación falló: <b>X</b>"
    )
    page = client_as(people["staff"]).get(reverse("staff:minutes_detail", args=[minutes.pk]))
    assert "La generación falló y no se reintentará por sí sola." in _text(page)
    assert b"La generaci\xc3\xb3n fall\xc3\xb3: &lt;b&gt;X&lt;/b&gt;" in page.content


def test_confirm_step_names_the_recipients_then_issues(
    versions, people, client_as, django_capture_on_commit_callbacks
):
    client = client_as(people["staff"])
    newer = versions["draft"]
    url = reverse("staff:minutes_issue", args=[newer.pk])
    page = client.get(url)
    text = _text(page)
    assert "a 5 participantes aprobados, una sola vez a cada uno" in text
    assert "se enviará por correo a 5 participantes." in text
    # Not confirmed: nothing issued.
    refused = client.post(url, {})
    assert "Marque la casilla para confirmar la emisión: no se emitió nada." in _text(refused)
    assert Minutes.objects.get(pk=newer.pk).status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"confirm": "on"})
    assert done.status_code == 302
    assert done["Location"] == reverse("staff:minutes_detail", args=[newer.pk])
    assert Minutes.objects.get(pk=newer.pk).status == "issued"
    assert Notification.objects.filter(dedupe_key=f"minutes-{newer.pk}").count() == 5
    again = client.post(url, {"confirm": "on"}, follow=True)
    assert "Esta versión ya está emitida: no se envió nada de nuevo." in _text(again)
    assert Notification.objects.filter(dedupe_key=f"minutes-{newer.pk}").count() == 5


def test_index_query_count_does_not_grow(demo, people, client_as):
    client = client_as(people["staff"])
    Minutes.objects.create(workshop=demo, version=1, requested_by=people["staff"])
    with CaptureQueriesContext(connection) as one:
        assert client.get(INDEX).status_code == 200
    for version in range(2, 21):
        Minutes.objects.create(workshop=demo, version=version, requested_by=people["moderator"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(INDEX)
    assert _text(response).count("Versión ") >= 20
    assert len(one) == len(many) == 7


def test_home_card_shows_the_latest_issued_version(versions, people, client_as):
    client = client_as(people["delegate"])
    text = _text(client.get(HOME))
    issued = versions["issued"]
    assert "Acta del taller" in text
    local = issued.issued_at.astimezone(zoneinfo.ZoneInfo("America/Mexico_City"))
    assert f"Versión 1, emitida el {local.day} de " in text
    assert f", {local:%H:%M} (America/Mexico_City, UTC−06:00)." in text
    assert "Español · 7 páginas" in text
    assert issued.sha256 in text
    soup = BeautifulSoup(client.get(HOME).content, "html.parser")
    assert soup.find("a", href=reverse("minutes:download", args=[issued.pk])) is not None


def test_home_card_before_any_issue_and_its_query_cost(demo, people, client_as, media):
    client = client_as(people["focal_point_other"])
    with CaptureQueriesContext(connection) as none_issued:
        text = _text(client.get(HOME))
    assert "El acta aún no se ha emitido." in text
    Minutes.objects.create(workshop=demo, version=1)  # a draft is not shown
    with CaptureQueriesContext(connection) as with_draft:
        text = _text(client.get(HOME))
    assert "El acta aún no se ha emitido." in text
    assert len(none_issued) == len(with_draft)
    minutes_query = [q for q in with_draft.captured_queries if "agreements_minutes" in q["sql"]]
    assert len(minutes_query) == 1


@pytest.mark.skipif(JAVA is None, reason="Java is not installed: vnu.jar needs it")
def test_every_minutes_page_is_valid_html(versions, people, client_as, tmp_path, demo):
    failed = Minutes.objects.create(workshop=demo, version=5, render_status="failed", error="x")
    rendering = Minutes.objects.create(
        workshop=demo, version=6, render_status="rendering", progress=40
    )
    staff = client_as(people["staff"])
    pages = {"known invalid page": KNOWN_INVALID}
    for path in [INDEX, "/en" + INDEX]:
        pages[path] = _get(staff, path)
    for name, minutes in {**versions, "failed": failed, "rendering": rendering}.items():
        pages[name] = _get(staff, reverse("staff:minutes_detail", args=[minutes.pk]))
    pages["confirm"] = _get(staff, reverse("staff:minutes_issue", args=[versions["draft"].pk]))
    pages["home"] = _get(client_as(people["delegate"]), HOME)
    errors = _vnu_errors(pages, tmp_path)
    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
