"""Writes of trigger-question answers: save a draft, submit, reopen, extend a deadline.

Every write here runs in one transaction that first locks the country's assignment row, so
the writers of one (question, country) pair queue behind each other, and then decides:

1. is the country's deadline still ahead, by the database's clock once the lock is held
   (``is_open``)?
2. is the answer still a draft?
3. did the writer start from the version now stored (optimistic locking)?
4. may this person submit (``consultations.rules.can_submit``)?

A refusal raises one of the ``AnswerError`` subclasses with a message for the person, and
writes nothing. Every change is a new row in the answer's history with who and when, and,
for a reopening or an extension, why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import rules
from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from participants.models import Participant


class AnswerError(Exception):
    """A write that was refused; ``message`` says why, in the reader's language."""

    message = _("No se pudo guardar la respuesta.")

    def __init__(self, message=None, *, answer: Answer | None = None):
        if message is not None:
            self.message = message
        self.answer = answer
        super().__init__(str(self.message))


class NotAssignedError(AnswerError):
    """The question was not distributed to this participant's country (a view answers 404)."""

    message = _("Esta pregunta no se envió a su país.")


class AnswerClosedError(AnswerError):
    message = _(
        "La fecha límite de esta pregunta ya pasó: no se guardó nada. Si su delegación necesita "
        "más tiempo, escriba a la Secretaría, que puede prorrogar el plazo para su país."
    )


class AnswerSubmittedError(AnswerError):
    message = _(
        "Su delegación ya envió esta respuesta y no se puede modificar. Si hay que corregirla, "
        "pida a la Secretaría que la reabra."
    )


class AnswerConflictError(AnswerError):
    """Somebody saved since the writer opened the answer; ``answer`` is the stored one."""

    message = _(
        "Otra persona de su delegación guardó esta respuesta mientras usted la editaba. "
        "No se ha perdido nada: compare los dos textos y elija cuál guardar."
    )


class SubmitNotAllowedError(AnswerError):
    message = _(
        "Solo el punto focal de su delegación puede enviar la respuesta del país. Su texto "
        "se puede guardar como borrador."
    )


class AnswerEmptyError(AnswerError):
    message = _("Una respuesta vacía no se puede enviar. Escriba la respuesta de su país.")


class AnswerTooLongError(AnswerError):
    def __init__(self, *, length: int):
        message = _(
            "La respuesta tiene %(length)s caracteres; el máximo es %(limit)s. Acórtela y "
            "vuelva a guardar: su texto sigue en el formulario."
        ) % {"length": length, "limit": settings.ANSWER_MAX_CHARS}
        super().__init__(message)


class ReopenError(AnswerError):
    message = _("Solo se puede reabrir una respuesta enviada, indicando el motivo.")


def answer_save(
    *,
    question: TriggerQuestion,
    participant: Participant,
    text: str,
    expected_version: int,
    submit: bool = False,
) -> Answer:
    """Save ``text`` as the delegation's answer to ``question`` and, with ``submit``, submit it.

    ``expected_version`` is the version the writer started from (0 when there was no answer).
    Returns the stored answer. Raises ``NotAssignedError``, ``AnswerClosedError``,
    ``AnswerSubmittedError``, ``AnswerConflictError`` (with the stored answer),
    ``SubmitNotAllowedError``, ``AnswerEmptyError`` or ``AnswerTooLongError``; nothing is
    written then.
    Saving the stored text again as a draft writes nothing and returns the stored answer.
    """
    text = text.replace("\r\n", "\n")
    if len(text) > settings.ANSWER_MAX_CHARS:
        raise AnswerTooLongError(length=len(text))
    delegation = participant.delegation
    with transaction.atomic():
        assignment = (
            QuestionAssignment.objects.select_for_update(of=("self",))
            .filter(question=question, country_id=delegation.country_id)
            .first()
        )
        if assignment is None:
            raise NotAssignedError
        # Asked only once the lock is held: a writer that queued behind another one past the
        # deadline is judged at the moment it could write, not when it started waiting.
        is_open = (
            QuestionAssignment.objects.with_deadline()
            .filter(pk=assignment.pk)
            .values_list("is_open", flat=True)
            .get()
        )
        answer = (
            Answer.objects.select_for_update(of=("self",))
            .filter(question=question, delegation=delegation)
            .first()
        )
        if not is_open:
            raise AnswerClosedError(answer=answer)
        if answer is not None and answer.status == Answer.Status.SUBMITTED:
            raise AnswerSubmittedError(answer=answer)
        stored_version = answer.version if answer is not None else 0
        if expected_version != stored_version:
            raise AnswerConflictError(answer=answer)
        if submit:
            if not rules.can_submit(participant):
                raise SubmitNotAllowedError(answer=answer)
            if not text.strip():
                raise AnswerEmptyError(answer=answer)
        elif answer is not None and answer.text == text:
            return answer
        if answer is None:
            answer = Answer(question=question, delegation=delegation, version=1)
        else:
            answer.version += 1
        answer.text = text
        answer.edited_by = participant.user
        if submit:
            answer.status = Answer.Status.SUBMITTED
            answer.submitted_at = timezone.now()
            answer.submitted_by = participant.user
        answer._history_user = participant.user
        answer.save()
    return answer


def answer_reopen(*, answer: Answer, by, reason: str) -> Answer:
    """Turn a submitted answer back into a draft the delegation can edit (staff only), with
    ``reason`` kept on the answer and in its history. Raises ``ReopenError`` when the answer
    is not submitted (any more) or the reason is blank."""
    reason = reason.strip()
    if not reason:
        raise ReopenError
    with transaction.atomic():
        answer = Answer.objects.select_for_update(of=("self",)).get(pk=answer.pk)
        if answer.status != Answer.Status.SUBMITTED:
            raise ReopenError(answer=answer)
        answer.status = Answer.Status.DRAFT
        answer.submitted_at = None
        answer.submitted_by = None
        answer.version += 1
        answer.reopened_at = timezone.now()
        answer.reopened_by = by
        answer.reopen_reason = reason
        answer.edited_by = by
        answer._history_user = by
        answer._change_reason = reason[:100]
        answer.save()
    return answer


def deadline_extend(*, assignment: QuestionAssignment, until, by, reason: str = "") -> None:
    """Extend (or, with ``until=None``, withdraw the extension of) one country's deadline
    for one question; the change is kept in the assignment's history with who and why."""
    with transaction.atomic():
        assignment = QuestionAssignment.objects.select_for_update(of=("self",)).get(
            pk=assignment.pk
        )
        assignment.deadline_extended_to = until
        assignment._history_user = by
        assignment._change_reason = reason.strip()[:100]
        assignment.save(update_fields=["deadline_extended_to"])
