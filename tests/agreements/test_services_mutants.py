"""agreements.services: the cases mutation testing found unchecked (bench/MUTATION.md, issue 8)."""

import datetime as dt

import pytest
from django.db.models.signals import post_save
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, SessionRecord
from participants.models import Organisation


def revision(session):
    return SessionRecord.objects.get(session=session).revision


def test_texts_lose_windows_line_ends_in_both_languages_and_spanish_may_be_absent(session1, people):
    agreement = services.agreement_create(
        session=session1, by=people["moderator"], text_en=" Share\r\nroutes "
    )

    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.text_es, stored.text_en) == ("", "Share\nroutes")


def test_create_keeps_the_status_given_and_the_session_object(session1, people):
    saves = []

    def saved(sender, instance, created, update_fields, **kwargs):
        saves.append((created, instance.number, update_fields))

    post_save.connect(saved, sender=Agreement)
    try:
        agreement = services.agreement_create(
            session=session1, by=people["moderator"], text_es="A1", status="adopted"
        )
    finally:
        post_save.disconnect(saved, sender=Agreement)

    # Saved first with the next free number (the workshop has none yet), then only who
    # (for the history row with the parties).
    assert saves == [(True, 1, None), (False, 1, frozenset({"updated_by"}))]

    assert Agreement.objects.get(pk=agreement.pk).status == "adopted"
    # Only the number is read back: the objects given stay the agreement's own.
    assert agreement.session is session1
    assert agreement.created_by is people["moderator"]


def test_a_new_agreement_raises_the_revision_of_the_later_session_it_pushes_down(
    session1, session2, record_agreement
):
    later = record_agreement(session2, "B1")
    before = revision(session2)

    record_agreement(session1, "A1")

    assert Agreement.objects.get(pk=later.pk).number == 2
    assert revision(session2) == before + 1


def test_renumber_of_part_of_the_workshop_moves_past_every_number(demo, session1, record_agreement):
    a, b, _c, _d = (record_agreement(session1, text) for text in ("A", "B", "C", "D"))

    services._renumber(demo.pk, [b.pk, a.pk])

    assert dict(Agreement.objects.values_list("text_es", "number")) == {
        "A": 2,
        "B": 1,
        "C": 3,
        "D": 4,
    }


def test_update_with_the_stored_parties_as_objects_writes_nothing(demo, session1, people):
    mexico = demo.delegations.get(country_id="MX").country
    organisation = Organisation.objects.order_by("pk").first()
    agreement = services.agreement_create(
        session=session1,
        by=people["moderator"],
        text_es="A1",
        countries=[mexico],
        organisations=[organisation],
    )

    same = services.agreement_update(
        agreement=agreement,
        by=people["staff"],
        expected_version=1,
        countries=[mexico],
        organisations=[organisation],
    )

    assert same.version == 1
    assert Agreement.objects.get(pk=agreement.pk).version == 1
    assert agreement.history.count() == 1


def test_update_of_one_language_keeps_and_cleans_the_other(session1, record_agreement, people):
    agreement = record_agreement(session1, "Texto", text_en="Text")

    services.agreement_update(
        agreement=agreement, by=people["moderator"], expected_version=1, text_es="Nuevo"
    )
    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.text_es, stored.text_en, stored.version) == ("Nuevo", "Text", 2)

    services.agreement_update(
        agreement=agreement, by=people["moderator"], expected_version=2, text_en=" New\r\nline "
    )

    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.text_es, stored.text_en, stored.version) == ("Nuevo", "New\nline", 3)


def test_update_names_the_fields_it_refuses(session1, record_agreement, people):
    agreement = record_agreement(session1, "A1")

    with pytest.raises(TypeError) as refused:
        services.agreement_update(
            agreement=agreement, by=people["moderator"], expected_version=1, number=5, version=9
        )

    assert str(refused.value) == "not editable: ['number', 'version']"


def test_moving_down_the_workshop_last_agreement_is_refused_with_it(
    session1, record_agreement, people
):
    record_agreement(session1, "A1")
    last = record_agreement(session1, "A2")

    with pytest.raises(services.AgreementMoveError) as refused:
        services.agreement_move(agreement=last, by=people["moderator"], direction="down")

    assert refused.value.agreement is last
    assert str(refused.value) == "Ese acuerdo ya está en el extremo de la lista: no se movió nada."


def test_move_records_the_mover_and_is_not_an_edit(session1, record_agreement, people):
    first = record_agreement(session1, "A1")
    second = record_agreement(session1, "A2")
    edited_at = Agreement.objects.get(pk=second.pk).updated_at
    saves = []

    def saved(sender, instance, update_fields, **kwargs):
        saves.append((instance.pk, update_fields))

    post_save.connect(saved, sender=Agreement)
    try:
        moved = services.agreement_move(agreement=second, by=people["staff"], direction="up")
    finally:
        post_save.disconnect(saved, sender=Agreement)

    assert saves == [(second.pk, frozenset({"updated_by"}))]

    stored = Agreement.objects.get(pk=second.pk)
    assert (stored.number, stored.updated_by, stored.version) == (1, people["staff"], 1)
    assert stored.updated_at == edited_at
    assert moved.updated_by == people["staff"]
    assert Agreement.objects.get(pk=first.pk).number == 2


def test_followup_keeps_who_the_note_and_raises_the_revision(session1, record_agreement, people):
    agreement = record_agreement(session1, "A1")
    before = revision(session1)

    entry = services.followup_record(
        agreement=agreement,
        by=people["staff"],
        status="in_progress",
        note=" Primera\r\nreunión ",
        date=dt.date(2026, 3, 2),
    )

    entry.refresh_from_db()
    assert (entry.recorded_by, entry.note, entry.status) == (
        people["staff"],
        "Primera\nreunión",
        "in_progress",
    )
    assert revision(session1) == before + 1


def test_closing_raises_the_revision_by_one(session1, record_agreement, people):
    record_agreement(session1, "A1")
    record_agreement(session1, "A2")
    before = revision(session1)
    assert before > 1

    record = services.session_close(session=session1, by=people["moderator"])

    assert record.revision == before + 1
    assert revision(session1) == before + 1


def test_reopening_stamps_the_time_and_cuts_the_history_reason_to_100(session1, people):
    services.session_close(session=session1, by=people["moderator"])
    reason = "Corrección " + "x" * 140
    started = timezone.now()

    record = services.session_reopen(session=session1, by=people["staff"], reason=reason)

    record.refresh_from_db()
    assert started <= record.reopened_at <= timezone.now()
    assert record.reopen_reason == reason
    assert record.history.latest().history_change_reason == reason[:100]


@pytest.mark.parametrize("reason", ["", None])
def test_reopening_without_any_reason_is_refused(session1, people, reason):
    services.session_close(session=session1, by=people["moderator"])

    with pytest.raises(services.ReopenSessionError):
        services.session_reopen(session=session1, by=people["staff"], reason=reason)

    assert SessionRecord.objects.get(session=session1).is_closed


def test_errors_carry_their_message_as_their_text(session1):
    assert str(services.SessionClosedError()) == (
        "La sesión está cerrada: sus acuerdos ya no se pueden modificar. Solo la Secretaría "
        "puede reabrirla, indicando el motivo."
    )
    assert str(services.AgreementError("Otro motivo")) == "Otro motivo"


def test_too_long_text_says_its_length_and_the_limit(session1, record_agreement):
    with pytest.raises(services.AgreementTooLongError) as refused:
        record_agreement(session1, "x" * 5001)

    assert str(refused.value) == (
        "El texto tiene 5001 caracteres; el máximo es 5000. Acórtelo y vuelva a guardar: su "
        "texto sigue en el formulario."
    )
    assert not Agreement.objects.exists()


def test_a_pushed_down_session_without_a_record_gets_one(session1, session2, record_agreement):
    later = record_agreement(session2, "B1")
    SessionRecord.objects.filter(session=session2).delete()

    record_agreement(session1, "A1")

    assert Agreement.objects.get(pk=later.pk).number == 2
    assert SessionRecord.objects.get(session=session2).revision == 1
