"""The rules of answering together, at the service (``consultations.services.answer_save``),
each with the view's refusal where the person meets it. Each test fails if its rule is
broken in consultations/services.py or rules.py."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from consultations import services
from consultations.models import Answer
from participants.models import Participant
from tests.consultations.answer_helpers import (
    DELEGADA_MX,
    DELEGADA_SV,
    DELEGADO_SV,
    assignment,
    history_url,
    question,
    stored,
    user,
)


def _p(email):
    return Participant.objects.get(user__email=email)


def _save(email, text, version, *, submit=False):
    return services.answer_save(
        question=question(),
        participant=_p(email),
        text=text,
        expected_version=version,
        submit=submit,
    )


def test_two_delegates_never_overwrite_each_other(people):
    _save(DELEGADA_SV, "De ella", 0)

    with pytest.raises(services.AnswerConflictError) as refused:
        _save(DELEGADO_SV, "De él", 0)

    assert refused.value.answer.text == "De ella"
    assert (stored("SV").text, stored("SV").version) == ("De ella", 1)


def test_keep_mine_after_a_conflict_saves_from_the_stored_version(people):
    _save(DELEGADA_SV, "De ella", 0)
    with pytest.raises(services.AnswerConflictError) as refused:
        _save(DELEGADO_SV, "De él", 0)

    saved = _save(DELEGADO_SV, "De él", refused.value.answer.version)

    assert (saved.text, saved.version, saved.edited_by) == ("De él", 2, user(DELEGADO_SV))


def test_only_the_focal_point_submits_where_there_is_one(people):
    _save(DELEGADA_SV, "Borrador", 0)

    with pytest.raises(services.SubmitNotAllowedError):
        _save(DELEGADA_SV, "Borrador", 1, submit=True)
    assert stored("SV").status == "draft"
    submitted = _save(DELEGADO_SV, "Borrador", 1, submit=True)

    assert (submitted.status, submitted.submitted_by) == ("submitted", user(DELEGADO_SV))


def test_any_approved_delegate_submits_where_there_is_no_focal_point(people):
    submitted = services.answer_save(
        question=question(), participant=_p(DELEGADA_MX), text="MX", expected_version=0, submit=True
    )

    assert submitted.status == "submitted"


def test_after_the_deadline_nothing_is_saved_nor_submitted(people):
    _save(DELEGADO_SV, "Antes", 0)
    closed = question()
    closed.deadline = timezone.now() - dt.timedelta(minutes=1)
    closed.save()

    with pytest.raises(services.AnswerClosedError):
        _save(DELEGADA_SV, "Después", 1)
    with pytest.raises(services.AnswerClosedError):
        _save(DELEGADO_SV, "Antes", 1, submit=True)

    assert (stored("SV").text, stored("SV").version, stored("SV").status) == ("Antes", 1, "draft")


def test_an_extension_opens_writing_for_its_country_only(people):
    closed = question()
    closed.deadline = timezone.now() - dt.timedelta(minutes=1)
    closed.save()
    services.deadline_extend(
        assignment=assignment("SV"),
        until=timezone.now() + dt.timedelta(hours=3),
        by=people["staff"],
        reason="Solicitud de El Salvador",
    )

    submitted = _save(DELEGADO_SV, "A tiempo", 0, submit=True)
    with pytest.raises(services.AnswerClosedError):
        services.answer_save(
            question=question(), participant=_p(DELEGADA_MX), text="MX", expected_version=0
        )

    assert submitted.status == "submitted"
    assert stored("MX") is None


def test_a_submitted_answer_is_read_only(people):
    _save(DELEGADO_SV, "Final", 0, submit=True)

    with pytest.raises(services.AnswerSubmittedError):
        _save(DELEGADO_SV, "Cambio", 1)

    assert (stored("SV").text, stored("SV").version) == ("Final", 1)


def test_an_empty_answer_cannot_be_submitted(people):
    with pytest.raises(services.AnswerEmptyError):
        _save(DELEGADO_SV, " \n\t", 0, submit=True)

    assert stored("SV") is None


def test_an_oversize_answer_is_refused_by_the_service_too(people):
    with pytest.raises(services.AnswerTooLongError) as refused:
        _save(DELEGADA_SV, "a" * (settings.ANSWER_MAX_CHARS + 1), 0)

    assert str(settings.ANSWER_MAX_CHARS + 1) in str(refused.value.message)
    assert stored("SV") is None


def test_history_keeps_who_when_and_what_for_every_change(people, client_as):
    _save(DELEGADA_SV, "Uno", 0)
    _save(DELEGADO_SV, "Dos", 1)
    _save(DELEGADO_SV, "Dos", 2, submit=True)
    services.answer_reopen(answer=stored("SV"), by=people["staff"], reason="Falta un dato")
    _save(DELEGADA_SV, "Tres", 4)

    rows = list(Answer.history.filter(id=stored("SV").pk).order_by("history_date", "history_id"))
    html = client_as(user(DELEGADA_SV)).get(history_url()).text

    assert [
        (r.history_user.email, r.version, r.status, r.text, r.history_change_reason) for r in rows
    ] == [
        (DELEGADA_SV, 1, "draft", "Uno", None),
        (DELEGADO_SV, 2, "draft", "Dos", None),
        (DELEGADO_SV, 3, "submitted", "Dos", None),
        ("secretaria@crm-workshop.test", 4, "draft", "Dos", "Falta un dato"),
        (DELEGADA_SV, 5, "draft", "Tres", None),
    ]
    assert all(r.history_date is not None for r in rows)
    # The page shows them newest first, each with who, when (zoned) and the text.
    order = [html.index(f"Versión {n}") for n in (5, 4, 3, 2, 1)]
    assert order == sorted(order)
    assert html.count("(America/El_Salvador, UTC−06:00)") == 5
    assert "Guardada por Delegada El Salvador (demo)" in html
    assert "Enviada por Delegado El Salvador (demo)" in html
    assert "Motivo de la reapertura:</strong> Falta un dato" in html
    assert "Reabierta por" in html


def test_history_without_an_answer_says_nobody_wrote(people, client_as):
    response = client_as(user(DELEGADA_SV)).get(history_url())

    assert response.status_code == 200
    assert "Nadie ha escrito todavía." in response.text
