"""agreements.services: numbering, optimistic locking, history, closing and reopening."""

import pytest

from agreements import services
from agreements.models import Agreement, SessionRecord


def numbers(workshop):
    return list(
        Agreement.objects.filter(workshop=workshop)
        .order_by("number")
        .values_list("session__number", "text_es")
    )


def test_new_agreement_goes_last_in_its_session_and_later_sessions_move_up(
    demo, session1, session2, record_agreement
):
    record_agreement(session2, "B1")
    record_agreement(session1, "A1")
    record_agreement(session2, "B2")
    record_agreement(session1, "A2")

    assert numbers(demo) == [(1, "A1"), (1, "A2"), (2, "B1"), (2, "B2")]
    assert list(Agreement.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_create_keeps_one_history_row_with_parties_and_author(
    demo, session1, record_agreement, people
):
    mexico = demo.delegations.get(country_id="MX").country
    agreement = record_agreement(session1, "A1", countries=[mexico])

    rows = list(agreement.history.all())
    assert [(row.history_type, row.history_user) for row in rows] == [("+", people["moderator"])]
    assert [c.country_id for c in rows[0].responsible_countries.all()] == ["MX"]


def test_move_swaps_numbers_within_the_session_only(demo, session1, session2, record_agreement):
    first = record_agreement(session1, "A1")
    second = record_agreement(session1, "A2")
    other = record_agreement(session2, "B1")

    services.agreement_move(agreement=second, by=None, direction="up")
    assert numbers(demo) == [(1, "A2"), (1, "A1"), (2, "B1")]
    with pytest.raises(services.AgreementMoveError):
        services.agreement_move(agreement=first, by=None, direction="down")
    with pytest.raises(services.AgreementMoveError):
        services.agreement_move(agreement=other, by=None, direction="up")


def test_stale_version_is_refused_with_the_stored_agreement(session1, record_agreement, people):
    agreement = record_agreement(session1, "Texto original")
    services.agreement_update(
        agreement=agreement, by=people["staff"], expected_version=1, text_es="Texto de Ana"
    )

    with pytest.raises(services.AgreementConflictError) as excinfo:
        services.agreement_update(
            agreement=agreement, by=people["moderator"], expected_version=1, text_es="De Luis"
        )

    assert excinfo.value.agreement.text_es == "Texto de Ana"
    agreement.refresh_from_db()
    assert (agreement.text_es, agreement.version) == ("Texto de Ana", 2)
    assert agreement.history.count() == 2


def test_closed_session_refuses_every_write_until_staff_reopen_with_reason(
    session1, record_agreement, people
):
    agreement = record_agreement(session1, "A1")
    services.session_close(session=session1, by=people["moderator"])

    with pytest.raises(services.SessionClosedError):
        record_agreement(session1, "A2")
    with pytest.raises(services.SessionClosedError):
        services.agreement_update(
            agreement=agreement, by=people["moderator"], expected_version=1, text_es="X"
        )
    with pytest.raises(services.SessionClosedError):
        services.agreement_move(agreement=agreement, by=None, direction="up")
    with pytest.raises(services.ReopenSessionError):
        services.session_reopen(session=session1, by=people["staff"], reason="  ")

    record = services.session_reopen(
        session=session1, by=people["staff"], reason="Faltó registrar un acuerdo"
    )
    assert (record.is_closed, record.reopen_reason) == (False, "Faltó registrar un acuerdo")
    assert record.history.first().history_change_reason == "Faltó registrar un acuerdo"
    record_agreement(session1, "A2")


def test_every_change_raises_the_session_revision(session1, record_agreement, people):
    agreement = record_agreement(session1, "A1")
    before = SessionRecord.objects.get(session=session1).revision
    services.agreement_update(
        agreement=agreement, by=people["moderator"], expected_version=1, text_en="In English"
    )
    after = SessionRecord.objects.get(session=session1).revision
    assert after > before


def test_text_in_neither_language_is_refused(session1, record_agreement):
    with pytest.raises(services.AgreementTextError):
        record_agreement(session1, "   ", text_en="")
    assert not Agreement.objects.exists()


def test_update_writes_nothing_when_nothing_changed(session1, record_agreement, people):
    agreement = record_agreement(session1, "A1")

    same = services.agreement_update(
        agreement=agreement, by=people["staff"], expected_version=1, text_es="A1", countries=[]
    )

    assert (same.version, agreement.history.count()) == (1, 1)


def test_update_of_parties_only_is_a_change_kept_in_history(
    demo, session1, record_agreement, people
):
    agreement = record_agreement(session1, "A1")
    oim = demo.partners.first().organisation

    updated = services.agreement_update(
        agreement=agreement, by=people["staff"], expected_version=1, organisations=[oim]
    )

    assert updated.version == 2
    latest = updated.history.first()
    assert (latest.history_type, latest.history_user) == ("~", people["staff"])
    assert [o.organisation_id for o in latest.responsible_organisations.all()] == [oim.pk]
    assert list(updated.responsible_organisations.all()) == [oim]


def test_update_strips_texts_and_refuses_too_long(session1, record_agreement, people):
    agreement = record_agreement(session1, "A1")
    with pytest.raises(services.AgreementTooLongError) as excinfo:
        services.agreement_update(
            agreement=agreement,
            by=people["staff"],
            expected_version=1,
            text_en="x" * (services.TEXT_MAX_CHARS + 1),
        )
    assert "5001" in str(excinfo.value.message)
    updated = services.agreement_update(
        agreement=agreement,
        by=people["staff"],
        expected_version=1,
        text_es="  Uno\r\nDos  ",
        text_en="x" * services.TEXT_MAX_CHARS,
    )
    assert (updated.text_es, len(updated.text_en)) == ("Uno\nDos", services.TEXT_MAX_CHARS)


def test_update_refuses_unknown_fields(session1, record_agreement, people):
    agreement = record_agreement(session1, "A1")
    with pytest.raises(TypeError):
        services.agreement_update(
            agreement=agreement, by=people["staff"], expected_version=1, number=9
        )


def test_set_status_adopts_with_version_check(session1, record_agreement, people):
    agreement = record_agreement(session1, "A1")

    adopted = services.agreement_set_status(
        agreement=agreement, by=people["moderator"], status="adopted", expected_version=1
    )

    assert (adopted.status, adopted.version, adopted.updated_by) == (
        "adopted",
        2,
        people["moderator"],
    )
    with pytest.raises(services.AgreementConflictError):
        services.agreement_set_status(
            agreement=agreement, by=people["moderator"], status="withdrawn", expected_version=1
        )
    with pytest.raises(ValueError, match="lost"):
        services.agreement_set_status(
            agreement=agreement, by=people["moderator"], status="lost", expected_version=2
        )


def test_move_down_and_history_row_names_the_mover(session1, record_agreement, people):
    first = record_agreement(session1, "A1")
    record_agreement(session1, "A2")

    moved = services.agreement_move(agreement=first, by=people["staff"], direction="down")

    assert moved.number == 2
    latest = moved.history.first()
    assert (latest.number, latest.history_user, latest.history_change_reason) == (
        2,
        people["staff"],
        "moved down",
    )
    with pytest.raises(ValueError, match="left"):
        services.agreement_move(agreement=first, by=None, direction="left")


def test_closing_twice_keeps_the_first_closing(session1, people):
    first = services.session_close(session=session1, by=people["moderator"])
    again = services.session_close(session=session1, by=people["staff"])

    assert (again.closed_at, again.closed_by) == (first.closed_at, people["moderator"])
    services.session_reopen(session=session1, by=people["staff"], reason="x")
    with pytest.raises(services.SessionNotClosedError):
        services.session_reopen(session=session1, by=people["staff"], reason="otra vez")
    assert SessionRecord.objects.get(session=session1).closed_at is None


def test_close_and_reopen_raise_the_revision(session1, people):
    closed = services.session_close(session=session1, by=people["moderator"])
    reopened = services.session_reopen(session=session1, by=people["staff"], reason="Motivo")
    assert (closed.revision, reopened.revision) == (1, 2)
    assert reopened.reopened_by == people["staff"]


def test_followup_latest_entry_by_date_sets_the_status(session1, record_agreement, people):
    import datetime as dt

    agreement = record_agreement(session1, "A1")
    services.session_close(session=session1, by=people["moderator"])  # does not stop follow-up

    services.followup_record(
        agreement=agreement,
        by=people["staff"],
        status="done",
        note="  Cumplido  ",
        date=dt.date(2022, 9, 1),
    )
    services.followup_record(
        agreement=agreement, by=people["staff"], status="in_progress", date=dt.date(2022, 7, 1)
    )

    agreement.refresh_from_db()
    assert agreement.follow_up_status == "done"
    assert [(f.date, f.status, f.note) for f in agreement.follow_ups.all()] == [
        (dt.date(2022, 9, 1), "done", "Cumplido"),
        (dt.date(2022, 7, 1), "in_progress", ""),
    ]
    with pytest.raises(ValueError, match="late"):
        services.followup_record(agreement=agreement, by=people["staff"], status="late")


def test_revision_bump_creates_the_record_once(session2):
    services.revision_bump(session2.pk)
    services.revision_bump(session2.pk)
    services.revision_bump(session2.pk, create=False)
    assert SessionRecord.objects.get(session=session2).revision == 3


def test_revision_bump_without_create_writes_nothing(session2):
    services.revision_bump(session2.pk, create=False)
    assert not SessionRecord.objects.filter(session=session2).exists()


def test_admin_style_save_raises_the_revision_through_the_signal(session1, record_agreement):
    agreement = record_agreement(session1, "A1")
    before = SessionRecord.objects.get(session=session1).revision
    agreement.text_en = "Edited in the admin"
    agreement.save()
    mid = SessionRecord.objects.get(session=session1).revision
    agreement.delete()
    after = SessionRecord.objects.get(session=session1).revision
    assert (mid - before, after - mid) == (1, 1)


def test_text_property_falls_back_to_the_other_language(session1, record_agreement):
    from django.utils import translation

    only_en = record_agreement(session1, "", text_en="Share route data")
    only_es = record_agreement(session1, "Compartir datos")
    with translation.override("en"):
        assert (only_en.text, only_es.text) == ("Share route data", "Compartir datos")
    assert (only_en.text, only_es.text) == ("Share route data", "Compartir datos")
    both = record_agreement(session1, "Uno", text_en="One")
    with translation.override("en"):
        assert both.text == "One"
    assert both.text == "Uno"
