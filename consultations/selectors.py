"""Reads of trigger questions and answers for a delegation's pages.

Every function here loads what its page shows in a fixed number of queries, stated in its
docstring, however many questions, answers or versions there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from consultations.models import Answer, QuestionAssignment


@dataclass
class AxisGroup:
    axis: object  # agenda.Axis or None
    assignments: list[QuestionAssignment] = field(default_factory=list)


@dataclass
class SessionGroup:
    session: object  # agenda.Session or None
    axes: list[AxisGroup] = field(default_factory=list)


def _answers_of(delegation):
    return Answer.objects.filter(delegation=delegation).select_related(
        "edited_by", "submitted_by", "reopened_by"
    )


def delegation_assignments(*, delegation) -> list[QuestionAssignment]:
    """The questions distributed to ``delegation``'s country in its workshop (its
    ``QuestionAssignment`` rows), by session, Work Plan axis and order, each with
    ``effective_deadline`` and ``is_open`` (by the database's clock), its question, session
    and axis, and ``answer``: the delegation's answer with who edited, submitted and
    reopened it, or None.

    Always 2 queries, whatever the number of questions.
    """
    assignments = list(
        QuestionAssignment.objects.with_deadline()
        .filter(country_id=delegation.country_id, question__workshop_id=delegation.workshop_id)
        .select_related("question__session", "question__axis")
        .order_by(
            "question__session__number",
            "question__axis__number",
            "question__order",
            "question__code",
        )
    )
    answers = {
        answer.question_id: answer
        for answer in _answers_of(delegation).filter(question__workshop_id=delegation.workshop_id)
    }
    for assignment in assignments:
        assignment.answer = answers.get(assignment.question_id)
    return assignments


def group_by_session_and_axis(assignments: list[QuestionAssignment]) -> list[SessionGroup]:
    """``assignments`` (in the order of ``delegation_assignments``) grouped by session, then
    by axis, keeping that order (no query)."""
    groups = []
    for _session_id, in_session in groupby(assignments, key=lambda a: a.question.session_id):
        in_session = list(in_session)
        group = SessionGroup(session=in_session[0].question.session)
        for _axis_id, in_axis in groupby(in_session, key=lambda a: a.question.axis_id):
            in_axis = list(in_axis)
            group.axes.append(AxisGroup(axis=in_axis[0].question.axis, assignments=in_axis))
        groups.append(group)
    return groups


def delegation_assignment(*, delegation, code: str) -> QuestionAssignment | None:
    """The question ``code`` of ``delegation``'s workshop as distributed to its country, with
    ``effective_deadline``, ``is_open``, its session and axis, and ``answer`` (the
    delegation's, or None); None when that question was not distributed to that country.

    Always 2 queries.
    """
    assignment = (
        QuestionAssignment.objects.with_deadline()
        .filter(
            country_id=delegation.country_id,
            question__workshop_id=delegation.workshop_id,
            question__code=code,
        )
        .select_related("question__session", "question__axis")
        .first()
    )
    if assignment is None:
        return None
    assignment.answer = _answers_of(delegation).filter(question_id=assignment.question_id).first()
    return assignment


def answer_versions(*, answer: Answer) -> list:
    """Every version of ``answer`` (simple-history rows), oldest first, each with who made
    it (``history_user``), when (``history_date``), its version, status, text and, for a
    reopening, the reason (``history_change_reason``). Always 1 query."""
    return list(
        Answer.history.filter(id=answer.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
