"""The agenda's reads: what workshop_agenda and zone_choices return, and when the cache
version moves."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation

from agenda.models import Participation, Segment
from agenda.selectors import (
    agenda_cache_key,
    agenda_cache_version,
    connect_cache_invalidation,
    workshop_agenda,
    zone_choices,
)
from tests.factories import (
    AgendaItemFactory,
    CountryFactory,
    OrganisationFactory,
    ParticipationFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
    WorkshopFactory,
    local,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda():
    """One workshop, two sessions; the first has a block with people and a segment."""
    workshop = WorkshopFactory(time_zone="America/El_Salvador")
    first = SessionFactory(
        workshop=workshop, number=1, start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12)
    )
    SessionFactory(
        workshop=workshop, number=2, start=local(2022, 6, 15, 10), end=local(2022, 6, 15, 12)
    )
    item = AgendaItemFactory(session=first, order=1)
    segment = Segment.objects.create(agenda_item=item, order=1, title_es="Estudio regional")
    segment.countries.add(
        CountryFactory(iso_code="SV", name_es="El Salvador"),
        CountryFactory(iso_code="GT", name_es="Guatemala", time_zone="America/Guatemala"),
    )
    unodc = OrganisationFactory(code="UNODC")
    # Created in the opposite of the agenda's order, so creation order cannot pass for it.
    for name, role, order in [
        ("Ponente B", Participation.Role.SPEAKER, 2),
        ("Moderadora", Participation.Role.MODERATOR, 3),
        ("Ponente A", Participation.Role.SPEAKER, 1),
    ]:
        ParticipationFactory(
            agenda_item=item,
            speaker=SpeakerFactory(name=name, representing=unodc),
            role=role,
            order=order,
        )
    expert = SpeakerFactory(name="Experta", representing=unodc)
    ParticipationFactory(agenda_item=None, segment=segment, speaker=expert)
    return workshop


def test_workshop_agenda_loads_people_and_countries_in_6_queries(agenda, django_assert_num_queries):
    with django_assert_num_queries(6):
        sessions = workshop_agenda(workshop=agenda)
        seen = [
            (p.speaker.name, p.speaker.organisation.code, p.speaker.representing.code)
            for session in sessions
            for item in session.items.all()
            for p in [*item.moderators, *item.speakers]
        ]
        segments = [
            (
                [(p.speaker.organisation.code, p.speaker.representing.code) for p in seg_people],
                [c.name_es for c in segment.countries.all()],
            )
            for session in sessions
            for item in session.items.all()
            for segment in item.segments.all()
            for seg_people in [segment.participations.all()]
        ]

    assert [name for name, _organisation, representing in seen] == [
        "Moderadora",
        "Ponente A",
        "Ponente B",
    ]
    assert {representing for _name, _organisation, representing in seen} == {"UNODC"}
    assert len(segments) == 1
    assert segments[0][1] == ["El Salvador", "Guatemala"]


def test_workshop_agenda_splits_moderators_from_speakers_in_agenda_order(agenda):
    (first, second) = workshop_agenda(workshop=agenda)
    (item,) = first.items.all()

    assert [p.speaker.name for p in item.moderators] == ["Moderadora"]
    assert [p.speaker.name for p in item.speakers] == ["Ponente A", "Ponente B"]
    assert list(second.items.all()) == []


def test_workshop_agenda_one_session_by_number(agenda):
    assert [s.number for s in workshop_agenda(workshop=agenda, session_number=2)] == [2]
    assert workshop_agenda(workshop=agenda, session_number=9) == []


def test_zone_choices_group_countries_sharing_a_zone_then_utc():
    mexico_city, toronto = "America/Mexico_City", "America/Toronto"
    CountryFactory(iso_code="MX", name_es="México", name_en="Mexico", time_zone=mexico_city)
    CountryFactory(iso_code="BZ", name_es="Belice", name_en="", time_zone=mexico_city)
    CountryFactory(iso_code="CA", name_es="Canadá", name_en="Canada", time_zone=toronto)

    with translation.override("es"):
        spanish = zone_choices()
    with translation.override("en"):
        english = zone_choices()

    assert spanish == [
        ("America/Mexico_City", "Belice, México — America/Mexico_City"),
        ("America/Toronto", "Canadá — America/Toronto"),
        ("UTC", "UTC"),
    ]
    # An English name missing falls back to the Spanish one; the order stays the Spanish one.
    assert english == [
        ("America/Mexico_City", "Belice, Mexico — America/Mexico_City"),
        ("America/Toronto", "Canada — America/Toronto"),
        ("UTC", "UTC"),
    ]


def test_agenda_cache_key_names_the_database():
    database = connection.settings_dict["NAME"]

    assert agenda_cache_key("session", 3, "en") == f"agenda:{database}:session:3:en"


def test_agenda_cache_version_starts_from_the_clock_and_stays():
    cache.delete(agenda_cache_key("version"))  # as after an eviction, or on a fresh cache
    before = time.time_ns() // 1000

    version = agenda_cache_version()

    assert type(version) is int
    assert before <= version <= time.time_ns() // 1000
    assert agenda_cache_version() == version


@pytest.fixture
def receivers_restored():
    """connect_cache_invalidation() is run again by the test: leave the signals as found."""
    signals = (post_save, post_delete, m2m_changed)
    saved = [list(signal.receivers) for signal in signals]
    yield
    for signal, receivers in zip(signals, saved, strict=True):
        signal.receivers = receivers
        signal.sender_receivers_cache.clear()


def test_cache_invalidation_bumps_once_per_agenda_change_and_not_for_others(
    agenda, receivers_restored
):
    connect_cache_invalidation()  # at start-up already; connecting again must change nothing
    version = agenda_cache_version()

    UserFactory()
    after_user = agenda_cache_version()
    CountryFactory(iso_code="HN", name_es="Honduras", time_zone="America/Tegucigalpa")
    after_country = agenda_cache_version()
    Segment.objects.get().countries.clear()
    after_countries = agenda_cache_version()
    Segment.objects.get().delete()
    after_delete = agenda_cache_version()

    assert after_user == version
    assert after_country == version + 1
    # m2m_changed comes twice (pre_clear and post_clear); each bumps once.
    assert after_countries == version + 3
    # The segment, and its one participation deleted with it.
    assert after_delete == version + 5
