"""The automatic reminder before a country's answer deadline (issue 7, point 5): beat writes
one ``answers_due`` e-mail per approved delegate and deadline, to a real SMTP sink.

The clock is 8 June 2022, 12:00 in San Salvador; the questions' deadline is 10 June, 18:00
there (54 h ahead, beyond the 48 h lead) until the clock moves.
"""

import datetime as dt

import pytest
import time_machine

from consultations import notifications
from consultations.models import Answer
from consultations.services import deadline_extend
from consultations.tasks import answer_reminders_task
from participants import notifications as outbox
from participants.models import Notification, Participant
from participants.tasks import notification_send_task
from tests.admin_factories import (
    AnswerFactory,
    DelegationFactory,
    ParticipantFactory,
    QuestionAssignmentFactory,
    TriggerQuestionFactory,
)
from tests.factories import CountryFactory, UserFactory, WorkshopFactory, local
from tests.smtp_sink import html_body, plain_body
from tests.smtp_sink import smtp_sink as _smtp_sink  # noqa: F401 - a fixture, see smtp_sink

SITE_URL = "https://crm.example.org"
NOW = local(2022, 6, 8, 12)
DEADLINE = local(2022, 6, 10, 18)

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_sink(request):
    """The real SMTP sink of tests/smtp_sink.py (imported under another name: ruff)."""
    return request.getfixturevalue("_smtp_sink")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def workshop(settings, clock):
    settings.SITE_URL = SITE_URL
    return WorkshopFactory(
        title_es="Intercambio técnico sobre tráfico ilícito de migrantes",
        title_en="Technical exchange on the smuggling of migrants",
        time_zone="America/El_Salvador",
    )


@pytest.fixture
def mexico(workshop):
    country = CountryFactory(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    return DelegationFactory(workshop=workshop, country=country)


@pytest.fixture
def guatemala(workshop):
    country = CountryFactory(
        iso_code="GT", name_es="Guatemala", name_en="Guatemala", time_zone="America/Guatemala"
    )
    return DelegationFactory(workshop=workshop, country=country)


@pytest.fixture
def people(mexico, guatemala):
    """MX approved: ana (es), bob (en), eva (en, Madrid); MX pending: pepe; GT approved: gus."""

    def person(username, status, delegation=mexico, **user):
        return ParticipantFactory(
            delegation=delegation,
            registration_status=status,
            user=UserFactory(username=username, first_name=username.title(), **user),
        )

    return {
        "ana": person("ana", "approved", language="es"),
        "bob": person("bob", "approved", language="en"),
        "eva": person("eva", "approved", language="en", time_zone="Europe/Madrid"),
        "pepe": person("pepe", "pending"),
        "gus": person("gus", "approved", delegation=guatemala, language="es"),
    }


@pytest.fixture
def questions(workshop, mexico, guatemala):
    first = TriggerQuestionFactory(
        workshop=workshop,
        code="TQ-S1-1",
        order=1,
        text_es="¿Qué rutas usan las redes de tráfico ilícito?",
        text_en="Which routes do smuggling networks use?",
        deadline=DEADLINE,
    )
    second = TriggerQuestionFactory(
        workshop=workshop,
        code="TQ-S1-2",
        order=2,
        text_es="¿Cómo cooperan sus fiscalías?",
        text_en="How do your prosecutors cooperate?",
        deadline=DEADLINE,
        is_example=True,
    )
    for question in (first, second):
        for delegation in (mexico, guatemala):
            QuestionAssignmentFactory(question=question, country=delegation.country)
    return first, second


@pytest.fixture
def beat(django_capture_on_commit_callbacks):
    """``beat()`` runs the task as beat would; the e-mails leave after its commit."""

    def run(*, deliver: bool = True) -> int:
        with django_capture_on_commit_callbacks(execute=deliver):
            return answer_reminders_task.apply().get()

    return run


def _recipients(sink) -> list[str]:
    return sorted(message["To"] for message in sink.messages)


DUE = local(2022, 6, 9, 12)  # 30 h before the deadline
DUE_KEY = "answers-due-2022-06-11T00:00:00+00:00"
EVERYONE = ["ana@example.org", "bob@example.org", "eva@example.org", "gus@example.org"]


def test_nothing_is_due_beyond_the_lead(beat, questions, people, smtp_sink):
    assert beat() == 0

    assert not Notification.objects.exists()


def test_within_the_lead_each_approved_delegate_gets_one(beat, questions, people, smtp_sink, clock):
    clock.move_to(DUE)

    assert (beat(), beat()) == (4, 0)

    assert _recipients(smtp_sink) == EVERYONE
    assert sorted(
        Notification.objects.values_list("participant__user__username", "kind", "dedupe_key")
    ) == [(name, "answers_due", DUE_KEY) for name in ("ana", "bob", "eva", "gus")]


def test_lead_hours_setting_moves_the_window(beat, questions, people, smtp_sink, settings):
    settings.ANSWER_REMINDER_LEAD_HOURS = 55  # the deadline is 54 h ahead

    assert beat() == 4

    settings.ANSWER_REMINDER_LEAD_HOURS = 53
    Notification.objects.all().delete()
    assert beat() == 0


def test_deadline_passed_writes_nothing(beat, questions, people, smtp_sink, clock):
    clock.move_to(local(2022, 6, 10, 18))

    assert beat() == 0


def test_country_that_submitted_everything_is_not_reminded(
    beat, questions, people, smtp_sink, clock, guatemala
):
    for question in questions:
        AnswerFactory(
            question=question,
            delegation=guatemala,
            status=Answer.Status.SUBMITTED,
            submitted_at=NOW,
        )
    clock.move_to(DUE)

    assert beat() == 3

    assert "gus@example.org" not in _recipients(smtp_sink)


def test_one_submitted_answer_leaves_the_other_in_the_email(
    beat, questions, people, smtp_sink, clock, mexico
):
    AnswerFactory(
        question=questions[0], delegation=mexico, status=Answer.Status.SUBMITTED, submitted_at=NOW
    )
    clock.move_to(DUE)

    beat()

    body = plain_body(next(m for m in smtp_sink.messages if m["To"] == "ana@example.org"))
    assert "TQ-S1-2" in body
    assert "TQ-S1-1" not in body


def test_extension_gives_a_new_reminder_for_the_new_deadline(
    beat, questions, people, smtp_sink, clock, mexico
):
    clock.move_to(DUE)
    beat()
    extended = local(2022, 6, 11, 18)
    for assignment in questions[0].assignments.filter(country=mexico.country):
        deadline_extend(assignment=assignment, until=extended, by=None, reason="Pidió más tiempo")

    clock.move_to(local(2022, 6, 10, 19))  # the old deadline passed; the extension is 23 h ahead
    assert beat() == 3

    new_rows = Notification.objects.filter(dedupe_key="answers-due-2022-06-12T00:00:00+00:00")
    assert sorted(new_rows.values_list("participant__user__username", flat=True)) == [
        "ana",
        "bob",
        "eva",
    ]
    body = plain_body(next(m for m in reversed(smtp_sink.messages) if m["To"] == "ana@example.org"))
    assert "TQ-S1-1" in body
    assert "TQ-S1-2" not in body  # its deadline for Mexico passed
    assert "Fecha límite (prorrogada para su país): 11 de junio de 2022, 19:00" in body


def test_approved_later_gets_theirs_at_the_next_run(beat, questions, people, smtp_sink, clock):
    clock.move_to(DUE)
    beat()
    Participant.objects.filter(pk=people["pepe"].pk).update(registration_status="approved")

    assert beat() == 1

    assert _recipients(smtp_sink) == sorted([*EVERYONE, "pepe@example.org"])


def test_redelivered_send_task_sends_no_second_email(beat, questions, people, smtp_sink, clock):
    clock.move_to(DUE)
    beat()
    row = Notification.objects.get(participant=people["ana"])

    assert notification_send_task.apply(kwargs={"notification_id": row.pk}).get() == "sent"

    assert _recipients(smtp_sink) == EVERYONE


# --- Obsolete before it leaves -----------------------------------------------------------------


def test_reminder_after_everything_was_submitted_is_not_sent(
    beat, questions, people, smtp_sink, clock, mexico
):
    clock.move_to(DUE)
    beat(deliver=False)
    for question in questions:
        AnswerFactory(
            question=question, delegation=mexico, status=Answer.Status.SUBMITTED, submitted_at=DUE
        )

    result = outbox.notification_send(
        notification_id=Notification.objects.get(participant=people["ana"]).pk
    )

    assert (result.status, result.last_error) == (
        "failed",
        "Su país ya envió todas las respuestas, o los plazos vencieron; el recordatorio no se "
        "envía.",
    )
    assert smtp_sink.messages == []


def test_reminder_after_the_deadline_is_not_sent(beat, questions, people, smtp_sink, clock):
    clock.move_to(DUE)
    beat(deliver=False)
    clock.move_to(local(2022, 6, 10, 18, 1))

    result = outbox.notification_send(
        notification_id=Notification.objects.get(participant=people["bob"]).pk
    )

    assert (result.status, result.last_error) == (
        "failed",
        "La fecha límite ya pasó; el recordatorio no se envía.",
    )


def test_reminder_of_a_delegate_no_longer_approved_is_not_sent(
    beat, questions, people, smtp_sink, clock
):
    clock.move_to(DUE)
    beat(deliver=False)
    Participant.objects.filter(pk=people["ana"].pk).update(registration_status="rejected")

    result = outbox.notification_send(
        notification_id=Notification.objects.get(participant=people["ana"]).pk
    )

    assert (result.status, result.last_error) == (
        "failed",
        "La inscripción ya no está aprobada; el aviso no se envía.",
    )


def test_reminder_whose_deadline_moved_is_not_sent(beat, questions, people, smtp_sink, clock):
    clock.move_to(DUE)
    beat(deliver=False)
    for assignment in people["ana"].delegation.country.question_assignments.all():
        deadline_extend(assignment=assignment, until=local(2022, 6, 20, 18), by=None)

    result = outbox.notification_send(
        notification_id=Notification.objects.get(participant=people["ana"]).pk
    )

    assert result.last_error == "La fecha límite de su país cambió; este recordatorio no se envía."


# --- The e-mail ---------------------------------------------------------------------------------


def test_email_in_spanish_in_the_country_zone_with_the_zone_named(
    beat, questions, people, smtp_sink, clock
):
    clock.move_to(DUE)
    beat()

    message = next(m for m in smtp_sink.messages if m["To"] == "ana@example.org")
    assert message["Subject"].strip() == (
        "Fecha límite cercana: respuestas de México hasta el 10 de junio de 2022, 19:00 "
        "(America/Mexico_City, UTC-05:00)"
    )
    assert message["Content-Language"] == "es"
    for body in (plain_body(message), html_body(message)):
        assert "Estimado/a Ana:" in body
        assert "¿Qué rutas usan las redes de tráfico ilícito?" in body
        assert "Fecha límite: 10 de junio de 2022, 19:00 (America/Mexico_City, UTC-05:00)" in body
        assert "PREGUNTA DE EJEMPLO: no es una pregunta de los organizadores" in body
        assert f"{SITE_URL}/consultations/" in body


def test_email_in_english_in_her_own_zone(beat, questions, people, smtp_sink, clock):
    clock.move_to(DUE)
    beat()

    message = next(m for m in smtp_sink.messages if m["To"] == "eva@example.org")
    assert message["Subject"].strip() == (
        "Deadline approaching: answers from Mexico due by June 11, 2022, 02:00 "
        "(Europe/Madrid, UTC+02:00)"
    )
    body = plain_body(message)
    assert "Dear Eva," in body
    assert "Which routes do smuggling networks use?" in body
    assert "Deadline: June 11, 2022, 02:00 (Europe/Madrid, UTC+02:00)" in body
    assert "EXAMPLE QUESTION: not one of the organisers' questions" in body
    assert f"{SITE_URL}/en/consultations/" in body
    assert '<html lang="en">' in html_body(message)


def test_due_key_names_the_deadline_in_utc():
    assert notifications.due_key(DEADLINE) == DUE_KEY
    assert notifications.due_key(DEADLINE.astimezone(dt.UTC)) == DUE_KEY
