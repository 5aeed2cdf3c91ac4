"""Tests written for the mutants of agreements/followup.py that survived the first mutation run
(bench/MUTATION.md, issue 8): the language of each text, the order of entries on the same day,
the duplicate check of ``followup_record_once``, the overdue boundary, counts over joins that
multiply rows, another workshop's reads, and "today" under a server zone far from the
workshop's."""

import datetime as dt
import time

import pytest
import time_machine
from django.utils import translation

from agenda.models import Workshop
from agreements import followup
from agreements.followup import Filters, PartyCounts
from agreements.models import AgreementFollowUp
from participants.models import Organisation
from tests.agreements.followup_helpers import add_entry, make_agreement

TODAY = dt.date(2024, 1, 10)


def test_text_lang_names_the_language_of_the_text_shown(demo, people, session1):
    moderator = people["moderator"]
    both = make_agreement(session1, by=moderator, text_es="Acordar.", text_en="Agree.")
    spanish = make_agreement(session1, by=moderator, text_es="Solo en español.")
    english = make_agreement(session1, by=moderator, text_es="", text_en="English only.")
    expected = {
        "es": {both.number: "es", spanish.number: "es", english.number: "en"},
        "en": {both.number: "en", spanish.number: "es", english.number: "en"},
    }
    for language, langs in expected.items():
        with translation.override(language):
            rows = followup.followup_agreements(workshop=demo, filters=Filters(), today=TODAY)
        assert {row.number: row.text_lang for row in rows} == langs, language


def test_entries_of_the_same_day_newest_recorded_first_then_highest_pk(demo, people, session1):
    staff = people["staff"]
    day = dt.date(2023, 5, 2)
    by_time = make_agreement(session1, by=staff, countries=("MX",))
    first = add_entry(by_time, by=staff, status="in_progress", date=day, note="Primera.")
    second = add_entry(by_time, by=staff, status="done", date=day, note="Segunda.")
    # Recorded later but with a lower pk (a row restored from a backup, say): time decides.
    AgreementFollowUp.objects.filter(pk=first.pk).update(
        recorded_at=second.recorded_at + dt.timedelta(hours=1)
    )
    by_pk = make_agreement(session1, by=staff, countries=("SV",))
    low = add_entry(by_pk, by=staff, status="done", date=day, note="Baja.")
    high = add_entry(by_pk, by=staff, status="in_progress", date=day, note="Alta.")
    AgreementFollowUp.objects.filter(pk=high.pk).update(recorded_at=low.recorded_at)

    rows = {
        row.number: row
        for row in followup.followup_agreements(workshop=demo, filters=Filters(), today=TODAY)
    }
    assert [e.pk for e in rows[by_time.number].entries] == [first.pk, second.pk]
    assert rows[by_time.number].latest.pk == first.pk
    assert [e.pk for e in rows[by_pk.number].entries] == [high.pk, low.pk]
    assert rows[by_pk.number].latest.pk == high.pk


def test_export_bytes_names_the_unknown_format():
    with pytest.raises(ValueError, match=r"^pdf$") as raised:
        followup.export_bytes(followup.followup_dataset(agreements=[]), "pdf")
    assert raised.value.args == ("pdf",)


def test_record_once_compares_agreement_status_date_and_normalised_note(demo, people, session1):
    staff = people["staff"]
    one = make_agreement(session1, by=staff, countries=("MX",))
    other = make_agreement(session1, by=staff, countries=("SV",))
    day, next_day = dt.date(2023, 2, 1), dt.date(2023, 2, 2)

    def record(agreement, *, status="in_progress", date=day, note):
        return followup.followup_record_once(
            agreement=agreement, by=staff, status=status, date=date, note=note
        )

    empty = record(one, note=None)
    assert empty.note == ""
    assert record(one, note="") is None
    lines = record(one, note="Línea 1\r\nLínea 2")
    assert lines.note == "Línea 1\nLínea 2"
    assert record(one, note="Línea 1\r\nLínea 2 ") is None
    assert record(one, note="Línea 1\nLínea 2") is None
    later = record(one, date=next_day, note="")
    assert later is not None
    done = record(one, status="done", note="")
    assert done is not None
    elsewhere = record(other, note="")
    assert elsewhere is not None
    assert list(
        AgreementFollowUp.objects.order_by("pk").values_list(
            "agreement_id", "status", "date", "note"
        )
    ) == [
        (one.pk, "in_progress", day, ""),
        (one.pk, "in_progress", day, "Línea 1\nLínea 2"),
        (one.pk, "in_progress", next_day, ""),
        (one.pk, "done", day, ""),
        (other.pk, "in_progress", day, ""),
    ]


def test_due_today_is_not_overdue_due_yesterday_is(demo, people, session1):
    staff = people["staff"]
    today_due = make_agreement(session1, by=staff, countries=("MX",), due_date=TODAY)
    yesterday_due = make_agreement(
        session1, by=staff, countries=("MX",), due_date=TODAY - dt.timedelta(days=1)
    )
    rows = followup.followup_agreements(workshop=demo, filters=Filters(), today=TODAY)
    assert {row.number: row.overdue for row in rows} == {
        today_due.number: False,
        yesterday_due.number: True,
    }
    assert [
        row.number
        for row in followup.followup_agreements(
            workshop=demo, filters=Filters(overdue=True), today=TODAY
        )
    ] == [yesterday_due.number]
    counts = followup.party_counts(
        workshop=demo, country_id="MX", organisation_id=None, today=TODAY
    )
    assert counts == PartyCounts(not_started=2, in_progress=0, done=0, overdue=1)


def test_party_counts_count_each_agreement_once_and_add_up_overdue(demo, people, session1):
    staff = people["staff"]
    oim = Organisation.objects.get(code="OIM")
    past = dt.date(2023, 1, 1)
    # Country MX or organisation OIM: the joins give 3 rows for the first, 2 for the second.
    not_started = make_agreement(
        session1, by=staff, countries=("MX", "SV"), organisations=("OIM", "UNODC"), due_date=past
    )
    in_progress = make_agreement(
        session1, by=staff, countries=("MX", "GT"), organisations=("OIM",), due_date=past
    )
    done = make_agreement(
        session1, by=staff, countries=("MX", "SV"), organisations=("OIM",), due_date=past
    )
    add_entry(in_progress, by=staff, status="in_progress", date=dt.date(2022, 9, 1))
    add_entry(done, by=staff, status="done", date=dt.date(2022, 10, 1))

    counts = followup.party_counts(
        workshop=demo, country_id="MX", organisation_id=oim.pk, today=TODAY
    )
    assert counts == PartyCounts(not_started=1, in_progress=1, done=1, overdue=2)
    assert [
        row.number
        for row in followup.party_agreements(
            workshop=demo, country_id="MX", organisation_id=oim.pk, today=TODAY
        )
    ] == [not_started.number, in_progress.number, done.number]

    other = Workshop.objects.create(
        slug="otro-taller",
        title_es="Otro taller",
        organiser=demo.organiser,
        time_zone="America/Mexico_City",
    )
    for party in (
        {"country_id": "MX", "organisation_id": None},
        {"country_id": None, "organisation_id": oim.pk},
    ):
        assert followup.party_agreements(workshop=other, today=TODAY, **party) == []
        assert followup.party_counts(workshop=other, today=TODAY, **party) == PartyCounts()


def test_workshop_today_is_the_workshops_day_not_the_servers(monkeypatch):
    monkeypatch.setenv("TZ", "Etc/GMT+12")  # UTC-12
    time.tzset()
    try:
        workshop = Workshop(time_zone="Pacific/Kiritimati")  # UTC+14
        with time_machine.travel(dt.datetime(2022, 7, 1, 12, tzinfo=dt.UTC), tick=False):
            assert followup.workshop_today(workshop) == dt.date(2022, 7, 2)
        with time_machine.travel(dt.datetime(2022, 7, 1, 9, tzinfo=dt.UTC), tick=False):
            assert followup.workshop_today(workshop) == dt.date(2022, 7, 1)
    finally:
        monkeypatch.undo()
        time.tzset()
