"""/home/: one home per role, times in the reader's zone, questions, members and gaps."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from participants.models import Participant, User
from tests.participants.homes_helpers import add_member

HOME = "/home/"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status", "location"),
    [
        ("anonymous", 302, "/accounts/login/?next=/home/"),
        ("pending", 302, "/registration/"),
        ("delegate", 200, None),
        ("focal_point_other", 200, None),
        ("observer", 200, None),
        ("moderator", 200, None),
        ("staff", 302, "/staff/"),
    ],
)
def test_home_answers_each_role(people, client_as, role, status, location):
    response = client_as(people[role]).get(HOME)

    assert response.status_code == status
    assert response.get("Location") == location


def test_home_url_names_agree():
    assert reverse("participants:home") == HOME
    assert reverse("participants:calendar") == "/home/calendar.ics"
    assert reverse("participants:registration") == "/registration/"


def test_home_rejected_participant_is_sent_to_registration(people, client_as):
    Participant.objects.filter(user=people["delegate"]).update(registration_status="rejected")

    response = client_as(people["delegate"]).get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/registration/"


def test_home_account_without_registration_is_sent_to_registration(demo, client_as):
    user = User.objects.create_user(username="nadie", email="nadie@example.org")

    response = client_as(user).get(HOME)

    assert response["Location"] == "/registration/"


def test_home_delegate_sees_delegation_status_and_sessions_in_mexico_city_time(people, client_as):
    html = client_as(people["delegate"]).get(HOME).content.decode()

    assert "Delegación de México" in html
    assert "Aprobada" in html
    # Session 1 is 10:00–12:00 in El Salvador (UTC−6); Mexico City was UTC−5 in June 2022.
    assert '<time datetime="2022-06-14T11:00:00-05:00">11:00</time>' in html
    assert "(America/Mexico_City, UTC−05:00)" in html
    assert 'href="/home/calendar.ics"' in html


def test_home_uses_the_users_own_zone_first(people, client_as):
    people["delegate"].time_zone = "Europe/Madrid"
    people["delegate"].save()

    html = client_as(people["delegate"]).get(HOME).content.decode()

    assert '<time datetime="2022-06-14T18:00:00+02:00">18:00</time>' in html
    assert "(Europe/Madrid, UTC+02:00)" in html


def test_home_english_prefix_speaks_english(people, client_as):
    response = client_as(people["delegate"]).get("/en/home/")

    assert response.status_code == 200
    assert "My space" in response.content.decode()


def test_home_lists_questions_of_the_country_with_answer_status_and_deadline(
    people, client_as, demo
):
    mexico = demo.delegations.get(country_id="MX")
    first = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    first.deadline = dt.datetime(2022, 6, 10, 23, 0, tzinfo=dt.UTC)
    first.save()
    Answer.objects.create(question=first, delegation=mexico, text="Borrador de México")
    submitted = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-2")
    Answer.objects.create(
        question=submitted,
        delegation=mexico,
        status="submitted",
        submitted_at=dt.datetime(2022, 6, 1, tzinfo=dt.UTC),
    )

    html = client_as(people["delegate"]).get(HOME).content.decode()

    assert html.count('class="home-question"') == 8
    assert "Respuesta: Borrador" in html
    assert "Respuesta: Enviada" in html
    assert html.count("Respuesta: Sin respuesta") == 6
    # 23:00 UTC is 18:00 in Mexico City.
    assert '<time datetime="2022-06-10T18:00:00-05:00">10 de junio de 2022, 18:00</time>' in html


def test_home_says_nothing_is_asked_when_no_question_is_assigned(people, client_as):
    QuestionAssignment.objects.filter(country_id="MX").delete()

    html = client_as(people["delegate"]).get(HOME).content.decode()

    assert 'class="home-question"' not in html
    assert "Por ahora no se le pide nada" in html


def test_home_another_countrys_answer_does_not_count_as_ours(people, client_as, demo):
    question = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    Answer.objects.create(question=question, delegation=demo.delegations.get(country_id="SV"))

    html = client_as(people["delegate"]).get(HOME).content.decode()

    assert "Respuesta: Borrador" not in html
    assert html.count("Respuesta: Sin respuesta") == 8


def test_home_plain_delegate_sees_no_members_table(people, client_as):
    html = client_as(people["delegate"]).get(HOME).content.decode()

    assert "Miembros de la delegación" not in html
    assert "Pendiente México" not in html  # the pending member of Mexico
    assert 'href="/home/delegation/"' in html


def test_home_focal_point_sees_members_with_status_and_the_gaps(people, client_as, demo):
    add_member(demo, country="SV", n=1, profile="protection", status="pending")

    html = client_as(people["focal_point_other"]).get(HOME).content.decode()

    assert "Miembros de la delegación" in html
    assert "Miembro1 SV pending" in html
    assert "Pendiente" in html
    # SV has an approved investigation official only; the pending protection one is no cover.
    gaps = html.split("Perfiles esperados sin miembro aprobado:")[1].split("</ul>")[0]
    assert "Control migratorio" in gaps
    assert "Protección y refugio" in gaps
    assert "Investigación y judicialización" not in gaps


def test_home_focal_point_without_gaps_says_so(people, client_as, demo):
    add_member(demo, country="SV", n=1, profile="migration_control")
    add_member(demo, country="SV", n=2, profile="protection")

    html = client_as(people["focal_point_other"]).get(HOME).content.decode()

    assert "Perfiles esperados sin miembro aprobado" not in html
    assert "La delegación cuenta con los tres perfiles esperados" in html


def test_home_observer_sees_organisation_and_sessions_but_no_questions(people, client_as):
    html = client_as(people["observer"]).get(HOME).content.decode()

    assert "RROCM" in html
    assert "Sus sesiones" in html
    assert "Lo que se pide a su delegación" not in html
    # Observers have no country: the workshop's reference zone.
    assert "(America/El_Salvador, UTC−06:00)" in html


def test_home_moderator_sees_organisation_and_sessions(people, client_as):
    html = client_as(people["moderator"]).get(HOME).content.decode()

    assert "Presidencia Pro-Témpore de la CRM (PPT)" in html
    assert "Sus sesiones" in html
    assert "Lo que se pide a su delegación" not in html


def test_home_header_marks_my_space_as_current(people, client_as):
    html = client_as(people["delegate"]).get(HOME).content.decode()

    assert 'href="/home/" aria-current="page">Mi espacio</a>' in html
    assert ">Panel</a>" not in html


def test_home_focal_point_query_count_does_not_grow_with_members(people, client_as, demo):
    client = client_as(people["focal_point_other"])
    with CaptureQueriesContext(connection) as one:
        client.get(HOME)
    for n in range(30):
        add_member(demo, country="SV", n=n, profile=["protection", "other"][n % 2])
    question = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    Answer.objects.create(question=question, delegation=demo.delegations.get(country_id="SV"))
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)

    # session, user, workshop, participant, zone, sessions, questions, members, the country's
    # agreements by follow-up status, the latest issued minutes, and the site's own
    # per-request reads (outage state, agenda cache version…).
    assert len(one) == len(many) == 13
