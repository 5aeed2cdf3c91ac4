"""Shared fixtures. Real objects from factories; only what leaves the process is faked."""

import pytest

from crm_workshop.celery import app as celery_app
from tests.fault_servers import closed_port


@pytest.fixture
def demo(db):
    """The concept-note workshop as ``seed_demo`` loads it (replayed from a snapshot when that
    gives the same rows: see tests/demo_snapshot.py)."""
    from agenda.models import Workshop
    from tests.demo_snapshot import seed_demo

    seed_demo()
    return Workshop.objects.get(slug="crm-gtgf-trafico-ilicito-migrantes-2022")


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """Each test starts in the default language: a request under /en/ leaves English active
    in the thread, which would otherwise leak into the next test."""
    from django.utils import translation

    translation.activate("es")
    yield
    translation.deactivate()


ROLES = (
    "anonymous",
    "pending",
    "delegate",
    "focal_point_other",
    "observer",
    "moderator",
    "staff",
)


@pytest.fixture
def people(demo):
    """One account per role on the seeded workshop, keyed by the names in ``ROLES``.

    ``delegate`` is the approved delegate of Mexico; ``focal_point_other`` is the focal point
    of El Salvador (another country than ``delegate``'s); ``pending`` waits for approval in
    Mexico's delegation; ``staff`` is the Secretaría account (not a superuser);
    ``anonymous`` is ``None``. Use with ``client_as``.
    """
    from participants.models import Participant, User

    pending_user = User.objects.create_user(
        username="pendiente.mx",
        email="pendiente.mx@crm-workshop.test",
        first_name="Pendiente",
        last_name="México",
    )
    Participant.objects.create(
        user=pending_user,
        workshop=demo,
        role=Participant.Role.DELEGATE,
        delegation=demo.delegations.get(country_id="MX"),
        profile=Participant.Profile.PROTECTION,
        registration_status=Participant.RegistrationStatus.PENDING,
    )
    by_email = {user.email: user for user in User.objects.all()}
    return {
        "anonymous": None,
        "pending": pending_user,
        "delegate": by_email["delegada.mx@crm-workshop.test"],
        "focal_point_other": by_email["delegado.sv@crm-workshop.test"],
        "observer": by_email["observador@crm-workshop.test"],
        "moderator": by_email["moderador@crm-workshop.test"],
        "staff": by_email["secretaria@crm-workshop.test"],
    }


@pytest.fixture
def client_as(client, settings):
    """``client_as(user)``: the test client signed in as ``user`` (``None``: anonymous).

    Staff would first meet the second-factor gate of /admin/ and /staff/; it is switched off
    here (the gate itself is tested in tests/test_admin_mfa.py and for /staff/ on its own)."""

    def sign_in(user):
        client.logout()
        if user is None:
            return client
        if user.is_staff:
            settings.ADMIN_REQUIRE_MFA = False
        client.force_login(user)
        return client

    return sign_in


# --- A broker that refuses connections (consultations, agreements) ---------------------------


def _reset_broker_pools():
    # Forget (never close: kombu shares them per URL) the pools made for another URL: a
    # producer pool left by an earlier test would publish to a live broker instead.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    """Publish for real to a broker that refuses connections; inline mode comes back after."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)
    url = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    conf.task_always_eager = False
    conf.broker_url = url
    _reset_broker_pools()
    yield
    conf.task_always_eager, conf.broker_url = previous
    _reset_broker_pools()
