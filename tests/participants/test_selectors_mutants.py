"""participants.selectors called directly: the order of a delegation's members and the staff
page's totals (the page tests read them through rendered HTML)."""

import pytest

from participants.selectors import delegation_members, staff_dashboard
from tests.admin_factories import AttendanceFactory, DelegationFactory, ParticipantFactory
from tests.factories import OrganisationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_members_come_by_last_name_then_first_name_then_registration():
    delegation = DelegationFactory()

    def member(first, last):
        return ParticipantFactory(
            delegation=delegation,
            user__first_name=first,
            user__last_name=last,
            registration_status="approved",
        )

    zoe_a = member("Zoe", "Alvarado")
    ana_b_first = member("Ana", "Bonilla")
    ana_b_later = member("Ana", "Bonilla")
    beto_b = member("Beto", "Bonilla")
    carla_a = member("Carla", "Alvarado")

    order = [p.pk for p in delegation_members(delegation=delegation, approved_only=True)]

    assert order == [carla_a.pk, zoe_a.pk, ana_b_first.pk, ana_b_later.pk, beto_b.pk]


def test_staff_dashboard_counts_gaps_organisations_and_only_its_own_attendance():
    delegation = DelegationFactory(country__crm_status="member")
    workshop = delegation.workshop
    session = SessionFactory(workshop=workshop, number=1)
    present = ParticipantFactory(
        delegation=delegation, registration_status="approved", profile="investigation"
    )
    AttendanceFactory(participant=present, session=session)
    ParticipantFactory(
        workshop=workshop,
        delegation=None,
        role="observer",
        organisation=OrganisationFactory(),
        registration_status="pending",
    )
    elsewhere = ParticipantFactory(registration_status="approved")  # another workshop
    AttendanceFactory(participant=elsewhere)

    dashboard = staff_dashboard(workshop=workshop)

    assert dashboard["gap_count"] == 2  # migration control and protection
    assert dashboard["organisation_totals"] == {"approved": 0, "pending": 1}
    assert dashboard["attendance_session_totals"] == [1]
    assert dashboard["attendance_total"] == 1


def test_staff_dashboard_pending_list_and_counts_add_up_within_the_workshop():
    mexico = DelegationFactory(country__iso_code="MX")
    workshop = mexico.workshop
    salvador = DelegationFactory(workshop=workshop, country__iso_code="SV")
    mine = [
        ParticipantFactory(delegation=mexico, registration_status="pending", profile="protection"),
        ParticipantFactory(delegation=salvador, registration_status="pending", profile="other"),
    ]
    for _ in range(2):
        ParticipantFactory(
            workshop=workshop,
            delegation=None,
            role="observer",
            organisation=OrganisationFactory(),
            registration_status="approved",
            profile="other",
        )
    ParticipantFactory(
        workshop=workshop,
        delegation=None,
        role="observer",
        organisation=OrganisationFactory(),
        registration_status="approved",
        profile="protection",
    )
    ParticipantFactory(registration_status="pending")  # another workshop

    dashboard = staff_dashboard(workshop=workshop)

    assert [p.pk for p in dashboard["pending"]] == [p.pk for p in mine]
    assert dashboard["pending_count"] == 2
    assert dashboard["organisation_totals"] == {"approved": 3, "pending": 0}


def test_participant_of_reads_only_the_workshop_asked_for():
    from participants.selectors import participant_of

    older = ParticipantFactory(registration_status="approved")
    current = DelegationFactory(country__iso_code="GT", country__name_es="Guatemala")

    assert participant_of(user=older.user, workshop=current.workshop) is None
    assert participant_of(user=older.user, workshop=older.workshop) == older


def test_delegation_questions_of_its_workshop_in_session_order_then_order_then_code():
    from participants.selectors import delegation_questions
    from tests.admin_factories import (
        AnswerFactory,
        QuestionAssignmentFactory,
        TriggerQuestionFactory,
    )

    delegation = DelegationFactory()
    workshop = delegation.workshop
    first, second = (SessionFactory(workshop=workshop, number=n) for n in (1, 2))

    def question(code, session, order):
        asked = TriggerQuestionFactory(workshop=workshop, session=session, order=order, code=code)
        QuestionAssignmentFactory(question=asked, country=delegation.country)
        return asked

    late = question("B", second, 1)
    same_order_b = question("Z", first, 2)
    same_order_a = question("A", first, 2)
    early = question("Q", first, 1)
    AnswerFactory(question=late, delegation=delegation)  # a draft
    elsewhere = TriggerQuestionFactory(code="X")  # another workshop, same country assigned
    QuestionAssignmentFactory(question=elsewhere, country=delegation.country)

    questions = delegation_questions(delegation=delegation)

    assert [(q.code, q.answer_status) for q in questions] == [
        (early.code, None),
        (same_order_a.code, None),
        (same_order_b.code, None),
        (late.code, "draft"),
    ]
