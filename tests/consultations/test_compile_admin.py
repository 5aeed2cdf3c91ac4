"""The admin of compendia (read-only) and the "reopen" action on answers, with its reason."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from consultations.models import Answer, Compendium
from tests.consultations.test_compile_views import draft, question, submit

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:consultations_answer_changelist"


@pytest.fixture
def answers(demo, people):
    q1 = question(demo, "TQ-S1-1")
    return {
        "sv": submit(q1, "SV", "Respuesta SV.", by=people["focal_point_other"]),
        "mx": submit(q1, "MX", "Respuesta MX.", by=people["delegate"]),
        "gt": draft(q1, "GT", "Borrador GT."),
    }


def _select(answers, *keys):
    return [str(answers[key].pk) for key in keys]


def test_reopen_action_asks_for_a_reason_first(client_as, people, answers):
    client = client_as(people["staff"])
    response = client.post(
        reverse(CHANGELIST),
        {"action": "reopen_answers", ACTION_CHECKBOX_NAME: _select(answers, "sv", "gt")},
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("textarea", attrs={"name": "reason"}) is not None
    items = [" ".join(li.get_text().split()) for li in soup.select("#content-main ul li")]
    assert items == ["TQ-S1-1 — El Salvador (Enviada)", "TQ-S1-1 — Guatemala (Borrador)"]
    answers["sv"].refresh_from_db()
    assert answers["sv"].status == Answer.Status.SUBMITTED


def test_reopen_action_with_reason_reopens_submitted_only(client_as, people, answers):
    client = client_as(people["staff"])
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "reopen_answers",
            ACTION_CHECKBOX_NAME: _select(answers, "sv", "gt"),
            "apply": "1",
            "reason": "Cifras por confirmar.",
        },
        follow=True,
    )
    assert response.status_code == 200
    text = [str(message) for message in response.context["messages"]]
    assert text == [
        "Se reabrió 1 respuesta.",
        "1 respuesta seleccionada no estaba enviada y no se tocó.",
    ]
    sv, mx, gt = (Answer.objects.get(pk=answers[key].pk) for key in ("sv", "mx", "gt"))
    assert (sv.status, sv.reopen_reason, sv.reopened_by) == (
        "draft",
        "Cifras por confirmar.",
        people["staff"],
    )
    assert sv.history.first().history_change_reason == "Cifras por confirmar."
    assert mx.status == "submitted"
    assert (gt.status, gt.version) == ("draft", 1)


def test_reopen_action_without_reason_changes_nothing(client_as, people, answers):
    response = client_as(people["staff"]).post(
        reverse(CHANGELIST),
        {
            "action": "reopen_answers",
            ACTION_CHECKBOX_NAME: _select(answers, "sv"),
            "apply": "1",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    answers["sv"].refresh_from_db()
    assert answers["sv"].status == "submitted"


def test_compendium_admin_is_read_only(client_as, people, demo):
    compendium = Compendium.objects.create(workshop=demo, requested_by=people["staff"])
    client = client_as(people["staff"])
    listing = client.get(reverse("admin:consultations_compendium_changelist"))
    assert listing.status_code == 200
    assert reverse("consultations:compendium", args=[compendium.pk]).encode() in listing.content
    assert client.get(reverse("admin:consultations_compendium_add")).status_code == 403
    change_url = reverse("admin:consultations_compendium_change", args=[compendium.pk])
    assert client.post(change_url, {"status": "done"}).status_code == 403
    compendium.refresh_from_db()
    assert compendium.status == "queued"
