"""A broker that accepts connections and never answers cannot hold a request.

The broker is a real local TCP server that never replies (tests/fault_servers.py). Publishing
gives up within about a second, the invitation stays in the outbox (``queued``), and once
tasks can run again the sweep sends it, once.
"""

import datetime as dt
import logging
import time

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from crm_workshop.celery import app as celery_app
from participants import services
from participants.models import Invitation
from participants.tasks import invitation_outbox_sweep_task
from tests.admin_factories import StaffUserFactory, activate_totp
from tests.factories import SessionFactory, WorkshopFactory, local
from tests.fault_servers import running_silent_server
from tests.participants.factories import DelegationFactory, InvitationFactory


@pytest.fixture
def silent_server():
    with running_silent_server() as server:
        yield server


@pytest.fixture
def broker_silent(silent_server, monkeypatch):
    """Tasks are published to the silent server (Celery reads CELERY_BROKER_URL from the
    environment first); afterwards the suite's broker and inline mode come back."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)
    monkeypatch.setenv("CELERY_BROKER_URL", silent_server.redis_url)
    conf.task_always_eager = False
    conf.broker_url = silent_server.redis_url
    _forget_broker_pools()
    yield silent_server
    conf.task_always_eager, conf.broker_url = previous
    _forget_broker_pools()


def _forget_broker_pools():
    # Forget (never close: kombu shares them per URL) the pools made for the other URL.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(title_es="Intercambio técnico", time_zone="America/El_Salvador")
    SessionFactory(
        workshop=workshop, number=1, start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12)
    )
    return workshop


@pytest.fixture
def staff_client(client, transactional_db):
    """A superuser signed in with a second factor, as allauth's MFA stage records it."""
    from allauth.account.internal.flows.login import record_authentication

    user = StaffUserFactory(username="secretaria")
    activate_totp(user)
    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, user, "mfa", type="totp")
    session.save()
    return client


def _age(*invitations: Invitation) -> None:
    """Make rows old enough for the outbox sweep."""
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )


def test_admin_add_invitation_broker_silent_answers_fast_then_sweep_sends_once(
    staff_client, workshop, broker_silent, smtp_sink
):
    delegation = DelegationFactory(workshop=workshop)

    started = time.monotonic()
    response = staff_client.post(
        reverse("admin:participants_invitation_add"),
        {
            "workshop": workshop.pk,
            "email": "punto.focal@example.org",
            "full_name": "Punto Focal",
            "role": "delegate",
            "delegation": delegation.pk,
            "organisation": "",
            "profile": "other",
            "language": "es",
        },
    )
    seconds = time.monotonic() - started

    assert response.status_code == 302
    assert seconds < 3.0
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.attempts) == ("queued", 0)
    assert smtp_sink.messages == []
    assert len(broker_silent.accepted) == 1  # the publish really reached the silent broker

    # Tasks run again (inline here); the sweep finds the row in the outbox and sends it once.
    celery_app.conf.task_always_eager = True
    _age(invitation)
    swept = [invitation_outbox_sweep_task.apply().get() for _ in range(2)]

    assert swept == [1, 0]
    assert [m["To"] for m in smtp_sink.messages] == ["punto.focal@example.org"]
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_invitation_queue_broker_silent_gives_up_within_two_seconds(
    workshop, broker_silent, django_capture_on_commit_callbacks, caplog
):
    invitation = InvitationFactory(workshop=workshop, delegation=None, role="observer")

    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="participants.services"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        services.invitation_queue(invitation=invitation)
    seconds = time.monotonic() - started

    assert len(callbacks) == 1
    assert seconds < 2.0
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("queued", 0)
    warnings = [r.getMessage() for r in caplog.records if r.name == "participants.services"]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"invitation {invitation.pk} stays queued: broker unavailable")


def test_admin_requeue_broker_silent_pays_one_timeout_for_many_rows(
    staff_client, workshop, broker_silent
):
    failed = [
        InvitationFactory(
            workshop=workshop, delegation=None, role="observer", status="failed", attempts=20
        )
        for _ in range(5)
    ]

    started = time.monotonic()
    response = staff_client.post(
        reverse("admin:participants_invitation_changelist"),
        {"action": "requeue_failed", "_selected_action": [i.pk for i in failed]},
    )
    seconds = time.monotonic() - started

    assert response.status_code == 302
    assert seconds < 3.0
    # One publish met the silent broker; the four after it did not wait on it again.
    assert len(broker_silent.accepted) == 1
    assert list(Invitation.objects.values_list("status", "attempts")) == [("queued", 0)] * 5


@pytest.mark.django_db
def test_outbox_sweep_broker_silent_stops_within_two_seconds(workshop, broker_silent):
    rows = [
        InvitationFactory(workshop=workshop, delegation=None, role="observer") for _ in range(3)
    ]
    _age(*rows)

    started = time.monotonic()
    enqueued = invitation_outbox_sweep_task.apply().get()
    seconds = time.monotonic() - started

    assert enqueued == 0
    assert seconds < 2.0
    assert Invitation.objects.filter(status="queued").count() == 3
