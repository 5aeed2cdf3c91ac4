"""The distribution service's refusals, each with its message (what the admin shows), and
what a distribution writes (``consultations.distribution``)."""

import pytest

from consultations.distribution import (
    DistributionError,
    distributable_countries,
    questions_distribute,
)
from consultations.models import QuestionAssignment, QuestionDistribution
from participants.models import Notification
from tests.admin_factories import DelegationFactory, ParticipantFactory, TriggerQuestionFactory
from tests.factories import CountryFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

NOTHING = "Elija al menos una pregunta y un país."


@pytest.fixture
def workshop():
    return WorkshopFactory()


@pytest.fixture
def mexico(workshop):
    country = CountryFactory(iso_code="MX", name_es="México", name_en="Mexico")
    return DelegationFactory(workshop=workshop, country=country).country


@pytest.fixture
def question(workshop):
    return TriggerQuestionFactory(workshop=workshop, code="TQ-1")


def _refusal(**arguments):
    with pytest.raises(DistributionError) as refused:
        questions_distribute(by=None, **arguments)
    assert not QuestionDistribution.objects.exists()
    assert not QuestionAssignment.objects.exists()
    return refused.value


@pytest.mark.parametrize("empty", ["questions", "countries", "both"])
def test_nothing_to_send_is_refused_with_its_message(question, mexico, empty):
    arguments = {
        "questions": [] if empty in ("questions", "both") else [question],
        "countries": [] if empty in ("countries", "both") else [mexico],
    }

    error = _refusal(**arguments)

    assert (str(error.message), str(error)) == (NOTHING, NOTHING)


def test_questions_of_two_workshops_are_refused_with_its_message(question, mexico):
    other = TriggerQuestionFactory(workshop=WorkshopFactory(), code="TQ-OTHER")

    error = _refusal(questions=[question, other], countries=[mexico])

    assert str(error.message) == (
        "Las preguntas elegidas son de talleres distintos: distribúyalas por separado."
    )


def test_a_country_without_delegation_here_is_refused_with_its_message(question, mexico):
    guatemala = CountryFactory(iso_code="GT", name_es="Guatemala", name_en="Guatemala")
    DelegationFactory(workshop=WorkshopFactory(), country=guatemala)

    error = _refusal(questions=[question], countries=[mexico, guatemala])

    assert str(error) == "Uno de los países no tiene delegación en este taller."


def test_distributable_countries_are_this_workshops_in_spanish_name_order(workshop, mexico):
    for iso, name in (("BZ", "Belice"), ("US", "Estados Unidos de América"), ("CA", "Canadá")):
        DelegationFactory(workshop=workshop, country=CountryFactory(iso_code=iso, name_es=name))
    DelegationFactory(workshop=WorkshopFactory(), country=CountryFactory(iso_code="GT"))

    assert [c.pk for c in distributable_countries(workshop=workshop)] == ["BZ", "CA", "US", "MX"]


def test_a_distribution_records_who_what_where_and_counts_the_people(workshop, question, mexico):
    staff = UserFactory(username="secretaria")
    for status in ("approved", "approved", "pending"):
        ParticipantFactory(delegation=mexico.delegations.get(), registration_status=status)

    distribution, notified = questions_distribute(
        questions=[question], countries=[mexico], by=staff
    )

    assert notified == 2
    assert (distribution.workshop, distribution.created_by) == (workshop, staff)
    assert list(distribution.questions.all()) == [question]
    assert list(distribution.countries.all()) == [mexico]
    assert list(
        QuestionAssignment.objects.values_list("question__code", "country_id", "distribution")
    ) == [("TQ-1", "MX", distribution.pk)]
    assert Notification.objects.filter(dedupe_key=f"distribution-{distribution.pk}").count() == 2
