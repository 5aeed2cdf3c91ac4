"""Registration decisions e-mailed through the notification outbox, to a real SMTP sink.

Issue 6, point 2: staff approve or reject (one or many at once) and each person whose status
changed receives one e-mail in their language, with times in their zone.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.models import Workshop
from crm_workshop.celery import app as celery_app
from participants import notifications, services
from participants.models import Country, Notification, Participant
from participants.tasks import notification_outbox_sweep_task, notification_send_task
from tests.admin_factories import DelegationFactory, ParticipantFactory, StaffUserFactory
from tests.factories import CountryFactory, SessionFactory, UserFactory, WorkshopFactory, local
from tests.smtp_sink import html_body, plain_body

SITE_URL = "https://crm.example.org"
CONTACT = "secretaria@crm.example.org"
CLOSED_BROKER_URL = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(settings):
    settings.SITE_URL = SITE_URL
    settings.SECRETARIAT_EMAIL = CONTACT
    workshop = WorkshopFactory(
        title_es="Intercambio técnico sobre tráfico ilícito de migrantes",
        title_en="Technical exchange on the smuggling of migrants",
        time_zone="America/El_Salvador",
    )
    SessionFactory(
        workshop=workshop,
        number=1,
        title_es="Tendencias",
        title_en="Trends",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 12),
    )
    return workshop


@pytest.fixture
def mexico(workshop):
    country = CountryFactory(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    return DelegationFactory(workshop=workshop, country=country)


@pytest.fixture
def salvador(workshop):
    return DelegationFactory(workshop=workshop, country=CountryFactory(iso_code="SV"))


@pytest.fixture
def three_pending(mexico, salvador):
    """Spanish in Mexico; English in El Salvador; English with her own zone (Madrid)."""
    return [
        ParticipantFactory(
            delegation=mexico,
            user=UserFactory(username="ana", first_name="Ana", last_name="Pérez", language="es"),
        ),
        ParticipantFactory(
            delegation=salvador,
            user=UserFactory(username="bob", first_name="Bob", last_name="Smith", language="en"),
        ),
        ParticipantFactory(
            delegation=salvador,
            user=UserFactory(
                username="eva", first_name="Eva", language="en", time_zone="Europe/Madrid"
            ),
        ),
    ]


@pytest.fixture
def staff(db):
    return StaffUserFactory(username="secretaria")


@pytest.fixture
def staff_client(client, staff, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(staff)
    return client


def _changelist():
    return reverse("admin:participants_participant_changelist")


def _act(staff_client, action, participants, capture):
    with capture(execute=True):
        return staff_client.post(
            _changelist(),
            {"action": action, "_selected_action": [p.pk for p in participants]},
            follow=True,
        )


def _by_recipient(sink):
    return {message["To"]: message for message in sink.messages}


# --- Approving and rejecting from the list -----------------------------------------------------


def test_approve_three_at_once_sends_three_emails_each_in_its_language(
    staff_client, three_pending, smtp_sink, django_capture_on_commit_callbacks
):
    response = _act(
        staff_client, "approve_registrations", three_pending, django_capture_on_commit_callbacks
    )

    assert [str(m) for m in response.context["messages"]] == ["Se aprobaron 3 inscripciones."]
    mails = _by_recipient(smtp_sink)
    assert sorted(mails) == ["ana@example.org", "bob@example.org", "eva@example.org"]

    ana = mails["ana@example.org"]
    assert ana["Subject"].strip() == (
        "Inscripción aprobada: Intercambio técnico sobre tráfico ilícito de migrantes"
    )
    assert ana["Content-Language"] == "es"
    assert ana["Reply-To"] == CONTACT
    assert ana["From"] == "Secretaría Ejecutiva CRM <no-reply@crm-workshop.invalid>"
    assert ana["Message-ID"].endswith("@crm.example.org>")
    for body in (plain_body(ana), html_body(ana)):
        assert "Estimado/a Ana Pérez:" in body
        assert f"{SITE_URL}/home/" in body
        assert "encontrará el enlace de conexión" in body
        # Mexico City was UTC-5 in June 2022: 10:00 in San Salvador is 11:00 there.
        assert "14 de junio de 2022, 11:00\N{EN DASH}13:00 (America/Mexico_City, UTC-05:00)" in body
    assert '<html lang="es">' in html_body(ana)

    bob = mails["bob@example.org"]
    assert bob["Subject"].strip() == (
        "Registration approved: Technical exchange on the smuggling of migrants"
    )
    assert bob["Content-Language"] == "en"
    body = plain_body(bob)
    assert "Dear Bob Smith," in body
    assert f"{SITE_URL}/en/home/" in body
    assert "you will find the link to join the sessions" in body
    assert "June 14, 2022, 10:00\N{EN DASH}12:00 (America/El_Salvador, UTC-06:00)" in body
    assert "Session 1: Trends" in body
    assert "Tendencias" not in body
    assert '<html lang="en">' in html_body(bob)

    # Her own zone wins over her country's.
    assert "June 14, 2022, 18:00\N{EN DASH}20:00 (Europe/Madrid, UTC+02:00)" in plain_body(
        mails["eva@example.org"]
    )

    rows = Notification.objects.order_by("participant__user__username")
    assert [(n.kind, n.status, n.attempts) for n in rows] == [
        ("registration_approved", "sent", 1)
    ] * 3
    reviewed_at = Participant.objects.get(pk=three_pending[0].pk).reviewed_at
    assert rows[0].dedupe_key == f"decision-{reviewed_at.isoformat()}"


def test_approve_again_sends_no_new_email(
    staff_client, three_pending, smtp_sink, django_capture_on_commit_callbacks
):
    _act(staff_client, "approve_registrations", three_pending, django_capture_on_commit_callbacks)

    response = _act(
        staff_client, "approve_registrations", three_pending, django_capture_on_commit_callbacks
    )

    assert [str(m) for m in response.context["messages"]] == ["Se aprobaron 0 inscripciones."]
    assert len(smtp_sink.messages) == 3
    assert Notification.objects.count() == 3


def test_approve_mixed_selection_notifies_only_those_whose_status_changed(
    staff_client, mexico, smtp_sink, django_capture_on_commit_callbacks
):
    pending = ParticipantFactory(delegation=mexico, user=UserFactory(username="nuevo"))
    already = ParticipantFactory(
        delegation=mexico, user=UserFactory(username="ya"), registration_status="approved"
    )

    _act(
        staff_client,
        "approve_registrations",
        [pending, already],
        django_capture_on_commit_callbacks,
    )

    assert [m["To"] for m in smtp_sink.messages] == ["nuevo@example.org"]
    assert list(Notification.objects.values_list("participant", flat=True)) == [pending.pk]


def test_reject_sends_polite_email_naming_whom_to_contact(
    staff_client, three_pending, smtp_sink, django_capture_on_commit_callbacks
):
    response = _act(
        staff_client,
        "reject_registrations",
        three_pending[:2],
        django_capture_on_commit_callbacks,
    )

    assert [str(m) for m in response.context["messages"]] == ["Se rechazaron 2 inscripciones."]
    mails = _by_recipient(smtp_sink)
    assert sorted(mails) == ["ana@example.org", "bob@example.org"]
    ana = mails["ana@example.org"]
    assert ana["Subject"].strip() == (
        "Su inscripción en el «Intercambio técnico sobre tráfico ilícito de migrantes»"
    )
    body = plain_body(ana).replace("\r\n", "\n")
    assert "Le agradecemos su interés" in body
    assert "no ha podido aprobar su inscripción" in body
    assert f"escriba a la Secretaría Ejecutiva de la CRM:\n{CONTACT}" in body
    assert "/home/" not in body
    assert f'<a href="mailto:{CONTACT}">{CONTACT}</a>' in html_body(ana)
    bob = plain_body(mails["bob@example.org"])
    assert "Thank you for your interest" in bob
    assert "please write to the Executive Secretariat of the RCM:" in bob
    assert set(Notification.objects.values_list("kind", flat=True)) == {"registration_rejected"}


def test_reject_then_approve_sends_each_decision_once(
    staff_client, three_pending, smtp_sink, django_capture_on_commit_callbacks
):
    ana = three_pending[0]
    _act(staff_client, "reject_registrations", [ana], django_capture_on_commit_callbacks)
    _act(staff_client, "approve_registrations", [ana], django_capture_on_commit_callbacks)

    subjects = [m["Subject"].strip() for m in smtp_sink.messages]
    assert [s.split()[0] for s in subjects] == ["Su", "Inscripción"]
    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        "registration_approved",
        "registration_rejected",
    ]


def test_approve_with_broker_down_keeps_rows_queued_and_answers(
    staff_client, three_pending, smtp_sink, django_capture_on_commit_callbacks, broker_down
):
    response = _act(
        staff_client, "approve_registrations", three_pending, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert smtp_sink.messages == []
    assert list(Notification.objects.values_list("status", flat=True)) == ["queued"] * 3
    assert set(Participant.objects.values_list("registration_status", flat=True)) == {"approved"}


# --- The participant's change form ------------------------------------------------------------


def _change_form_post(staff_client, participant, **changes):
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    data = {
        "user": participant.user_id,
        "workshop": participant.workshop_id,
        "role": participant.role,
        "delegation": participant.delegation_id or "",
        "organisation": participant.organisation_id or "",
        "institution": participant.institution,
        "position": participant.position,
        "profile": participant.profile,
        "registration_status": participant.registration_status,
        **changes,
    }
    return staff_client.post(url, data)


def test_change_form_status_change_notifies_once(
    staff_client, staff, three_pending, smtp_sink, django_capture_on_commit_callbacks
):
    bob = three_pending[1]

    with django_capture_on_commit_callbacks(execute=True):
        response = _change_form_post(staff_client, bob, registration_status="approved")
    assert response.status_code == 302
    bob.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _change_form_post(staff_client, bob, institution="Cancillería")

    assert [m["To"] for m in smtp_sink.messages] == ["bob@example.org"]
    assert smtp_sink.messages[0]["Subject"].startswith("Registration approved")
    bob.refresh_from_db()
    assert (bob.registration_status, bob.reviewed_by, bob.institution) == (
        "approved",
        staff,
        "Cancillería",
    )
    [notification] = Notification.objects.all()
    assert notification.dedupe_key == f"decision-{bob.reviewed_at.isoformat()}"


def test_change_form_back_to_pending_sends_nothing(
    staff_client, mexico, smtp_sink, django_capture_on_commit_callbacks
):
    participant = ParticipantFactory(delegation=mexico, registration_status="approved")

    with django_capture_on_commit_callbacks(execute=True):
        _change_form_post(staff_client, participant, registration_status="pending")

    assert smtp_sink.messages == []
    assert not Notification.objects.exists()


# --- notification_send: the outbox rules --------------------------------------------------------


def _approved(participant) -> Notification:
    Participant.objects.filter(pk=participant.pk).update(
        registration_status="approved", reviewed_at=timezone.now()
    )
    return Notification.objects.create(
        participant=participant, kind="registration_approved", dedupe_key="decision-test"
    )


def test_notification_send_twice_sends_one_message(three_pending, smtp_sink):
    notification = _approved(three_pending[0])

    notifications.notification_send(notification_id=notification.pk)
    second = notification_send_task.apply(kwargs={"notification_id": notification.pk}).get()

    assert len(smtp_sink.messages) == 1
    assert second == "sent"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
    assert notification.sent_at is not None


def test_notification_send_smtp_451_stays_queued_and_raises_temporary(three_pending, smtp_sink):
    notification = _approved(three_pending[0])
    smtp_sink.fail_next(1, "451 4.3.0 Try again later")

    with pytest.raises(services.TemporaryDeliveryError, match="451"):
        notifications.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        "queued",
        1,
        "451 4.3.0 Try again later",
    )
    assert smtp_sink.messages == []


def test_notification_send_smtp_550_marks_failed(three_pending, smtp_sink):
    notification = _approved(three_pending[0])
    smtp_sink.fail_next(1, "550 5.1.1 Mailbox unavailable")

    result = notifications.notification_send(notification_id=notification.pk)

    assert (result.status, result.attempts, result.last_error) == (
        "failed",
        1,
        "550 5.1.1 Mailbox unavailable",
    )
    assert smtp_sink.messages == []


def test_notification_send_task_retries_temporary_failure(three_pending, smtp_sink, monkeypatch):
    notification = _approved(three_pending[0])
    smtp_sink.fail_next(1, "451 4.3.0 Try again later")
    countdowns = []
    monkeypatch.setattr(
        "participants.tasks.invitation_retry_countdown",
        lambda retries: countdowns.append(retries) or 0,
    )
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        result = notification_send_task.apply(kwargs={"notification_id": notification.pk})
    finally:
        celery_app.conf.task_eager_propagates = previous

    assert result.get() == "sent"
    assert countdowns == [0]
    assert len(smtp_sink.messages) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)


def test_notification_send_gone_row_returns_quietly(db):
    assert notification_send_task.apply(kwargs={"notification_id": 999999}).get() is None


def test_notification_send_reversed_decision_is_not_sent(three_pending, smtp_sink):
    notification = _approved(three_pending[0])
    Participant.objects.filter(pk=three_pending[0].pk).update(registration_status="rejected")

    result = notifications.notification_send(notification_id=notification.pk)

    assert smtp_sink.messages == []
    assert (result.status, result.attempts) == ("failed", 1)
    assert result.last_error == (
        "La decisión sobre la inscripción cambió después; este aviso ya no se envía."
    )


def test_notification_send_unbuildable_message_fails_with_reason(three_pending, smtp_sink):
    notification = _approved(three_pending[0])
    # No zone of her own, and neither her country's nor the workshop's exists.
    Country.objects.filter(iso_code="MX").update(time_zone="Mars/Olympus")
    Workshop.objects.update(time_zone="Mars/Olympus")

    result = notifications.notification_send(notification_id=notification.pk)

    assert smtp_sink.messages == []
    assert result.status == "failed"
    assert result.last_error.startswith(
        "No se pudo preparar el mensaje (ZoneInfoNotFoundError: 'No time zone found with key "
        "Mars/Olympus'). Reintentar no lo resolverá"
    )


def test_outbox_sweep_sends_old_queued_rows_only(three_pending, smtp_sink):
    old = _approved(three_pending[0])
    fresh = _approved(three_pending[1])
    failed = _approved(three_pending[2])
    Notification.objects.filter(pk__in=[old.pk, failed.pk]).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    Notification.objects.filter(pk=failed.pk).update(status="failed")

    assert notification_outbox_sweep_task.apply().get() == 1

    assert [m["To"] for m in smtp_sink.messages] == ["ana@example.org"]
    assert dict(Notification.objects.values_list("pk", "status")) == {
        old.pk: "sent",
        fresh.pk: "queued",
        failed.pk: "failed",
    }


def test_outbox_sweep_with_broker_down_stops_and_loses_nothing(three_pending, broker_down):
    old = _approved(three_pending[0])
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )

    assert notification_outbox_sweep_task() == 0

    old.refresh_from_db()
    assert (old.status, old.attempts) == ("queued", 0)


# --- Fixtures shared with the broker-outage tests ---------------------------------------------


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing goes to a closed port (as in test_invitation_send.py)."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_BROKER_URL)
    conf.task_always_eager = False
    conf.broker_url = CLOSED_BROKER_URL
    _reset_broker_pools()
    yield celery_app
    conf.task_always_eager, conf.broker_url = previous
    _reset_broker_pools()


def _reset_broker_pools():
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


# --- Decisions taken elsewhere in the admin -------------------------------------------------------


def test_participant_added_already_approved_is_notified_once(
    staff_client, staff, mexico, smtp_sink, django_capture_on_commit_callbacks
):
    user = UserFactory(email="nueva@example.org", language="es")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:participants_participant_add"),
            {
                "user": user.pk,
                "workshop": mexico.workshop_id,
                "role": "delegate",
                "delegation": mexico.pk,
                "organisation": "",
                "institution": "",
                "position": "",
                "profile": "other",
                "registration_status": "approved",
            },
        )

    assert response.status_code == 302
    assert [m["To"] for m in smtp_sink.messages] == ["nueva@example.org"]
    participant = Participant.objects.get(user=user)
    assert (participant.reviewed_by, participant.reviewed_at is not None) == (staff, True)


def test_delegation_member_approved_in_the_inline_is_notified_once(
    staff_client, staff, mexico, smtp_sink, django_capture_on_commit_callbacks
):
    from tests.rendered_forms import rendered_form

    member = ParticipantFactory(
        delegation=mexico, registration_status="pending", user__email="miembro@example.org"
    )
    url = reverse("admin:participants_delegation_change", args=[mexico.pk])
    data = rendered_form(staff_client.get(url).content, "delegation_form")
    [prefix] = [
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == [str(member.pk)]
    ]
    data[f"{prefix}-registration_status"] = ["approved"]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, rendered_form(staff_client.get(url).content, "delegation_form"))

    assert response.status_code == 302
    assert [m["To"] for m in smtp_sink.messages] == ["miembro@example.org"]
    member.refresh_from_db()
    assert (member.registration_status, member.reviewed_by) == ("approved", staff)
