"""The admin keeps a closed session's agreements frozen; sessions' records are read-only there,
with their history."""

import pytest
from bs4 import BeautifulSoup

from agreements import services
from agreements.models import Agreement
from tests.agreements.console_helpers import snapshot
from tests.rendered_forms import rendered_form

pytestmark = pytest.mark.django_db

CLOSED = "La sesión está cerrada: sus acuerdos ya no se pueden modificar."


@pytest.fixture
def admin_client(client_as, people):
    return client_as(people["staff"])


def _change(agreement) -> str:
    return f"/admin/agreements/agreement/{agreement.pk}/change/"


def _errors(response) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    return " ".join(e.get_text(" ", strip=True) for e in page.select(".errornote, .errorlist"))


def test_change_of_an_agreement_of_an_open_session_is_saved(
    admin_client, session1, record_agreement
):
    agreement = record_agreement(session1, "Texto original")
    data = rendered_form(admin_client.get(_change(agreement)).content, "agreement_form")
    data["text_es"] = ["Corregido en el admin"]
    response = admin_client.post(_change(agreement), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.text_es, agreement.version) == ("Corregido en el admin", 2)


def test_change_add_and_delete_in_a_closed_session_are_refused_with_a_message(
    admin_client, people, session1, session2, record_agreement
):
    agreement = record_agreement(session1, "Texto original")
    elsewhere = record_agreement(session2, "En la sesión 2")
    change_data = rendered_form(admin_client.get(_change(agreement)).content, "agreement_form")
    move_data = rendered_form(admin_client.get(_change(elsewhere)).content, "agreement_form")
    services.session_close(session=session1, by=people["moderator"])
    before = snapshot()

    change_data["text_es"] = ["Cambiado tras el cierre"]
    response = admin_client.post(_change(agreement), change_data)
    assert response.status_code == 200
    assert CLOSED in _errors(response)

    # Moving session 2's agreement into the closed session.
    move_data["session"] = [str(session1.pk)]
    response = admin_client.post(_change(elsewhere), move_data)
    assert response.status_code == 200
    assert CLOSED in _errors(response)

    add_data = dict(change_data)
    add_data.pop("expected_version", None)
    add_data["number"] = ["50"]
    response = admin_client.post("/admin/agreements/agreement/add/", add_data)
    assert response.status_code == 200
    assert CLOSED in _errors(response)

    response = admin_client.post(
        f"/admin/agreements/agreement/{agreement.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert response["Location"] == _change(agreement)
    page = admin_client.get(response["Location"])
    assert CLOSED in page.content.decode()

    response = admin_client.post(
        "/admin/agreements/agreement/",
        {"action": "delete_selected", "_selected_action": [agreement.pk], "post": "yes"},
    )
    assert snapshot() == before
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_session_record_admin_is_read_only_with_history(admin_client, people, session1):
    services.session_close(session=session1, by=people["moderator"])
    services.session_reopen(session=session1, by=people["staff"], reason="Corregir el acuerdo 2")
    record = session1.agreement_record

    listing = admin_client.get("/admin/agreements/sessionrecord/")
    assert listing.status_code == 200
    assert "Abierta" in listing.content.decode()
    change = admin_client.get(f"/admin/agreements/sessionrecord/{record.pk}/change/")
    assert change.status_code == 200
    html = change.content.decode()
    assert "Corregir el acuerdo 2" in html
    assert 'name="_save"' not in html
    history = admin_client.get(f"/admin/agreements/sessionrecord/{record.pk}/history/")
    assert history.status_code == 200
    assert "Corregir el acuerdo 2" in history.content.decode()

    before = snapshot()
    assert admin_client.get("/admin/agreements/sessionrecord/add/").status_code == 403
    response = admin_client.post(
        f"/admin/agreements/sessionrecord/{record.pk}/change/",
        {"reopen_reason": "otro", "revision": "0"},
    )
    assert response.status_code == 403
    response = admin_client.post(
        f"/admin/agreements/sessionrecord/{record.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert snapshot() == before
