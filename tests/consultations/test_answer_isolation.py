"""Isolation: every URL of a delegation's answers, for every role and for a delegate of
another country, as real GETs and POSTs. Another country's text never appears; a write by
the wrong person changes nothing.

``delegate`` is Mexico's delegate; ``focal_point_other`` is El Salvador's focal point, the
only role here entitled to El Salvador's answer.
"""

import pytest

from consultations.models import Answer, QuestionAssignment
from consultations.services import answer_save
from participants.models import Participant
from tests.conftest import ROLES
from tests.consultations.answer_helpers import (
    CODE,
    DELEGADA_SV,
    history_url,
    question,
    stored,
    url,
)

SECRET = "Borrador reservado de El Salvador"
INTRUDER = "Texto de un intruso"


@pytest.fixture
def sv_draft(people):
    return answer_save(
        question=question(),
        participant=Participant.objects.get(user__email=DELEGADA_SV),
        text=SECRET,
        expected_version=0,
    )


def _sv_unchanged():
    answer = stored("SV")
    return (answer.text, answer.version, answer.status) == (SECRET, 1, "draft")


ANSWER_GET = {
    "anonymous": 302,
    "pending": 404,
    "delegate": 200,
    "focal_point_other": 200,
    "observer": 404,
    "moderator": 404,
    "staff": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_answer_page_get_per_role(people, client_as, sv_draft, role):
    response = client_as(people[role]).get(url())

    assert response.status_code == ANSWER_GET[role]
    if role == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={url()}"
    assert (SECRET in response.text) is (role == "focal_point_other")


@pytest.mark.parametrize("role", ROLES)
def test_history_get_per_role(people, client_as, sv_draft, role):
    response = client_as(people[role]).get(history_url())

    assert response.status_code == ANSWER_GET[role]
    if role == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={history_url()}"
    assert (SECRET in response.text) is (role == "focal_point_other")


@pytest.mark.parametrize("role", ROLES)
def test_list_get_never_shows_another_countrys_text(people, client_as, sv_draft, role):
    response = client_as(people[role]).get("/consultations/")

    assert SECRET not in response.text


ANSWER_POST = {
    "anonymous": 302,
    "pending": 404,
    "delegate": 302,  # Mexico's own answer: written, El Salvador's untouched
    "focal_point_other": 302,
    "observer": 404,
    "moderator": 404,
    "staff": 404,
}


@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("role", ROLES)
def test_answer_post_per_role_touches_only_the_writers_own_country(
    people, client_as, sv_draft, role, action
):
    version = 1 if role == "focal_point_other" else 0
    response = client_as(people[role]).post(
        url(), {"text": INTRUDER, "version": str(version), "action": action}
    )

    assert response.status_code == ANSWER_POST[role]
    assert SECRET not in response.text
    if role == "focal_point_other":
        assert stored("SV").text == INTRUDER
        return
    assert _sv_unchanged()
    if role == "delegate":
        assert stored("MX").text == INTRUDER
    else:
        assert Answer.objects.filter(question__code=CODE).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_list_and_history_refuse_posts(people, client_as, sv_draft, role):
    client = client_as(people[role])

    for path in ("/consultations/", history_url()):
        response = client.post(path, {"text": INTRUDER, "version": "1", "action": "save"})
        assert response.status_code == 405

    assert _sv_unchanged()


def test_question_not_distributed_to_the_country_is_404_everywhere(people, client_as, sv_draft):
    QuestionAssignment.objects.filter(question__code=CODE, country_id="MX").delete()
    client = client_as(people["delegate"])

    get = client.get(url())
    posted = client.post(url(), {"text": INTRUDER, "version": "0", "action": "save"})
    history = client.get(history_url())
    listed = client.get("/consultations/")

    assert (get.status_code, posted.status_code, history.status_code) == (404, 404, 404)
    assert f'href="{url()}"' not in listed.text
    assert stored("MX") is None
    assert _sv_unchanged()


def test_the_same_question_reads_each_countrys_own_answer(people, client_as, sv_draft):
    answer_save(
        question=question(),
        participant=Participant.objects.get(user=people["delegate"]),
        text="Borrador de México",
        expected_version=0,
    )

    mexico = client_as(people["delegate"]).get(url()).text
    salvador = client_as(people["focal_point_other"]).get(url()).text

    assert "Borrador de México" in mexico
    assert SECRET not in mexico
    assert SECRET in salvador
    assert "Borrador de México" not in salvador


def test_unknown_question_code_is_404(people, client_as):
    client = client_as(people["focal_point_other"])

    assert client.get(url("TQ-NO-EXISTE")).status_code == 404
    assert client.get(history_url("TQ-NO-EXISTE")).status_code == 404


def test_a_question_of_another_workshop_is_404(people, client_as, demo):
    from tests.admin_factories import TriggerQuestionFactory

    other = TriggerQuestionFactory(code="TQ-OTRO")
    QuestionAssignment.objects.create(question=other, country_id="SV")

    assert client_as(people["focal_point_other"]).get(url("TQ-OTRO")).status_code == 404


def test_a_rejected_delegate_gets_404(people, client_as, sv_draft):
    sv = Participant.objects.get(user__email=DELEGADA_SV)
    sv.registration_status = Participant.RegistrationStatus.REJECTED
    sv.save()
    client = client_as(sv.user)

    response = client.post(url(), {"text": INTRUDER, "version": "1", "action": "save"})

    assert response.status_code == 404
    assert client.get(url()).status_code == 404
    assert client.get("/consultations/").status_code == 403
    assert _sv_unchanged()
