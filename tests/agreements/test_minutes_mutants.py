"""Tests that kill the mutants of agreements/minutes.py and agreements/notifications.py that the
first mutation run left alive (see bench/MUTATION.md, issue 8). Mostly without a render: rows
in the state each branch reads, exact messages and values."""

import datetime as dt
import logging
import subprocess

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements import minutes as service
from agreements import notifications
from agreements.models import Minutes
from participants import notifications as outbox
from participants.models import Notification, Participant
from tests.agreements.minutes_helpers import use_media
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

SHA = "0" * 64
EXHAUSTED = (
    "La generación no terminó a tiempo (límite de 180 s) tras 3 intentos; no se reintentará. "
    "Pida una nueva versión."
)


@pytest.fixture
def media(settings, tmp_path):
    return use_media(settings, tmp_path)


def _ready(workshop, *, version=1, snapshot=None):
    """A ready draft whose PDF name is set; its HTML snapshot stored when given."""
    minutes = Minutes.objects.create(
        workshop=workshop,
        version=version,
        render_status="ready",
        sha256=SHA,
        pdf=f"minutes/acta-v{version}.pdf",
    )
    if snapshot is not None:
        default_storage.save(service.snapshot_name(minutes.pdf.name), ContentFile(snapshot))
    return minutes


def _issue_error(minutes) -> str:
    with pytest.raises(service.MinutesError) as caught:
        service.minutes_issue(minutes=minutes, by=None)
    return str(caught.value)


# --- failure reasons, _fail, _fail_exhausted ----------------------------------------------------


def test_celery_soft_time_limit_is_named_as_the_time_limit(settings):
    settings.MINUTES_TIME_LIMIT_SECONDS = 180
    assert service.failure_reason(SoftTimeLimitExceeded()) == (
        "La generación superó el límite de 180 s y se detuvo (SoftTimeLimitExceeded). "
        "No se reintentará."
    )


def test_fail_touches_only_its_own_rendering_attempt():
    workshop = WorkshopFactory()
    mine = Minutes.objects.create(
        workshop=workshop, version=1, render_status="rendering", attempts=2
    )
    other = Minutes.objects.create(
        workshop=workshop, version=2, render_status="rendering", attempts=2
    )
    service._fail(mine.pk, 1, "tarde")  # an older attempt of mine: not this one
    service._fail(mine.pk, 2, "motivo")
    Minutes.objects.filter(pk=other.pk).update(render_status="queued")
    service._fail(other.pk, 2, "no")  # not rendering: left alone
    rows = dict(Minutes.objects.values_list("pk", "render_status"))
    errors = dict(Minutes.objects.values_list("pk", "error"))
    assert rows == {mine.pk: "failed", other.pk: "queued"}
    assert errors == {mine.pk: "motivo", other.pk: ""}


def test_fail_exhausted_names_the_attempts_and_skips_missing_or_finished_rows(settings):
    settings.MINUTES_TIME_LIMIT_SECONDS = 180
    workshop = WorkshopFactory()
    stuck = Minutes.objects.create(
        workshop=workshop, version=1, render_status="rendering", attempts=3
    )
    ready = Minutes.objects.create(workshop=workshop, version=2, render_status="ready", sha256=SHA)
    assert service._fail_exhausted(stuck.pk + 1000) is None
    service._fail_exhausted(ready.pk)
    service._fail_exhausted(stuck.pk)
    assert list(Minutes.objects.order_by("version").values_list("render_status", "error")) == [
        ("failed", EXHAUSTED),
        ("ready", ""),
    ]


# --- sweep --------------------------------------------------------------------------------------


def test_sweep_leaves_recent_renders_alone_whatever_their_attempts(settings):
    settings.MINUTES_TIME_LIMIT_SECONDS = 180
    settings.MINUTES_MAX_ATTEMPTS = 3
    workshop = WorkshopFactory()
    now = timezone.now()
    for version, attempts in ((1, 1), (2, 3)):
        Minutes.objects.create(
            workshop=workshop,
            version=version,
            render_status="rendering",
            attempts=attempts,
            started_at=now - dt.timedelta(seconds=60),
        )
    assert service.minutes_sweep() == 0
    assert list(Minutes.objects.order_by("version").values_list("render_status", "error")) == [
        ("rendering", ""),
        ("rendering", ""),
    ]


# --- progress -----------------------------------------------------------------------------------


def test_progress_hides_file_details_until_ready_and_the_error_until_failed():
    workshop = WorkshopFactory()
    minutes = Minutes(
        workshop=workshop,
        version=1,
        render_status="rendering",
        progress=55,
        sha256="a" * 64,
        page_count=7,
        error="de un intento anterior",
    )
    shown = service.minutes_progress(minutes)
    assert (shown["sha256"], shown["page_count"], shown["error"]) == ("", None, "")
    minutes.render_status = "ready"
    shown = service.minutes_progress(minutes)
    assert (shown["sha256"], shown["page_count"], shown["error"]) == ("a" * 64, 7, "")


# --- publish, request ---------------------------------------------------------------------------


def test_publish_with_the_broker_down_logs_the_row_and_the_error(broker_down, caplog):
    workshop = WorkshopFactory()
    minutes = Minutes.objects.create(workshop=workshop, version=1)
    with caplog.at_level(logging.WARNING, logger="agreements.minutes"):
        assert service.minutes_publish(minutes_id=minutes.pk) is False
    (record,) = [r for r in caplog.records if r.name == "agreements.minutes"]
    assert record.msg == "minutes %s stay queued: broker unavailable (%s)"
    assert record.args[0] == minutes.pk
    assert str(record.args[1]) != "None"
    assert record.args[1] is not None


def test_request_names_the_unknown_language():
    with pytest.raises(ValueError, match=r"^fr$") as caught:
        service.minutes_request(workshop=WorkshopFactory(), by=None, language="fr")
    assert caught.value.args == ("fr",)


@pytest.mark.django_db(transaction=True)
def test_request_outside_a_transaction_says_the_task_was_handed_over(settings, tmp_path):
    """No transaction open: the hand-over runs at once (inline: rendered already) and the
    caller learns that it went through."""
    use_media(settings, tmp_path)
    minutes, published = service.minutes_request(workshop=WorkshopFactory(), by=None, language="es")
    assert published is True
    assert Minutes.objects.get(pk=minutes.pk).render_status == "ready"


# --- issue --------------------------------------------------------------------------------------


def test_issue_refuses_a_ready_row_without_its_file():
    minutes = Minutes.objects.create(
        workshop=WorkshopFactory(), version=1, render_status="ready", sha256=SHA
    )
    assert _issue_error(minutes) == "Solo se puede emitir una versión lista (generada sin errores)."


def test_issue_refuses_a_version_older_than_an_issued_one_of_the_same_workshop_only(media):
    workshop = WorkshopFactory()
    first = _ready(workshop, version=1)
    Minutes.objects.create(
        workshop=workshop, version=2, render_status="ready", sha256=SHA, status="issued"
    )
    assert _issue_error(first) == (
        "Ya hay una versión posterior emitida: esta versión no se puede emitir."
    )
    # A later issued version of ANOTHER workshop does not count: the check goes on (no HTML).
    elsewhere = _ready(WorkshopFactory(), version=1)
    assert _issue_error(elsewhere) == (
        "Falta el HTML de esta versión; genere una nueva versión y emítala."
    )


@pytest.mark.parametrize("offset", [-1, 401])
def test_issue_refuses_html_that_is_not_a_draft(media, offset):
    mark = service.DRAFT_MARK if offset >= 0 else ""
    html = "x" * max(offset, 0) + mark + "<p>acta</p>"
    minutes = _ready(WorkshopFactory(), snapshot=html.encode())
    assert _issue_error(minutes) == "El HTML de esta versión no es el de un borrador."
    assert Minutes.objects.get(pk=minutes.pk).status == "draft"


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_issue_accepts_the_mark_at_the_edges_and_replaces_only_the_first(media):
    """The mark at position 0 and again past 400 characters: issued, and only the first is
    turned into the issued mark (the second paragraph, still a draft one, stays visible)."""
    head = service.DRAFT_MARK + "<style>p.minutes-issued { display: none }</style>"
    html = head + "x" * 420 + '<p class="minutes-draft">SEGUNDA-MARCA</p>'
    minutes = _ready(WorkshopFactory(), snapshot=html.encode())
    issued, _created = service.minutes_issue(minutes=minutes, by=None)
    assert issued.status == "issued"
    assert "SEGUNDA-MARCA" in _pdf_text(issued.pdf.path)
    at_400 = _ready(
        WorkshopFactory(), version=2, snapshot=("y" * 400 + service.DRAFT_MARK).encode()
    )
    assert service.minutes_issue(minutes=at_400, by=None)[0].status == "issued"


def _other_workshop_participant() -> Participant:
    return Participant.objects.create(
        user=UserFactory(),
        workshop=WorkshopFactory(),
        registration_status="approved",
        role="observer",
    )


def test_recipients_and_notifications_are_of_this_workshop_only():
    stranger = _other_workshop_participant()
    workshop = WorkshopFactory()
    mine = Participant.objects.create(
        user=UserFactory(), workshop=workshop, registration_status="approved", role="observer"
    )
    assert list(service.issue_recipients(workshop_id=workshop.pk)) == [mine]
    minutes = Minutes.objects.create(workshop=workshop, version=1)
    created = service._notify_issued(minutes)
    assert [(n.participant_id, n.dedupe_key) for n in created] == [
        (mine.pk, f"minutes-{minutes.pk}")
    ]
    assert all(isinstance(n, Notification) for n in created)
    assert Notification.objects.filter(participant=stranger).count() == 0


def test_latest_issued_is_of_this_workshop():
    workshop = WorkshopFactory()
    Minutes.objects.create(
        workshop=WorkshopFactory(), version=1, status="issued", render_status="ready", sha256=SHA
    )
    assert service.minutes_latest_issued(workshop_id=workshop.pk) is None


# --- files and guards ---------------------------------------------------------------------------


def test_a_file_that_cannot_be_removed_is_logged_by_name(media, caplog):
    (media / "lleno").mkdir(parents=True)
    (media / "lleno" / "dentro.txt").write_text("x")  # a folder with a file: rmdir refuses
    with caplog.at_level(logging.WARNING, logger="agreements.minutes"):
        service._remove_files("lleno")
    assert [r.getMessage() for r in caplog.records if r.name == "agreements.minutes"] == [
        "could not remove lleno"
    ]


def test_deleting_an_issued_version_names_why_and_its_workshop_still_cascades():
    workshop = WorkshopFactory()
    issued = Minutes.objects.create(
        workshop=workshop, version=1, status="issued", render_status="ready", sha256=SHA
    )
    with pytest.raises(service.MinutesImmutableError) as caught, transaction.atomic():
        issued.delete()
    assert str(caught.value) == "Una versión emitida del acta no se puede borrar."
    workshop.delete()
    assert Minutes.objects.filter(pk=issued.pk).exists() is False


# --- notifications ------------------------------------------------------------------------------


def test_register_puts_both_hooks_in_the_outbox():
    notifications.register()
    kind = Notification.Kind.MINUTES_ISSUED
    assert outbox.OBSOLETE_CHECKS[kind] is notifications.obsolete_reason
    assert outbox.MESSAGE_CONTEXTS[kind] is notifications.message_context


def test_message_context_values(media, settings):
    settings.SITE_URL = "https://portal.example/"
    workshop = WorkshopFactory()
    participant = Participant.objects.create(
        user=UserFactory(), workshop=workshop, registration_status="approved", role="observer"
    )
    minutes = Minutes.objects.create(workshop=workshop, version=2, language="es")
    minutes.pdf.save("acta.pdf", ContentFile(b"%" * 2048), save=True)
    row = Notification.objects.create(
        participant=participant, kind="minutes_issued", dedupe_key=f"minutes-{minutes.pk}"
    )
    context = notifications.message_context(row, dt.UTC)
    assert context["minutes"] == minutes
    path = reverse("minutes:download", args=[minutes.pk])
    assert context["download_url"] == f"https://portal.example{path}"
    assert context["size"] == "2,0\xa0KB"
    settings.SITE_URL = "https://portal.example/crmX"  # only the slash is stripped, no letters
    assert notifications.message_context(row, dt.UTC)["download_url"] == (
        f"https://portal.example/crmX{path}"
    )
    minutes.pdf.delete(save=False)
    Minutes.objects.filter(pk=minutes.pk).update(pdf="")
    assert notifications.message_context(row, dt.UTC)["size"] == ""
