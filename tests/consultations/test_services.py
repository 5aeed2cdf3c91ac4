"""consultations.services: the rules of answering together, at the service level."""

import datetime as dt

import pytest
from django.utils import timezone

from consultations import rules
from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from consultations.services import (
    AnswerClosedError,
    AnswerConflictError,
    AnswerEmptyError,
    AnswerSubmittedError,
    AnswerTooLongError,
    NotAssignedError,
    ReopenError,
    SubmitNotAllowedError,
    answer_reopen,
    answer_save,
    deadline_extend,
)
from participants.models import Participant


def _participant(email):
    return Participant.objects.select_related("delegation__country").get(user__email=email)


@pytest.fixture
def question(demo):
    return TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")


@pytest.fixture
def focal(demo):
    return _participant("delegado.sv@crm-workshop.test")


@pytest.fixture
def colleague(demo):
    return _participant("delegada.sv@crm-workshop.test")


@pytest.fixture
def mexico(demo):
    return _participant("delegada.mx@crm-workshop.test")


def test_first_save_creates_version_1_draft_by_its_author(question, colleague):
    answer = answer_save(
        question=question, participant=colleague, text="Borrador", expected_version=0
    )

    answer.refresh_from_db()
    assert (answer.version, answer.status, answer.text) == (1, "draft", "Borrador")
    assert answer.edited_by == colleague.user
    assert answer.delegation == colleague.delegation
    assert answer.submitted_at is None


def test_save_from_the_stored_version_increments_it(question, colleague, focal):
    answer_save(question=question, participant=colleague, text="uno", expected_version=0)

    answer = answer_save(question=question, participant=focal, text="dos", expected_version=1)

    assert (answer.version, answer.text, answer.edited_by) == (2, "dos", focal.user)


def test_stale_version_is_a_conflict_and_keeps_the_stored_text(question, colleague, focal):
    answer_save(question=question, participant=colleague, text="de ella", expected_version=0)
    answer_save(question=question, participant=focal, text="de él", expected_version=1)

    with pytest.raises(AnswerConflictError) as caught:
        answer_save(question=question, participant=colleague, text="otra vez", expected_version=1)

    stored = Answer.objects.get(question=question, delegation=colleague.delegation)
    assert (stored.text, stored.version) == ("de él", 2)
    assert caught.value.answer.pk == stored.pk
    assert caught.value.answer.text == "de él"


def test_two_first_saves_do_not_both_create(question, colleague, focal):
    answer_save(question=question, participant=colleague, text="primera", expected_version=0)

    with pytest.raises(AnswerConflictError):
        answer_save(question=question, participant=focal, text="segunda", expected_version=0)

    assert Answer.objects.filter(question=question).count() == 1


def test_expected_version_ahead_of_stored_is_a_conflict(question, colleague):
    answer_save(question=question, participant=colleague, text="uno", expected_version=0)

    with pytest.raises(AnswerConflictError):
        answer_save(question=question, participant=colleague, text="dos", expected_version=2)


def test_saving_the_same_text_writes_nothing(question, colleague):
    answer_save(question=question, participant=colleague, text="igual", expected_version=0)

    answer = answer_save(question=question, participant=colleague, text="igual", expected_version=1)

    assert answer.version == 1
    assert answer.history.count() == 1


def test_crlf_is_stored_as_lf(question, colleague):
    answer = answer_save(
        question=question, participant=colleague, text="a\r\nb", expected_version=0
    )

    assert answer.text == "a\nb"


def test_focal_point_submits(question, focal):
    before = timezone.now()

    answer = answer_save(
        question=question, participant=focal, text="Final", expected_version=0, submit=True
    )

    answer.refresh_from_db()
    assert answer.status == Answer.Status.SUBMITTED
    assert answer.submitted_by == focal.user
    assert answer.submitted_at >= before


def test_colleague_of_a_focal_point_cannot_submit(question, colleague):
    with pytest.raises(SubmitNotAllowedError):
        answer_save(
            question=question, participant=colleague, text="Final", expected_version=0, submit=True
        )

    assert not Answer.objects.filter(question=question).exists()


def test_any_delegate_submits_when_the_country_has_no_focal_point(question, mexico):
    assert mexico.delegation.focal_point_id is None

    answer = answer_save(
        question=question, participant=mexico, text="México", expected_version=0, submit=True
    )

    assert answer.status == Answer.Status.SUBMITTED


def test_any_delegate_submits_when_the_focal_point_is_not_approved(question, focal, colleague):
    Participant.objects.filter(pk=focal.pk).update(
        registration_status=Participant.RegistrationStatus.REJECTED
    )

    answer = answer_save(
        question=question, participant=colleague, text="Final", expected_version=0, submit=True
    )

    assert answer.status == Answer.Status.SUBMITTED


def test_focal_point_of_another_delegation_does_not_count(question, colleague, mexico):
    delegation = colleague.delegation
    delegation.focal_point = mexico.user
    delegation.save()

    assert rules.can_submit(colleague) is True


def test_pending_delegate_cannot_submit(question, colleague):
    colleague.registration_status = Participant.RegistrationStatus.PENDING

    assert rules.can_submit(colleague) is False
    assert rules.can_submit(None) is False


def test_empty_answer_cannot_be_submitted(question, focal):
    with pytest.raises(AnswerEmptyError):
        answer_save(
            question=question, participant=focal, text=" \n\t ", expected_version=0, submit=True
        )

    assert not Answer.objects.filter(question=question).exists()


def test_empty_draft_can_be_saved(question, colleague):
    answer_save(question=question, participant=colleague, text="algo", expected_version=0)

    answer = answer_save(question=question, participant=colleague, text="", expected_version=1)

    assert (answer.text, answer.version) == ("", 2)


def test_oversize_answer_refused_at_the_limit_plus_one(question, colleague, settings):
    settings.ANSWER_MAX_CHARS = 10

    answer = answer_save(
        question=question, participant=colleague, text="x" * 10, expected_version=0
    )
    with pytest.raises(AnswerTooLongError) as caught:
        answer_save(question=question, participant=colleague, text="y" * 11, expected_version=1)

    answer.refresh_from_db()
    assert answer.text == "x" * 10
    assert "11" in str(caught.value.message)
    assert "10" in str(caught.value.message)


def test_submitted_answer_is_read_only(question, focal):
    answer_save(question=question, participant=focal, text="Final", expected_version=0, submit=True)

    with pytest.raises(AnswerSubmittedError):
        answer_save(question=question, participant=focal, text="Cambio", expected_version=1)

    assert Answer.objects.get(question=question).text == "Final"


def test_question_not_distributed_to_the_country_is_refused(question, colleague):
    QuestionAssignment.objects.filter(question=question, country_id="SV").delete()

    with pytest.raises(NotAssignedError):
        answer_save(question=question, participant=colleague, text="x", expected_version=0)

    assert not Answer.objects.exists()


def _close(question):
    question.deadline = timezone.now() - dt.timedelta(minutes=1)
    question.save()


def test_after_the_deadline_nothing_is_saved(question, colleague):
    answer_save(question=question, participant=colleague, text="a tiempo", expected_version=0)
    _close(question)

    with pytest.raises(AnswerClosedError):
        answer_save(question=question, participant=colleague, text="tarde", expected_version=1)

    assert Answer.objects.get(question=question).text == "a tiempo"


def test_after_the_deadline_nothing_is_submitted(question, focal):
    _close(question)

    with pytest.raises(AnswerClosedError):
        answer_save(question=question, participant=focal, text="x", expected_version=0, submit=True)

    assert not Answer.objects.exists()


def test_deadline_a_minute_ahead_is_open(question, colleague):
    question.deadline = timezone.now() + dt.timedelta(minutes=1)
    question.save()

    answer = answer_save(question=question, participant=colleague, text="x", expected_version=0)

    assert answer.pk is not None


def test_no_deadline_is_open(question, colleague):
    question.deadline = None
    question.save()

    assert answer_save(question=question, participant=colleague, text="x", expected_version=0)


def test_extension_reopens_the_country_only(question, colleague, mexico, people):
    _close(question)
    assignment = QuestionAssignment.objects.get(question=question, country_id="SV")

    deadline_extend(
        assignment=assignment,
        until=timezone.now() + dt.timedelta(days=1),
        by=people["staff"],
        reason="Cambio de gobierno",
    )

    assert answer_save(question=question, participant=colleague, text="SV", expected_version=0)
    with pytest.raises(AnswerClosedError):
        answer_save(question=question, participant=mexico, text="MX", expected_version=0)
    record = assignment.history.first()
    assert record.history_user == people["staff"]
    assert record.history_change_reason == "Cambio de gobierno"


def test_extension_in_the_past_does_not_reopen(question, colleague, people):
    question.deadline = timezone.now() + dt.timedelta(days=1)
    question.save()
    assignment = QuestionAssignment.objects.get(question=question, country_id="SV")

    deadline_extend(
        assignment=assignment, until=timezone.now() - dt.timedelta(minutes=1), by=people["staff"]
    )

    with pytest.raises(AnswerClosedError):
        answer_save(question=question, participant=colleague, text="x", expected_version=0)


def test_with_deadline_annotates_the_effective_deadline(question):
    ahead = timezone.now() + dt.timedelta(days=3)
    QuestionAssignment.objects.filter(question=question, country_id="SV").update(
        deadline_extended_to=ahead
    )

    rows = {
        row.country_id: row
        for row in QuestionAssignment.objects.with_deadline().filter(question=question)
    }

    assert rows["SV"].effective_deadline == ahead
    assert rows["MX"].effective_deadline == question.deadline
    assert rows["SV"].deadline == ahead
    assert rows["MX"].is_open is True


def test_history_keeps_who_when_and_what(question, colleague, focal):
    answer_save(question=question, participant=colleague, text="uno", expected_version=0)
    answer_save(question=question, participant=focal, text="dos", expected_version=1, submit=True)

    records = list(Answer.history.filter(question=question).order_by("history_date"))

    assert [(r.text, r.version, r.status, r.history_user) for r in records] == [
        ("uno", 1, "draft", colleague.user),
        ("dos", 2, "submitted", focal.user),
    ]


def test_reopen_turns_the_answer_into_a_draft_with_the_reason(question, focal, people):
    answer = answer_save(
        question=question, participant=focal, text="Final", expected_version=0, submit=True
    )

    answer_reopen(answer=answer, by=people["staff"], reason="  Falta la cifra de 2021  ")

    answer.refresh_from_db()
    assert answer.status == Answer.Status.DRAFT
    assert (answer.submitted_at, answer.submitted_by) == (None, None)
    assert answer.version == 2
    assert answer.reopen_reason == "Falta la cifra de 2021"
    assert answer.reopened_by == people["staff"]
    record = answer.history.first()
    assert record.history_change_reason == "Falta la cifra de 2021"
    assert record.history_user == people["staff"]
    edited = answer_save(question=question, participant=focal, text="Con cifra", expected_version=2)
    assert edited.version == 3


def test_reopen_needs_a_reason(question, focal, people):
    answer = answer_save(
        question=question, participant=focal, text="Final", expected_version=0, submit=True
    )

    with pytest.raises(ReopenError):
        answer_reopen(answer=answer, by=people["staff"], reason="   ")

    answer.refresh_from_db()
    assert answer.status == Answer.Status.SUBMITTED


def test_reopen_of_a_draft_is_refused(question, colleague, people):
    answer = answer_save(question=question, participant=colleague, text="x", expected_version=0)

    with pytest.raises(ReopenError):
        answer_reopen(answer=answer, by=people["staff"], reason="porque sí")

    answer.refresh_from_db()
    assert (answer.version, answer.reopen_reason) == (1, "")


def test_moderator_reads_submitted_answers_of_their_session_only(demo, people):
    session_1 = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    session_2 = TriggerQuestion.objects.get(workshop=demo, code="TQ-S2-1")

    assert rules.can_read_submitted_answers(people["moderator"], session_1) is True
    assert rules.can_read_submitted_answers(people["moderator"], session_2) is False
    assert rules.can_read_submitted_answers(people["staff"], session_2) is True
    assert rules.can_read_submitted_answers(people["observer"], session_1) is False
    assert rules.can_read_submitted_answers(people["delegate"], session_1) is False


def test_answering_participant_is_approved_delegates_only(demo, people):
    assert rules.answering_participant(people["delegate"], demo).delegation.country_id == "MX"
    for role in ("pending", "observer", "moderator", "staff"):
        assert rules.answering_participant(people[role], demo) is None, role


def test_reopen_records_when_and_who_and_cuts_the_history_reason_at_100(question, focal, people):
    answer = answer_save(
        question=question, participant=focal, text="Final", expected_version=0, submit=True
    )
    before = timezone.now()
    reason = "x" * 99 + "yz"

    answer_reopen(answer=answer, by=people["staff"], reason=reason)

    answer.refresh_from_db()
    assert answer.reopened_at >= before
    assert answer.edited_by == people["staff"]
    assert answer.reopen_reason == reason
    assert answer.history.first().history_change_reason == "x" * 99 + "y"


def test_reopen_refusal_carries_the_stored_answer(question, colleague, people):
    answer = answer_save(question=question, participant=colleague, text="x", expected_version=0)

    with pytest.raises(ReopenError) as caught:
        answer_reopen(answer=answer, by=people["staff"], reason="motivo")

    assert caught.value.answer.pk == answer.pk


def test_extension_without_reason_keeps_no_reason_and_cuts_long_ones(question, people):
    assignment = QuestionAssignment.objects.get(question=question, country_id="SV")
    until = timezone.now() + dt.timedelta(days=2)

    deadline_extend(assignment=assignment, until=until, by=people["staff"])
    first = assignment.history.first().history_change_reason
    deadline_extend(assignment=assignment, until=None, by=people["staff"], reason=" " + "r" * 120)

    assert first in ("", None)
    assert assignment.history.first().history_change_reason == "r" * 100
    assignment.refresh_from_db()
    assert assignment.deadline_extended_to is None


def test_error_message_is_its_string(question, colleague, settings):
    settings.ANSWER_MAX_CHARS = 3

    with pytest.raises(AnswerTooLongError) as caught:
        answer_save(question=question, participant=colleague, text="abcd", expected_version=0)

    assert str(caught.value) == (
        "La respuesta tiene 4 caracteres; el máximo es 3. Acórtela y vuelva a guardar: su "
        "texto sigue en el formulario."
    )
    assert str(AnswerClosedError()) == str(AnswerClosedError.message)


def test_answering_participant_refuses_inactive_other_workshops_and_observers(demo, people):
    from tests.factories import WorkshopFactory

    delegate = people["delegate"]
    delegate.is_active = False
    assert rules.answering_participant(delegate, demo) is None
    delegate.is_active = True
    assert rules.answering_participant(delegate, WorkshopFactory()) is None
    observer = Participant.objects.get(user=people["observer"])
    observer.delegation = demo.delegations.get(country_id="MX")
    observer.save()
    assert rules.answering_participant(people["observer"], demo) is None
    assert rules.answering_participant(None, demo) is None


def test_answering_participant_loads_the_delegation_and_country_at_once(
    demo, people, django_assert_num_queries
):
    with django_assert_num_queries(1):
        participant = rules.answering_participant(people["delegate"], demo)
        assert participant.delegation.country.iso_code == "MX"
        assert participant.delegation.focal_point is None


def test_can_read_submitted_answers_refuses_anonymous_inactive_and_sessionless(demo, people):
    from django.contrib.auth.models import AnonymousUser

    question = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    moderator = people["moderator"]
    assert rules.can_read_submitted_answers(AnonymousUser(), question) is False
    assert rules.can_read_submitted_answers(None, question) is False
    moderator.is_active = False
    assert rules.can_read_submitted_answers(moderator, question) is False
    moderator.is_active = True
    question.session = None
    assert rules.can_read_submitted_answers(moderator, question) is False


def test_focal_point_registered_as_observer_does_not_act(question, focal, colleague):
    Participant.objects.filter(pk=focal.pk).update(role=Participant.Role.OBSERVER)

    assert rules.delegation_has_acting_focal_point(colleague.delegation) is False
    assert rules.can_submit(colleague) is True
