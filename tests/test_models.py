"""Constraints that protect the data, validation rules and readable __str__."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from agenda.models import AgendaItem, Participation, Segment, Session, Speaker
from agreements.models import Agreement, Minutes
from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from participants.models import Country, Delegation, Invitation, Participant
from tests.factories import (
    AgendaItemFactory,
    CountryFactory,
    OrganisationFactory,
    SessionFactory,
    UserFactory,
    WorkshopFactory,
    local,
)

pytestmark = pytest.mark.django_db


def _violates(create) -> bool:
    """True when ``create()`` is refused by the database."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.fixture
def delegation():
    return Delegation.objects.create(workshop=WorkshopFactory(), country=CountryFactory())


@pytest.fixture
def question(delegation):
    return TriggerQuestion.objects.create(
        workshop=delegation.workshop, code="TQ-1", text_es="¿Qué mecanismos usa su país?"
    )


def test_delegation_second_for_same_country_and_workshop_is_refused(delegation):
    assert _violates(
        lambda: Delegation.objects.create(workshop=delegation.workshop, country=delegation.country)
    )


def test_delegation_same_country_in_another_workshop_is_allowed(delegation):
    other_workshop = WorkshopFactory()
    assert not _violates(
        lambda: Delegation.objects.create(workshop=other_workshop, country=delegation.country)
    )
    assert Delegation.objects.filter(country=delegation.country).count() == 2


def test_answer_second_for_same_question_and_delegation_is_refused(question, delegation):
    Answer.objects.create(question=question, delegation=delegation, text="Primera")
    assert _violates(
        lambda: Answer.objects.create(question=question, delegation=delegation, text="Segunda")
    )
    assert Answer.objects.filter(question=question, delegation=delegation).count() == 1


def test_answer_submitted_without_timestamp_is_refused(question, delegation):
    assert _violates(
        lambda: Answer.objects.create(question=question, delegation=delegation, status="submitted")
    )


def test_answer_keeps_history_of_each_save(question, delegation):
    answer = Answer.objects.create(question=question, delegation=delegation, text="v1")
    answer.text = "v2"
    answer.save()
    assert [h.text for h in answer.history.order_by("history_date")] == ["v1", "v2"]


def test_question_assignment_twice_to_same_country_is_refused(question):
    country = CountryFactory()
    QuestionAssignment.objects.create(question=question, country=country)
    assert _violates(lambda: QuestionAssignment.objects.create(question=question, country=country))


def test_session_ending_before_it_starts_is_refused():
    workshop = WorkshopFactory()
    assert _violates(
        lambda: Session.objects.create(
            workshop=workshop,
            number=1,
            title_es="S",
            start=local(2022, 6, 14, 12),
            end=local(2022, 6, 14, 10),
        )
    )


def test_session_clean_reports_end_before_start_on_end_field():
    session = Session(
        workshop=WorkshopFactory(),
        number=1,
        title_es="S",
        start=local(2022, 6, 14, 12),
        end=local(2022, 6, 14, 10),
    )

    with pytest.raises(ValidationError) as caught:
        session.clean()

    assert caught.value.message_dict == {"end": ["La sesión debe terminar después de empezar."]}


def test_session_number_repeated_in_workshop_is_refused():
    session = SessionFactory(number=1)
    assert _violates(lambda: SessionFactory(workshop=session.workshop, number=1))


def test_agenda_item_outside_its_session_fails_validation():
    session = SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12))
    item = AgendaItem(
        session=session,
        order=1,
        kind="opening",
        title_es="Tarde",
        start=local(2022, 6, 14, 11, 30),
        end=local(2022, 6, 14, 12, 15),
    )
    with translation.override("es"), pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert excinfo.value.message_dict["start"] == [
        "El bloque debe caber dentro de la sesión (10:00–12:00, America/El_Salvador)."
    ]


def test_agenda_item_starting_before_its_session_fails_validation():
    session = SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12))
    item = AgendaItem(
        session=session,
        order=1,
        kind="opening",
        title_es="Temprano",
        start=local(2022, 6, 14, 9, 50),
        end=local(2022, 6, 14, 10, 20),
    )
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert "start" in excinfo.value.message_dict


def test_agenda_item_filling_its_whole_session_is_valid():
    session = SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12))
    item = AgendaItem(
        session=session,
        order=1,
        kind="dialogue",
        title_es="Todo",
        start=session.start,
        end=session.end,
    )
    item.full_clean()  # raises if the boundary were treated as outside
    item.save()
    assert item.duration_minutes == 120


def test_agenda_item_ending_before_it_starts_is_refused_by_database():
    session = SessionFactory()
    assert _violates(
        lambda: AgendaItem.objects.create(
            session=session,
            order=1,
            kind="opening",
            title_es="Al revés",
            start=session.start + dt.timedelta(minutes=20),
            end=session.start,
        )
    )


def test_agenda_item_order_repeated_in_session_is_refused():
    item = AgendaItemFactory(order=1)
    assert _violates(lambda: AgendaItemFactory(session=item.session, order=1))


def test_agenda_items_are_ordered_by_their_order_field():
    session = SessionFactory()
    AgendaItemFactory(session=session, order=2, title_es="Segundo")
    AgendaItemFactory(session=session, order=1, title_es="Primero")
    assert [i.title_es for i in session.items.all()] == ["Primero", "Segundo"]


def test_segment_with_zero_minutes_is_refused():
    item = AgendaItemFactory()
    assert _violates(
        lambda: Segment.objects.create(agenda_item=item, order=1, title_es="X", duration_minutes=0)
    )


def test_participation_with_nobody_must_be_not_stated():
    item = AgendaItemFactory()
    assert _violates(
        lambda: Participation.objects.create(agenda_item=item, speaker=None, status="confirmed")
    )
    assert not _violates(
        lambda: Participation.objects.create(agenda_item=item, speaker=None, status="not_stated")
    )


def test_participation_in_both_block_and_segment_is_refused():
    item = AgendaItemFactory()
    segment = Segment.objects.create(agenda_item=item, order=1, title_es="Charla")
    speaker = Speaker.objects.create(organisation=OrganisationFactory())
    assert _violates(
        lambda: Participation.objects.create(agenda_item=item, segment=segment, speaker=speaker)
    )
    assert _violates(lambda: Participation.objects.create(speaker=speaker))


def test_speaker_with_no_name_organisation_or_position_is_refused():
    assert _violates(lambda: Speaker.objects.create())


def test_participant_delegate_without_delegation_is_refused(delegation):
    user = UserFactory()
    assert _violates(
        lambda: Participant.objects.create(user=user, workshop=delegation.workshop, role="delegate")
    )


def test_participant_registered_twice_in_one_workshop_is_refused(delegation):
    user = UserFactory()
    Participant.objects.create(user=user, workshop=delegation.workshop, delegation=delegation)
    assert _violates(
        lambda: Participant.objects.create(user=user, workshop=delegation.workshop, role="observer")
    )


def test_invitation_same_email_in_other_case_is_refused(delegation):
    Invitation.objects.create(
        workshop=delegation.workshop, email="Ana@Example.org", delegation=delegation
    )
    assert _violates(
        lambda: Invitation.objects.create(
            workshop=delegation.workshop, email="ana@example.org", delegation=delegation
        )
    )


def test_invitation_tokens_are_unique_and_long(delegation):
    first = Invitation.objects.create(
        workshop=delegation.workshop, email="a@example.org", delegation=delegation
    )
    second = Invitation.objects.create(
        workshop=delegation.workshop, email="b@example.org", delegation=delegation
    )
    assert first.token != second.token
    assert len(first.token) >= 40


def test_invitation_marked_sent_without_sent_at_is_refused(delegation):
    assert _violates(
        lambda: Invitation.objects.create(
            workshop=delegation.workshop,
            email="c@example.org",
            delegation=delegation,
            status="sent",
        )
    )


def test_country_code_must_be_two_capitals():
    assert _violates(
        lambda: Country.objects.create(
            iso_code="sv", name_es="x", name_en="x", time_zone="America/El_Salvador"
        )
    )


def test_country_with_unknown_time_zone_fails_validation():
    country = Country(iso_code="XX", name_es="X", name_en="X", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as excinfo:
        country.full_clean()
    assert "time_zone" in excinfo.value.message_dict


def test_agreement_number_repeated_in_workshop_is_refused():
    session = SessionFactory()
    Agreement.objects.create(workshop=session.workshop, session=session, number=1, text_es="A")
    assert _violates(
        lambda: Agreement.objects.create(
            workshop=session.workshop, session=session, number=1, text_es="B"
        )
    )


def test_minutes_ready_without_sha256_is_refused():
    workshop = WorkshopFactory()
    assert _violates(
        lambda: Minutes.objects.create(workshop=workshop, version=1, render_status="ready")
    )


def test_minutes_issued_before_ready_is_refused():
    workshop = WorkshopFactory()
    assert _violates(lambda: Minutes.objects.create(workshop=workshop, version=1, status="issued"))


def test_minutes_ready_with_sha256_is_accepted():
    workshop = WorkshopFactory()
    assert not _violates(
        lambda: Minutes.objects.create(
            workshop=workshop,
            version=1,
            render_status="ready",
            sha256="a" * 64,
            generated_at=timezone.now(),
        )
    )


def test_str_reads_like_a_person_would_write_it(delegation):
    session = SessionFactory(
        workshop=delegation.workshop,
        number=2,
        label_es="Sesión virtual 2",
        title_es="Cooperación judicial transfronteriza y Protección",
        start=local(2022, 6, 15, 10),
        end=local(2022, 6, 15, 12),
    )
    item = AgendaItemFactory(
        session=session,
        start=local(2022, 6, 15, 10),
        end=local(2022, 6, 15, 10, 10),
        title_es="Bienvenida",
    )
    speaker = Speaker.objects.create(
        organisation=OrganisationFactory(
            code="CRM-PPT", name_es="Presidencia Pro-Témpore", acronym_es="PPT"
        ),
    )
    participation = Participation.objects.create(
        agenda_item=item, speaker=speaker, status="to_be_defined"
    )
    with translation.override("es"):
        assert str(session) == "Sesión virtual 2: Cooperación judicial transfronteriza y Protección"
        assert str(item) == "10:00–10:10 Bienvenida"
        assert str(delegation) == "Delegación de El Salvador"
        assert str(speaker) == "PPT"
        assert str(participation) == "Ponente: PPT"
        assert participation.get_status_display() == "Por definir"


def test_localized_field_falls_back_to_spanish_when_english_is_empty():
    workshop = WorkshopFactory(title_es="Intercambio Técnico", title_en="")
    with translation.override("en"):
        assert workshop.title == "Intercambio Técnico"
    workshop.title_en = "Technical Exchange"
    with translation.override("en"):
        assert workshop.title == "Technical Exchange"
    with translation.override("es"):
        assert workshop.title == "Intercambio Técnico"
