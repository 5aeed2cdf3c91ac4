"""The e-mails about trigger questions at their edges (``consultations.notifications``): which
questions each e-mail lists and in what order, who is written to, when a queued e-mail is
dropped and why, at the exact deadline and without one, and the staff reminder's audit line.

The clock is 8 June 2022, 12:00 in San Salvador; Mexico's questions close on 10 June, 18:00
there (19:00 in Mexico City) unless a test says otherwise.
"""

import logging
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from consultations import notifications
from consultations.models import Answer, QuestionDistribution
from participants import notifications as outbox
from participants.models import Notification, Participant
from tests.admin_factories import (
    AnswerFactory,
    DelegationFactory,
    ParticipantFactory,
    QuestionAssignmentFactory,
    TriggerQuestionFactory,
)
from tests.factories import CountryFactory, SessionFactory, UserFactory, WorkshopFactory, local

pytestmark = pytest.mark.django_db

NOW = local(2022, 6, 8, 12)
DEADLINE = local(2022, 6, 10, 18)
NONCE = "0123456789abcdef0123456789abcdef"
MEXICO_CITY = zoneinfo.ZoneInfo("America/Mexico_City")
GONE = "Su país ya envió todas las respuestas, o los plazos vencieron; el recordatorio no se envía."


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def workshop(settings, clock):
    settings.SITE_URL = "https://crm.example.org"
    return WorkshopFactory(time_zone="America/El_Salvador")


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


def _person(username, delegation, *, status="approved", role="delegate"):
    return ParticipantFactory(
        delegation=delegation,
        registration_status=status,
        role=role,
        user=UserFactory(username=username, first_name=username.title(), language="es"),
    )


@pytest.fixture
def ana(mexico):
    return _person("ana", mexico)


def _question(workshop, code, *, deadline=DEADLINE, countries=(), **fields):
    question = TriggerQuestionFactory(
        workshop=workshop, code=code, text_es=f"¿Pregunta {code}?", deadline=deadline, **fields
    )
    for country in countries:
        QuestionAssignmentFactory(question=question, country=country)
    return question


def _reminder(participant, nonce=NONCE):
    return Notification.objects.create(
        participant=participant,
        kind=Notification.Kind.ANSWERS_REMINDER,
        dedupe_key=f"reminder-{nonce}",
    )


def _codes(notification):
    context = notifications.message_context(notification, MEXICO_CITY)
    return [question["code"] for question in context["questions"]]


def _submitted(question, delegation):
    return AnswerFactory(
        question=question, delegation=delegation, status=Answer.Status.SUBMITTED, submitted_at=NOW
    )


# --- Which questions, in which order -----------------------------------------------------------


def test_questions_are_listed_by_session_then_order_then_code(workshop, mexico, ana):
    first = SessionFactory(workshop=workshop, number=1)
    second = SessionFactory(workshop=workshop, number=2)
    country = [mexico.country]
    _question(workshop, "TQ-Z", session=second, order=1, countries=country)
    _question(workshop, "TQ-B", session=first, order=2, countries=country)
    _question(workshop, "TQ-C", session=first, order=1, countries=country)
    _question(workshop, "TQ-A", session=first, order=1, countries=country)

    assert _codes(_reminder(ana)) == ["TQ-A", "TQ-C", "TQ-B", "TQ-Z"]


def test_each_question_names_its_session_and_one_without_session_names_none(workshop, mexico, ana):
    session = SessionFactory(workshop=workshop, number=3, label_es="Sesión temática")
    _question(workshop, "TQ-1", session=session, order=1, countries=[mexico.country])
    _question(workshop, "TQ-2", order=2, countries=[mexico.country])

    body = outbox.notification_message(_reminder(ana)).body

    assert "\nTQ-1 (Sesión temática)\n¿Pregunta TQ-1?\n" in body
    assert "\nTQ-2\n¿Pregunta TQ-2?\n" in body


def test_building_the_email_costs_the_same_queries_for_one_question_or_three(workshop, mexico, ana):
    def queries():
        notification = Notification.objects.get(pk=row.pk)
        with CaptureQueriesContext(connection) as captured:
            notifications.message_context(notification, MEXICO_CITY)
        return len(captured)

    _question(workshop, "TQ-1", session=SessionFactory(workshop=workshop, number=1),
              countries=[mexico.country])  # fmt: skip
    row = _reminder(ana)
    one = queries()
    for number in (2, 3):
        session = SessionFactory(workshop=workshop, number=number)
        _question(workshop, f"TQ-{number}", session=session, countries=[mexico.country])

    assert queries() == one


def test_another_workshops_question_to_the_same_country_is_not_in_the_email(workshop, mexico, ana):
    _question(workshop, "TQ-HERE", countries=[mexico.country])
    _question(WorkshopFactory(), "TQ-ELSEWHERE", countries=[mexico.country])

    assert _codes(_reminder(ana)) == ["TQ-HERE"]


def test_a_reminder_lists_the_open_questions_only_and_one_without_deadline(workshop, mexico, ana):
    _question(workshop, "TQ-PAST", deadline=local(2022, 6, 8, 11), countries=[mexico.country])
    _question(workshop, "TQ-OPEN", countries=[mexico.country])
    _question(workshop, "TQ-NONE", deadline=None, countries=[mexico.country])
    row = _reminder(ana)

    assert notifications.obsolete_reason(row) is None
    assert _codes(row) == ["TQ-OPEN", "TQ-NONE"]
    body = outbox.notification_message(row).body
    assert "Fecha límite: 10 de junio de 2022, 19:00 (America/Mexico_City, UTC-05:00)" in body
    assert "¿Pregunta TQ-NONE?\nSin fecha límite\n" in body
    assert "TQ-PAST" not in body


def test_a_draft_answer_leaves_the_question_unanswered(workshop, mexico, ana, clock):
    question = _question(workshop, "TQ-1", countries=[mexico.country])
    AnswerFactory(question=question, delegation=mexico, status=Answer.Status.DRAFT)

    reminded = notifications.answers_remind(
        workshop=workshop, country_ids=["MX"], nonce=NONCE, by=None
    )
    assert [row.participant for row in reminded] == [ana]
    assert _codes(reminded[0]) == ["TQ-1"]

    clock.move_to(local(2022, 6, 9, 18))  # 24 h before the deadline
    due = notifications.answer_reminders_create()
    assert [(row.participant, row.dedupe_key) for row in due] == [
        (ana, "answers-due-2022-06-11T00:00:00+00:00")
    ]


# --- When a queued e-mail is dropped -----------------------------------------------------------


def test_a_reminder_at_the_exact_deadline_is_dropped(workshop, mexico, ana, clock):
    _question(workshop, "TQ-1", countries=[mexico.country])
    row = _reminder(ana)
    clock.move_to(DEADLINE)

    assert notifications.obsolete_reason(row) == GONE


def test_a_reminder_after_every_deadline_passed_is_dropped(workshop, mexico, ana, clock):
    _question(workshop, "TQ-1", countries=[mexico.country])
    _question(workshop, "TQ-2", deadline=local(2022, 6, 9, 18), countries=[mexico.country])
    row = _reminder(ana)
    clock.move_to(local(2022, 6, 11, 9))

    result = outbox.notification_send(notification_id=row.pk)

    assert (result.status, result.last_error) == ("failed", GONE)


def test_a_due_reminder_at_the_exact_deadline_says_the_deadline_passed(
    workshop, mexico, ana, clock
):
    _question(workshop, "TQ-1", countries=[mexico.country])
    clock.move_to(local(2022, 6, 9, 18))
    [row] = notifications.answer_reminders_create()
    clock.move_to(DEADLINE)

    assert notifications.obsolete_reason(row) == (
        "La fecha límite ya pasó; el recordatorio no se envía."
    )


def test_a_distribution_email_whose_questions_were_withdrawn_is_dropped(
    workshop, mexico, ana, django_capture_on_commit_callbacks
):
    question = _question(workshop, "TQ-1")
    distribution = QuestionDistribution.objects.create(workshop=workshop)
    distribution.questions.set([question])
    distribution.countries.set([mexico.country])
    QuestionAssignmentFactory(question=question, country=mexico.country, distribution=distribution)
    with django_capture_on_commit_callbacks(execute=False):
        [row] = notifications.distribution_notify(distribution=distribution)
    question.assignments.all().delete()

    result = outbox.notification_send(notification_id=row.pk)

    assert (result.status, result.last_error) == (
        "failed",
        "Ninguna pregunta de esta distribución está asignada a su país.",
    )


def test_a_distribution_email_with_a_key_naming_no_distribution_is_dropped(workshop, mexico, ana):
    question = _question(workshop, "TQ-1")
    distribution = QuestionDistribution.objects.create(workshop=workshop)
    distribution.questions.set([question])
    QuestionAssignmentFactory(question=question, country=mexico.country, distribution=distribution)
    row = Notification.objects.create(
        participant=ana, kind=Notification.Kind.QUESTIONS_DISTRIBUTED, dedupe_key="distribution-"
    )

    assert notifications.obsolete_reason(row) == (
        "Ninguna pregunta de esta distribución está asignada a su país."
    )


def test_a_distribution_of_questions_without_deadline_is_sent(
    workshop, mexico, ana, django_capture_on_commit_callbacks
):
    question = _question(workshop, "TQ-1", deadline=None)
    distribution = QuestionDistribution.objects.create(workshop=workshop)
    distribution.questions.set([question])
    distribution.countries.set([mexico.country])
    QuestionAssignmentFactory(question=question, country=mexico.country, distribution=distribution)
    with django_capture_on_commit_callbacks(execute=False):
        [row] = notifications.distribution_notify(distribution=distribution)

    message = outbox.notification_message(row)

    assert "TQ-1\n¿Pregunta TQ-1?\nSin fecha límite\n" in message.body
    context = notifications.message_context(row, MEXICO_CITY)
    assert context["questions"][0]["deadline"] == ""


# --- Who is written to --------------------------------------------------------------------------


def test_only_approved_delegates_of_this_workshop_are_reminded(workshop, mexico, ana):
    _person("olga", mexico, role=Participant.Role.OBSERVER)
    _person("pepe", mexico, status="pending")
    elsewhere = DelegationFactory(workshop=WorkshopFactory(), country=mexico.country)
    _person("elsa", elsewhere)
    _question(workshop, "TQ-1", countries=[mexico.country])

    reminded = notifications.answers_remind(
        workshop=workshop, country_ids=["MX"], nonce=NONCE, by=None
    )

    assert [row.participant.user.username for row in reminded] == ["ana"]


def test_a_country_done_here_is_not_reminded_for_another_workshops_question(workshop, mexico, ana):
    _submitted(_question(workshop, "TQ-1", countries=[mexico.country]), mexico)
    _question(WorkshopFactory(), "TQ-ELSEWHERE", countries=[mexico.country])

    assert (
        notifications.answers_remind(workshop=workshop, country_ids=["MX"], nonce=NONCE, by=None)
        == []
    )


def test_a_question_without_deadline_keeps_the_country_remindable(workshop, mexico, ana):
    _question(workshop, "TQ-1", deadline=None, countries=[mexico.country])

    reminded = notifications.answers_remind(
        workshop=workshop, country_ids=["MX"], nonce=NONCE, by=None
    )

    assert [(row.participant, row.dedupe_key) for row in reminded] == [(ana, f"reminder-{NONCE}")]


def test_the_staff_reminder_leaves_an_audit_line(workshop, mexico, guatemala, ana, caplog):
    _person("bob", mexico)
    _person("gus", guatemala)
    _question(workshop, "TQ-1", countries=[mexico.country, guatemala.country])
    staff = UserFactory(username="secretaria")

    with caplog.at_level(logging.INFO, logger="consultations.notifications"):
        notifications.answers_remind(
            workshop=workshop, country_ids=["MX", "GT"], nonce=NONCE, by=staff
        )

    assert [r.getMessage() for r in caplog.records if r.name == "consultations.notifications"] == [
        f"{staff} asked for an answers reminder to ['GT', 'MX']: 3 new notifications"
    ]


@pytest.mark.parametrize("nonce", ["", None, "0123456789ABCDEF0123456789ABCDEF", NONCE + "0"])
def test_a_malformed_nonce_is_refused_with_a_message(workshop, mexico, ana, nonce):
    _question(workshop, "TQ-1", countries=[mexico.country])

    with pytest.raises(notifications.ReminderError) as refused:
        notifications.answers_remind(workshop=workshop, country_ids=["MX"], nonce=nonce, by=None)

    assert (str(refused.value.message), str(refused.value)) == (
        "El formulario caducó; vuelva a cargar la página.",
        "El formulario caducó; vuelva a cargar la página.",
    )
    assert not Notification.objects.exists()


# --- The automatic reminder ----------------------------------------------------------------------


def test_automatic_reminders_come_by_deadline_then_country(workshop, mexico, guatemala, clock):
    mx = _person("ana", mexico)
    gt = _person("gus", guatemala)
    _question(workshop, "TQ-MX", deadline=local(2022, 6, 9, 18), countries=[mexico.country])
    _question(workshop, "TQ-GT", deadline=local(2022, 6, 10, 9), countries=[guatemala.country])
    clock.move_to(local(2022, 6, 8, 20))

    assert [row.participant for row in notifications.answer_reminders_create()] == [mx, gt]


def test_automatic_reminders_of_one_deadline_come_in_country_order(
    workshop, mexico, guatemala, clock
):
    mx = _person("ana", mexico)
    gt = _person("gus", guatemala)
    _question(workshop, "TQ-1", countries=[mexico.country, guatemala.country])
    clock.move_to(local(2022, 6, 9, 18))

    assert [row.participant for row in notifications.answer_reminders_create()] == [gt, mx]


def test_a_second_automatic_run_costs_the_same_whatever_the_number_of_delegates(
    workshop, mexico, ana, clock
):
    def second_run():
        with CaptureQueriesContext(connection) as captured:
            assert notifications.answer_reminders_create() == []
        return len(captured)

    _question(workshop, "TQ-1", countries=[mexico.country])
    clock.move_to(local(2022, 6, 9, 18))
    assert len(notifications.answer_reminders_create()) == 1
    with_one = second_run()
    _person("bob", mexico)
    _person("eva", mexico)
    assert len(notifications.answer_reminders_create()) == 2

    assert second_run() == with_one


# --- Formatting and wiring -----------------------------------------------------------------------


def test_moment_label_writes_a_true_minus_unless_asked_for_ascii():
    with translation.override("es"):
        assert notifications.moment_label(DEADLINE, MEXICO_CITY) == (
            "10 de junio de 2022, 19:00 (America/Mexico_City, UTC\u221205:00)"
        )
        assert notifications.moment_label(DEADLINE, MEXICO_CITY, ascii_minus=True) == (
            "10 de junio de 2022, 19:00 (America/Mexico_City, UTC-05:00)"
        )
        assert notifications.moment_label(None, MEXICO_CITY) == ""


@pytest.mark.parametrize(
    ("site_url", "link"),
    [
        ("https://crm.example.org/", "https://crm.example.org/consultations/"),
        ("https://example.org/CRMX", "https://example.org/CRMX/consultations/"),
    ],
)
def test_the_link_joins_the_site_url_with_one_slash(
    workshop, mexico, ana, settings, site_url, link
):
    settings.SITE_URL = site_url
    _question(workshop, "TQ-1", countries=[mexico.country])

    context = notifications.message_context(_reminder(ana), MEXICO_CITY)

    assert context["consultations_url"] == link


def test_register_gives_the_outbox_what_these_kinds_need(
    workshop, mexico, ana, monkeypatch, mailoutbox
):
    monkeypatch.setattr(outbox, "OBSOLETE_CHECKS", {})
    monkeypatch.setattr(outbox, "MESSAGE_CONTEXTS", {})
    _question(workshop, "TQ-1", countries=[mexico.country])
    unregistered = _reminder(ana, nonce="f" * 32)
    registered = _reminder(ana)

    assert outbox.notification_send(notification_id=unregistered.pk).status == "failed"

    notifications.register()
    result = outbox.notification_send(notification_id=registered.pk)

    assert (result.status, result.last_error) == ("sent", "")
    [message] = mailoutbox
    assert message.subject == "Recordatorio: México tiene preguntas detonadoras sin responder"
    assert "\nTQ-1\n¿Pregunta TQ-1?\nFecha límite: 10 de junio de 2022, 19:00" in message.body
