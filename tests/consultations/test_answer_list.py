"""``/consultations/``: a delegation's questions, by session and axis, with status, last
editor, deadline and time left in the reader's zone, and who may submit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import selectors
from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from consultations.services import answer_save
from participants.models import Participant
from tests.admin_factories import AxisFactory, TriggerQuestionFactory
from tests.conftest import ROLES
from tests.consultations.answer_helpers import (
    DELEGADA_MX,
    DELEGADA_SV,
    DELEGADO_SV,
    delegation,
    question,
    user,
)

LIST = "/consultations/"

EXPECTED = {
    "anonymous": 302,
    "pending": 403,
    "delegate": 200,
    "focal_point_other": 200,
    "observer": 403,
    "moderator": 403,
    "staff": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_list_answers_each_role(people, client_as, role):
    response = client_as(people[role]).get(LIST)

    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert response["Location"] == "/accounts/login/?next=/consultations/"
    elif EXPECTED[role] == 403:
        assert "las responden las delegaciones aprobadas" in response.text
        assert "TQ-S1-1" not in response.text
    else:
        assert response.text.count('class="answer-row"') == 8


def test_list_for_staff_links_to_follow_up_and_compilation(people, client_as):
    response = client_as(people["staff"]).get(LIST)

    assert response.status_code == 403
    assert 'href="/staff/consultations/"' in response.text
    assert 'href="/consultations/compile/"' in response.text


def test_list_for_observer_has_no_staff_links(people, client_as):
    response = client_as(people["observer"]).get(LIST)

    assert 'href="/staff/consultations/"' not in response.text
    assert 'href="/home/">Volver a Mi espacio</a>' in response.text


def test_list_groups_questions_by_session_then_axis(people, client_as, demo):
    html = client_as(user(DELEGADA_SV)).get(LIST).text

    session_1 = html.index('id="session-1">Sesión 1: Investigación')
    session_2 = html.index('id="session-2">Sesión virtual 2: Cooperación judicial')
    axis_1 = html.index('answer-axis">Eje 1: Inteligencia e investigación</h3>')
    axis_2 = html.index('answer-axis">Eje 2: Cooperación judicial transfronteriza</h3>')
    axis_4 = html.index('answer-axis">Eje 4: Protección</h3>')
    assert html.count('<h2 class="h3"') == 2
    assert html.count('class="h5 answer-axis"') == 3
    assert session_1 < axis_1 < html.index("TQ-S1-1") < html.index("TQ-S1-4") < session_2
    assert session_2 < axis_2 < axis_4
    axis_of = dict(TriggerQuestion.objects.values_list("code", "axis__number"))
    for code, number in axis_of.items():
        heading = {1: axis_1, 2: axis_2, 4: axis_4}[number]
        assert heading < html.index(f">{code}<")


def test_list_shows_status_last_editor_and_time_in_the_readers_zone(people, client_as, demo):
    first = question("TQ-S1-1")
    first.deadline = dt.datetime(2030, 6, 10, 23, 0, tzinfo=dt.UTC)
    first.save()
    participant = Participant.objects.get(user=user(DELEGADA_SV))
    answer_save(question=first, participant=participant, text="Borrador", expected_version=0)
    reader = user(DELEGADO_SV)
    reader.time_zone = "America/Mexico_City"
    reader.save()

    html = client_as(reader).get(LIST).text

    # 23:00 UTC is 17:00 in Mexico City (no daylight saving time since 2022).
    assert (
        '<time datetime="2030-06-10T17:00:00-06:00">10 de junio de 2030, 17:00</time> '
        '<span class="zone-inline">(America/Mexico_City, UTC−06:00)</span>'
    ) in html
    assert "Última edición: Delegada El Salvador (demo)" in html
    assert html.count('answer-status-draft">Borrador') == 1
    assert html.count('answer-status-none">Sin empezar') == 7
    assert "quedan " in html
    assert "Horarios en su zona horaria: America/Mexico_City." in html


def test_list_shows_submitted_and_closed(people, client_as, demo):
    participant = Participant.objects.get(user=user(DELEGADO_SV))
    answer_save(
        question=question("TQ-S1-2"),
        participant=participant,
        text="Enviada",
        expected_version=0,
        submit=True,
    )
    closed = question("TQ-S2-1")
    closed.deadline = timezone.now() - dt.timedelta(minutes=1)
    closed.save()

    html = client_as(user(DELEGADA_SV)).get(LIST).text

    assert html.count('answer-status-submitted">Enviada') == 1
    assert html.count("Cerrada: el plazo venció") == 1
    assert "Enviadas: 1 de 8." in html


def test_list_names_the_focal_point_who_submits(people, client_as):
    html = client_as(user(DELEGADA_SV)).get(LIST).text

    assert "Envía las respuestas del país el punto focal: <strong>Delegado El Salvador (demo)" in (
        html
    )
    assert "Usted puede redactar y guardar borradores." in html
    assert "Usted puede enviarlas." not in html


def test_list_focal_point_reads_that_they_may_submit(people, client_as):
    html = client_as(user(DELEGADO_SV)).get(LIST).text

    assert "Usted puede enviarlas." in html


def test_list_delegation_without_focal_point_says_anyone_submits(people, client_as):
    html = client_as(user(DELEGADA_MX)).get(LIST).text

    assert "Su delegación no tiene punto focal" in html
    assert "Usted puede enviarlas." in html


def test_list_shows_an_extension_for_this_country_only(people, client_as):
    QuestionAssignment.objects.filter(question__code="TQ-S1-3", country_id="SV").update(
        deadline_extended_to=timezone.now() + dt.timedelta(days=40)
    )

    sv = client_as(user(DELEGADA_SV)).get(LIST).text
    mx = client_as(user(DELEGADA_MX)).get(LIST).text

    assert sv.count("(prorrogada para su país)") == 1
    assert mx.count("(prorrogada para su país)") == 0


def test_list_links_each_question_to_its_answer_page(people, client_as):
    html = client_as(user(DELEGADA_SV)).get(LIST).text

    for code in ("TQ-S1-1", "TQ-S1-4", "TQ-S2-4"):
        assert f'href="/consultations/{code}/"' in html


def test_list_says_nothing_is_asked_without_questions(people, client_as):
    QuestionAssignment.objects.filter(country_id="SV").delete()

    response = client_as(user(DELEGADA_SV)).get(LIST)

    assert response.status_code == 200
    assert "Por ahora no se le pide nada" in response.text


def test_list_english(people, client_as):
    response = client_as(user(DELEGADA_SV)).get("/en" + LIST)

    assert response.status_code == 200
    assert "Trigger questions" in response.text
    assert "[Example question]" in response.text
    assert "Not started" in response.text
    assert "Deadline:" in response.text


def test_header_links_to_questions_for_delegates_only(people, client_as):
    delegate = client_as(user(DELEGADA_SV)).get("/").text
    observer = client_as(people["observer"]).get("/").text

    assert 'href="/consultations/">Preguntas</a>' in delegate
    assert 'href="/consultations/"' not in observer


# --- query count ---------------------------------------------------------------------------


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def _more_questions(demo, number: int) -> None:
    sv = delegation("SV")
    sessions = list(demo.sessions.order_by("number"))
    writer = user(DELEGADA_SV)
    for n in range(number):
        axis = AxisFactory(workshop=demo, number=10 + n)
        extra = TriggerQuestionFactory(
            workshop=demo, session=sessions[n % 2], axis=axis, deadline=timezone.now()
        )
        QuestionAssignment.objects.create(question=extra, country_id="SV")
        Answer.objects.create(question=extra, delegation=sv, text=f"R{n}", edited_by=writer)


def test_list_query_count_does_not_grow_with_questions(people, client_as, demo):
    QuestionAssignment.objects.filter(country_id="SV").exclude(question__code="TQ-S1-1").delete()
    Answer.objects.create(
        question=question("TQ-S1-1"), delegation=delegation("SV"), edited_by=user(DELEGADO_SV)
    )
    client = client_as(user(DELEGADA_SV))
    client.get(LIST)  # the session remembers from now on that she answers for SV
    one = _queries(client)
    _more_questions(demo, 25)

    many = _queries(client)

    assert client.get(LIST).text.count('class="answer-row"') == 26
    assert many == one


def test_selector_loads_every_question_and_answer_in_two_queries(
    people, demo, django_assert_num_queries
):
    _more_questions(demo, 5)
    sv = delegation("SV")

    with django_assert_num_queries(2):
        assignments = selectors.delegation_assignments(delegation=sv)
        texts = [
            (a.question.code, a.question.session.number, str(a.question.axis), a.answer)
            for a in assignments
        ]
        editors = [a.answer.edited_by.email for a in assignments if a.answer]

    assert len(texts) == 13
    assert editors == [DELEGADA_SV] * 5


def test_home_links_each_question_to_its_answer_page_and_to_the_list(people, client_as):
    html = client_as(user(DELEGADA_SV)).get("/home/").text

    assert html.count('href="/consultations/TQ-') == 8
    assert 'href="/consultations/TQ-S2-3/"><strong>TQ-S2-3</strong></a>' in html
    assert 'href="/consultations/">Responder las preguntas de su país</a>' in html


def test_header_link_follows_the_registration_once_the_page_is_visited(people, client_as):
    sv = Participant.objects.get(user__email=DELEGADA_SV)
    client = client_as(sv.user)
    assert 'href="/consultations/">Preguntas</a>' in client.get("/").text
    sv.registration_status = Participant.RegistrationStatus.REJECTED
    sv.save()

    refused = client.get(LIST)

    assert refused.status_code == 403
    assert 'href="/consultations/">Preguntas</a>' not in refused.text
    assert 'href="/consultations/">Preguntas</a>' not in client.get("/").text


def test_header_link_appears_after_approval_once_the_home_page_is_seen(people, client_as):
    pending = people["pending"]
    client = client_as(pending)
    assert 'href="/consultations/"' not in client.get("/").text
    Participant.objects.filter(user=pending).update(
        registration_status=Participant.RegistrationStatus.APPROVED
    )

    before = client.get("/").text
    home = client.get("/home/").text
    after = client.get("/").text

    assert 'href="/consultations/"' not in before  # noted at sign-in, no query per page
    assert 'href="/consultations/">Preguntas</a>' in home
    assert 'href="/consultations/">Preguntas</a>' in after


def test_header_link_runs_no_query_on_other_pages(people, client_as, django_assert_num_queries):
    client = client_as(user(DELEGADA_SV))
    client.get("/")
    with CaptureQueriesContext(connection) as delegate:
        html = client.get("/").text
    client = client_as(people["observer"])
    client.get("/")
    with CaptureQueriesContext(connection) as observer:
        client.get("/")

    assert 'href="/consultations/">Preguntas</a>' in html
    assert len(delegate.captured_queries) == len(observer.captured_queries)
