"""The "questions distributed" e-mail (issue 7, point 1): once per approved delegate and
distribution, in the recipient's language, each deadline in their zone with the zone named,
to a real SMTP sink."""

import pytest
import time_machine

from consultations.distribution import questions_distribute
from participants import notifications as outbox
from participants.models import Country, Notification, Participant
from participants.tasks import notification_send_task
from tests.admin_factories import DelegationFactory, ParticipantFactory, TriggerQuestionFactory
from tests.factories import CountryFactory, UserFactory, WorkshopFactory, local
from tests.smtp_sink import html_body, plain_body
from tests.smtp_sink import smtp_sink as _smtp_sink  # noqa: F401 - a fixture, see smtp_sink

SITE_URL = "https://crm.example.org"

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_sink(request):
    """The real SMTP sink of tests/smtp_sink.py (imported under another name: ruff)."""
    return request.getfixturevalue("_smtp_sink")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2022, 6, 1, 9), tick=True) as traveller:
        yield traveller


@pytest.fixture
def workshop(settings):
    settings.SITE_URL = SITE_URL
    return WorkshopFactory(
        title_es="Intercambio técnico sobre tráfico ilícito de migrantes",
        title_en="Technical exchange on the smuggling of migrants",
    )


@pytest.fixture
def mexico(workshop):
    country = CountryFactory(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    return DelegationFactory(workshop=workshop, country=country)


@pytest.fixture
def people(mexico):
    def person(username, status, **user):
        return ParticipantFactory(
            delegation=mexico,
            registration_status=status,
            user=UserFactory(username=username, first_name=username.title(), **user),
        )

    return {
        "ana": person("ana", "approved", language="es"),
        "bob": person("bob", "approved", language="en", time_zone="Europe/Madrid"),
        "pepe": person("pepe", "pending"),
    }


@pytest.fixture
def questions(workshop):
    return [
        TriggerQuestionFactory(
            workshop=workshop,
            code="TQ-S1-1",
            order=1,
            text_es="¿Qué rutas usan las redes? <script>alert(1)</script> & más",
            text_en="Which routes do the networks use? <script>alert(1)</script> & more",
            deadline=local(2022, 6, 10, 18),
        ),
        TriggerQuestionFactory(
            workshop=workshop,
            code="TQ-S1-2",
            order=2,
            text_es="¿Cómo cooperan sus fiscalías?",
            text_en="How do your prosecutors cooperate?",
            is_example=True,
        ),
    ]


def _distribute(questions, capture, *, deliver=True):
    with capture(execute=deliver):
        return questions_distribute(
            questions=questions, countries=Country.objects.filter(pk="MX"), by=None
        )


def test_each_approved_delegate_gets_one_email(
    questions, people, smtp_sink, django_capture_on_commit_callbacks
):
    distribution, notified = _distribute(questions, django_capture_on_commit_callbacks)

    assert notified == 2
    assert sorted(m["To"] for m in smtp_sink.messages) == ["ana@example.org", "bob@example.org"]
    row = Notification.objects.get(participant=people["ana"])
    assert (row.kind, row.dedupe_key, row.status) == (
        "questions_distributed",
        f"distribution-{distribution.pk}",
        "sent",
    )
    assert notification_send_task.apply(kwargs={"notification_id": row.pk}).get() == "sent"
    assert len(smtp_sink.messages) == 2


def test_email_in_spanish_in_the_country_zone(
    questions, people, smtp_sink, django_capture_on_commit_callbacks
):
    _distribute(questions, django_capture_on_commit_callbacks)

    message = next(m for m in smtp_sink.messages if m["To"] == "ana@example.org")
    assert message["Subject"].strip() == (
        "Preguntas detonadoras para México: «Intercambio técnico sobre tráfico ilícito de "
        "migrantes»"
    )
    text = plain_body(message)
    assert "Estimado/a Ana:" in text
    assert "¿Qué rutas usan las redes? <script>alert(1)</script> & más" in text
    # 18:00 in San Salvador is 19:00 in Mexico City (UTC-5 in June 2022).
    assert "Fecha límite: 10 de junio de 2022, 19:00 (America/Mexico_City, UTC-05:00)" in text
    assert "TQ-S1-2 — PREGUNTA DE EJEMPLO: no es una pregunta de los organizadores" in text
    assert "Sin fecha límite" in text
    assert f"Responder en el portal:\n{SITE_URL}/consultations/" in text.replace("\r\n", "\n")
    html = html_body(message)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; más" in html
    assert "<script>" not in html
    assert f'<a href="{SITE_URL}/consultations/">' in html


def test_email_in_english_in_his_own_zone(
    questions, people, smtp_sink, django_capture_on_commit_callbacks
):
    _distribute(questions, django_capture_on_commit_callbacks)

    message = next(m for m in smtp_sink.messages if m["To"] == "bob@example.org")
    assert message["Subject"].strip() == (
        "Trigger questions for Mexico: “Technical exchange on the smuggling of migrants”"
    )
    assert message["Content-Language"] == "en"
    text = plain_body(message)
    assert "Dear Bob," in text
    assert "Which routes do the networks use?" in text
    assert "Deadline: June 11, 2022, 02:00 (Europe/Madrid, UTC+02:00)" in text
    assert "EXAMPLE QUESTION: not one of the organisers' questions" in text
    assert "Times are in the Europe/Madrid zone." in text
    assert f"{SITE_URL}/en/consultations/" in text
    assert '<html lang="en">' in html_body(message)


def test_pending_delegate_gets_nothing(
    questions, people, smtp_sink, django_capture_on_commit_callbacks
):
    _distribute(questions, django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(participant=people["pepe"]).exists()


def test_email_of_a_delegate_rejected_before_it_left_is_not_sent(
    questions, people, smtp_sink, django_capture_on_commit_callbacks
):
    _distribute(questions, django_capture_on_commit_callbacks, deliver=False)
    Participant.objects.filter(pk=people["ana"].pk).update(registration_status="rejected")

    result = outbox.notification_send(
        notification_id=Notification.objects.get(participant=people["ana"]).pk
    )

    assert (result.status, result.last_error) == (
        "failed",
        "La inscripción ya no está aprobada; el aviso no se envía.",
    )
    assert smtp_sink.messages == []


def test_registration_decision_kinds_still_use_their_own_check(people):
    """The registry only answers for its kinds: a stale decision is still refused."""
    row = Notification.objects.create(
        participant=people["pepe"], kind="registration_approved", dedupe_key="decision-x"
    )

    assert outbox._obsolete_reason(row) == (
        "La decisión sobre la inscripción cambió después; este aviso ya no se envía."
    )
