"""The reminder staff send from the follow-up page reaches a real SMTP sink once per person,
in their language, with the questions still missing and each deadline in their zone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Answer, TriggerQuestion
from consultations.notifications import answers_remind
from participants import notifications as outbox
from participants.models import Notification
from tests.admin_factories import AnswerFactory
from tests.smtp_sink import html_body, plain_body
from tests.smtp_sink import smtp_sink as _smtp_sink  # noqa: F401 - a fixture, see smtp_sink

pytestmark = pytest.mark.django_db

NONCE = "0123456789abcdef0123456789abcdef"
SITE_URL = "https://crm.example.org"


@pytest.fixture
def smtp_sink(request):
    """The real SMTP sink of tests/smtp_sink.py (imported under another name: ruff)."""
    return request.getfixturevalue("_smtp_sink")


@pytest.fixture
def deadline(demo, settings):
    """Every demo question closes on 10 June 2030, 18:00 in San Salvador (00:00 UTC)."""
    settings.SITE_URL = SITE_URL
    value = dt.datetime(2030, 6, 11, 0, 0, tzinfo=dt.UTC)
    TriggerQuestion.objects.filter(workshop=demo).update(deadline=value)
    return value


def _remind(people, client, capture):
    with capture(execute=True):
        return client.post(
            reverse("staff:consultations_remind"), {"country": "SV", "nonce": NONCE}, follow=True
        )


def test_reminder_arrives_once_per_person_with_the_missing_questions(
    people, client_as, deadline, smtp_sink, django_capture_on_commit_callbacks, demo
):
    sv = demo.delegations.get(country_id="SV")
    for question in TriggerQuestion.objects.filter(workshop=demo, session__number=2):
        AnswerFactory(
            question=question,
            delegation=sv,
            status=Answer.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
    client = client_as(people["staff"])

    _remind(people, client, django_capture_on_commit_callbacks)
    _remind(people, client, django_capture_on_commit_callbacks)

    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "delegada.sv@crm-workshop.test",
        "delegado.sv@crm-workshop.test",
    ]
    message = smtp_sink.messages[0]
    assert message["Subject"].strip() == (
        "Recordatorio: El Salvador tiene preguntas detonadoras sin responder"
    )
    assert message["Content-Language"] == "es"
    text = plain_body(message)
    for code in ("TQ-S1-1", "TQ-S1-2", "TQ-S1-3", "TQ-S1-4"):
        assert code in text
    assert "TQ-S2-1" not in text  # submitted
    assert "Fecha límite: 10 de junio de 2030, 18:00 (America/El_Salvador, UTC-06:00)" in text
    assert "[Pregunta de ejemplo]" in text
    assert f"{SITE_URL}/consultations/" in text
    assert "Fecha límite: 10 de junio de 2030, 18:00" in html_body(message)


def test_reminder_in_english_for_an_english_reader(
    people, client_as, deadline, smtp_sink, django_capture_on_commit_callbacks
):
    colleague = people["focal_point_other"]
    colleague.language = "en"
    colleague.time_zone = "America/New_York"
    colleague.save()

    _remind(people, client_as(people["staff"]), django_capture_on_commit_callbacks)

    message = next(m for m in smtp_sink.messages if m["To"] == colleague.email)
    assert message["Subject"].strip() == (
        "Reminder: El Salvador has trigger questions still unanswered"
    )
    text = plain_body(message)
    assert "Deadline: June 10, 2030, 20:00 (America/New_York, UTC-04:00)" in text
    assert "[Example question]" in text
    assert f"{SITE_URL}/en/consultations/" in text


def test_reminder_queued_before_everything_was_submitted_is_not_sent(
    people, deadline, smtp_sink, demo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        created = answers_remind(workshop=demo, country_ids=["SV"], nonce=NONCE, by=None)
    sv = demo.delegations.get(country_id="SV")
    for question in TriggerQuestion.objects.filter(workshop=demo):
        AnswerFactory(
            question=question, delegation=sv, status="submitted", submitted_at=timezone.now()
        )

    results = [outbox.notification_send(notification_id=row.pk) for row in created]

    assert [row.status for row in results] == ["failed", "failed"]
    assert results[0].last_error == (
        "Su país ya envió todas las respuestas, o los plazos vencieron; el recordatorio no se "
        "envía."
    )
    assert smtp_sink.messages == []
    assert Notification.objects.filter(status="failed").count() == 2
