"""Issuing the minutes: only a ready draft; the issued file has its own hash and never changes
again (service, model save, admin); one e-mail per approved participant, once."""

import hashlib
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from agreements import minutes as service
from agreements.models import Minutes
from agreements.tasks import minutes_render_task
from participants.models import Notification, Participant
from participants.tasks import notification_send_task
from tests.agreements.minutes_helpers import use_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_media(settings, tmp_path)


@pytest.fixture
def ready(demo, media):
    minutes = Minutes.objects.create(workshop=demo, version=1, language="es")
    assert minutes_render_task.apply(kwargs={"minutes_id": minutes.pk}).get() == "ready"
    minutes.refresh_from_db()
    return minutes


def test_issue_stores_an_unmarked_file_and_notifies_each_approved_participant_once(
    ready, people, django_capture_on_commit_callbacks
):
    draft_path = Path(ready.pdf.path)
    with django_capture_on_commit_callbacks(execute=True):
        issued, created = service.minutes_issue(minutes=ready, by=people["staff"])
    stored = Minutes.objects.get(pk=ready.pk)
    assert (stored.status, stored.render_status, stored.issued_by) == (
        "issued",
        "ready",
        people["staff"],
    )
    assert stored.issued_at is not None
    assert stored.sha256 != ready.sha256
    assert stored.sha256 == hashlib.sha256(Path(stored.pdf.path).read_bytes()).hexdigest()
    assert stored.pdf.name.startswith("minutes/")
    assert "-emitida-" in stored.pdf.name
    assert not draft_path.exists()  # the watermarked draft is gone once issued

    approved = Participant.objects.filter(workshop=ready.workshop, registration_status="approved")
    assert approved.count() == 5
    rows = Notification.objects.filter(kind="minutes_issued")
    assert sorted(rows.values_list("participant_id", flat=True)) == sorted(
        approved.values_list("pk", flat=True)
    )
    assert set(rows.values_list("dedupe_key", "status")) == {(f"minutes-{ready.pk}", "sent")}
    assert len(created) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        approved.values_list("user__email", flat=True)
    )
    # The outbox task run again (redelivery, sweep) sends nothing twice; issuing again neither.
    for row in rows:
        notification_send_task.apply(kwargs={"notification_id": row.pk}).get()
    with django_capture_on_commit_callbacks(execute=True):
        again, created_again = service.minutes_issue(minutes=issued, by=people["staff"])
    assert created_again == []
    assert again.sha256 == stored.sha256
    assert len(mail.outbox) == 5
    assert Notification.objects.filter(kind="minutes_issued").count() == 5


def test_email_in_the_recipients_language_with_link_and_hash(
    ready, people, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://portal.example"
    delegate = people["delegate"]
    delegate.language = "en"
    delegate.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        issued, _created = service.minutes_issue(minutes=ready, by=people["staff"])
    by_person = {m.to[0]: m for m in mail.outbox}
    english = by_person[delegate.email]
    spanish = by_person["delegado.sv@crm-workshop.test"]
    link = f"https://portal.example/agreements/minutes/{issued.pk}/download/"
    english_link = f"https://portal.example/en/agreements/minutes/{issued.pk}/download/"
    assert english.subject == (
        "Minutes issued (version 1): “Technical Exchange on the Smuggling of Migrants”"
    )
    assert "version 1, in Spanish, 7 pages." in english.body
    assert english_link in english.body
    assert issued.sha256 in english.body
    assert english.attachments == []
    assert spanish.subject == (
        "Acta emitida (versión 1): «Intercambio Técnico sobre Tráfico Ilícito de Personas "
        "Migrantes»"
    )
    assert link in spanish.body
    assert issued.sha256 in spanish.body
    assert "(America/El_Salvador, UTC-06:00)" in spanish.body
    html = spanish.alternatives[0][0]
    assert f'<a href="{link}">' in html
    assert f"<code>{issued.sha256}</code>" in html


def test_only_a_ready_draft_is_issued(demo, people, media):
    queued = Minutes.objects.create(workshop=demo, version=1)
    failed = Minutes.objects.create(workshop=demo, version=2, render_status="failed", error="x")
    for minutes in (queued, failed):
        with pytest.raises(service.MinutesError) as raised:
            service.minutes_issue(minutes=minutes, by=people["staff"])
        assert raised.value.message == (
            "Solo se puede emitir una versión lista (generada sin errores)."
        )
    assert set(Minutes.objects.values_list("status", flat=True)) == {"draft"}
    assert not Notification.objects.filter(kind="minutes_issued").exists()


def test_an_older_draft_is_not_issued_after_a_newer_one(demo, people, media):
    old = Minutes.objects.create(workshop=demo, version=1)
    new = Minutes.objects.create(workshop=demo, version=2)
    for minutes in (old, new):
        minutes_render_task.apply(kwargs={"minutes_id": minutes.pk}).get()
    service.minutes_issue(minutes=Minutes.objects.get(pk=new.pk), by=people["staff"])
    with pytest.raises(service.MinutesError, match="Ya hay una versión posterior emitida"):
        service.minutes_issue(minutes=Minutes.objects.get(pk=old.pk), by=people["staff"])
    assert Minutes.objects.get(pk=old.pk).status == "draft"


def test_issued_version_is_immutable_in_code(ready, people):
    issued, _created = service.minutes_issue(minutes=ready, by=people["staff"])
    for field, value in (("sha256", "0" * 64), ("status", "draft"), ("pdf", "minutes/x.pdf")):
        row = Minutes.objects.get(pk=issued.pk)
        setattr(row, field, value)
        with pytest.raises(service.MinutesImmutableError), transaction.atomic():
            row.save()
    # (Each in its own savepoint: a refused delete spoils the transaction it runs in.)
    with pytest.raises(service.MinutesImmutableError), transaction.atomic():
        Minutes.objects.get(pk=issued.pk).delete()
    with pytest.raises(service.MinutesImmutableError), transaction.atomic():
        Minutes.objects.filter(pk=issued.pk).delete()
    stored = Minutes.objects.get(pk=issued.pk)
    assert (stored.status, stored.sha256, stored.pdf.name) == (
        "issued",
        issued.sha256,
        issued.pdf.name,
    )
    # What is not frozen may still be saved (e.g. nothing changed at all).
    stored.save()


def test_issued_version_is_immutable_in_the_admin(ready, people, client_as):
    issued, _created = service.minutes_issue(minutes=ready, by=people["staff"])
    admin = people["staff"].__class__.objects.get(email="admin@crm-workshop.test")
    client = client_as(admin)
    change = reverse("admin:agreements_minutes_change", args=[issued.pk])
    delete = reverse("admin:agreements_minutes_delete", args=[issued.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b'type="file"' not in page.content
    assert reverse("minutes:download", args=[issued.pk]).encode() in page.content
    assert client.post(change, {"sha256": "0" * 64, "status": "draft"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:agreements_minutes_changelist"),
        {"action": "delete_selected", "_selected_action": [issued.pk], "post": "yes"},
    )
    stored = Minutes.objects.get(pk=issued.pk)
    assert (stored.status, stored.sha256) == ("issued", issued.sha256)
    assert client.get(reverse("admin:agreements_minutes_add")).status_code == 403


def test_a_draft_may_be_deleted_in_the_admin(demo, people, client_as):
    draft = Minutes.objects.create(workshop=demo, version=1, render_status="failed", error="x")
    admin = people["staff"].__class__.objects.get(email="admin@crm-workshop.test")
    response = client_as(admin).post(
        reverse("admin:agreements_minutes_delete", args=[draft.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Minutes.objects.exists()


def test_queued_email_is_dropped_when_a_newer_version_was_issued(demo, people, media):
    first = Minutes.objects.create(workshop=demo, version=1)
    minutes_render_task.apply(kwargs={"minutes_id": first.pk}).get()
    service.minutes_issue(minutes=Minutes.objects.get(pk=first.pk), by=people["staff"])
    second = Minutes.objects.create(workshop=demo, version=2)
    minutes_render_task.apply(kwargs={"minutes_id": second.pk}).get()
    service.minutes_issue(minutes=Minutes.objects.get(pk=second.pk), by=people["staff"])
    old = Notification.objects.filter(dedupe_key=f"minutes-{first.pk}").first()
    assert notification_send_task.apply(kwargs={"notification_id": old.pk}).get() == "failed"
    old.refresh_from_db()
    assert old.last_error == (
        "Se emitió después una versión más reciente del acta; este aviso no se envía."
    )
