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
