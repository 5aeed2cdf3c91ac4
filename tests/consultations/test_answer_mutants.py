"""Behaviour the mutation run of consultations.services/forms/rules/selectors showed untested
(bench/mutation.py; see bench/MUTATION.md). Exact values, real pages and services."""

from bs4 import BeautifulSoup

from consultations.forms import KeepMineForm
from consultations.services import answer_save
from participants.models import Participant
from tests.consultations.answer_helpers import (
    DELEGADA_SV,
    DELEGADO_SV,
    post,
    question,
    url,
    user,
)


def _participant(email):
    return Participant.objects.get(user__email=email)


def _conflict_page(client_as):
    answer_save(
        question=question(),
        participant=_participant(DELEGADO_SV),
        text="Texto del punto focal",
        expected_version=0,
    )
    response = post(client_as(user(DELEGADA_SV)), text="Texto  de la delegada ", version=0)
    assert response.status_code == 409
    return BeautifulSoup(response.text, "html.parser")


def test_keep_mine_form_posts_to_the_answer_page_with_its_own_ids_and_one_button(people, client_as):
    page = _conflict_page(client_as)
    form = page.find("form", id="keep-mine-form")

    assert form["action"] == url()
    assert form["method"] == "post"
    fields = [
        (tag["name"], tag.get("id"), tag["type"], tag.get("value"))
        for tag in form.find_all("input")
        if tag["name"] != "csrfmiddlewaretoken"
    ]
    assert fields == [
        ("text", "keep_text", "hidden", "Texto  de la delegada "),
        ("version", "keep_version", "hidden", "1"),
    ]
    buttons = form.find_all("button")
    assert [(b.get_text(strip=True), b["name"], b["value"], b["type"]) for b in buttons] == [
        ("Guardar mi texto", "action", "save", "submit")
    ]
    assert "btn-outline-primary" in buttons[0]["class"]
    # Beside the combined form, no id of the page is used twice.
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert sorted(set(ids)) == sorted(ids)
    assert page.find(id="id_text").name == "textarea"


def test_keep_mine_form_bound_keeps_the_text_as_posted():
    form = KeepMineForm({"text": "  dos espacios  ", "version": "3"}, action="/x/")

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"text": "  dos espacios  ", "version": 3}
    refused = KeepMineForm({"text": "x", "version": "-1"}, action="/x/")
    assert refused.is_valid() is False
    assert list(refused.errors) == ["version"]


# --- consultations.selectors ------------------------------------------------------------------


def _sv():
    from tests.consultations.answer_helpers import delegation

    return delegation("SV")


def _save(email, code, text, version=0):
    return answer_save(
        question=question(code),
        participant=_participant(email),
        text=text,
        expected_version=version,
    )


def test_delegation_assignments_are_this_workshops_in_session_axis_order_with_answers(people):
    from consultations.models import QuestionAssignment, TriggerQuestion
    from consultations.selectors import delegation_assignments, group_by_session_and_axis
    from tests.admin_factories import TriggerQuestionFactory

    # Session 1, axis 1: S1-1 last by its order; S1-2 renamed S1-5 ties with S1-3 on the order
    # (the code decides, against the rows' creation order); S1-4 moves to axis 4, which
    # session 2 uses too.
    TriggerQuestion.objects.filter(code="TQ-S1-1").update(order=9)
    TriggerQuestion.objects.filter(code="TQ-S1-2").update(code="TQ-S1-5", order=3)
    axis_4 = TriggerQuestion.objects.get(code="TQ-S2-2").axis
    TriggerQuestion.objects.filter(code="TQ-S1-4").update(axis=axis_4)
    other = TriggerQuestionFactory(code="TQ-OTRO", order=0)
    QuestionAssignment.objects.create(question=other, country_id="SV")
    _save(DELEGADA_SV, "TQ-S2-3", "Respuesta a la S2-3")

    rows = delegation_assignments(delegation=_sv())

    assert [row.question.code for row in rows] == [
        "TQ-S1-3",
        "TQ-S1-5",
        "TQ-S1-1",
        "TQ-S1-4",
        "TQ-S2-1",
        "TQ-S2-4",
        "TQ-S2-2",
        "TQ-S2-3",
    ]
    answered = {row.question.code: row.answer.text for row in rows if row.answer is not None}
    assert answered == {"TQ-S2-3": "Respuesta a la S2-3"}
    assert all(row.is_open is True for row in rows)
    groups = [
        (
            group.session.number,
            [(ax.axis.number, [a.question.code for a in ax.assignments]) for ax in group.axes],
        )
        for group in group_by_session_and_axis(rows)
    ]
    assert groups == [
        (1, [(1, ["TQ-S1-3", "TQ-S1-5", "TQ-S1-1"]), (4, ["TQ-S1-4"])]),
        (2, [(2, ["TQ-S2-1", "TQ-S2-4"]), (4, ["TQ-S2-2", "TQ-S2-3"])]),
    ]
    # A session of one question (from the fourth row on, session 1 holds only TQ-S1-4).
    assert [group.session.number for group in group_by_session_and_axis(rows[3:])] == [1, 2]


def test_delegation_assignment_finds_its_code_with_its_own_answer(people):
    from consultations.selectors import delegation_assignment

    _save(DELEGADA_SV, "TQ-S1-1", "Respuesta a la S1-1")
    _save(DELEGADA_SV, "TQ-S2-3", "Respuesta a la S2-3")

    found = delegation_assignment(delegation=_sv(), code="TQ-S2-3")
    unanswered = delegation_assignment(delegation=_sv(), code="TQ-S2-4")

    assert (found.question.code, found.country_id, found.answer.text) == (
        "TQ-S2-3",
        "SV",
        "Respuesta a la S2-3",
    )
    assert (found.is_open, found.effective_deadline) == (True, found.question.deadline)
    assert (unanswered.question.code, unanswered.answer) == ("TQ-S2-4", None)
    assert delegation_assignment(delegation=_sv(), code="TQ-NADA") is None


def test_answer_versions_are_one_answers_oldest_first_with_who(people):
    from consultations.selectors import answer_versions

    first = _save(DELEGADA_SV, "TQ-S1-1", "uno")
    _save(DELEGADO_SV, "TQ-S1-2", "otra pregunta")
    _save(DELEGADO_SV, "TQ-S1-1", "dos", version=1)

    versions = answer_versions(answer=first)

    assert [(v.version, v.text, v.history_user.email) for v in versions] == [
        (1, "uno", DELEGADA_SV),
        (2, "dos", DELEGADO_SV),
    ]


# --- consultations.rules ----------------------------------------------------------------------


def test_staff_only_for_active_signed_in_staff(people):
    from django.contrib.auth.models import AnonymousUser

    from consultations import rules

    staff = people["staff"]
    assert (rules.is_staff(staff), rules.can_compile(staff)) == (True, True)
    for role in ("delegate", "focal_point_other", "moderator", "observer", "pending"):
        assert (rules.is_staff(people[role]), rules.can_compile(people[role])) == (False, False)
    assert rules.is_staff(None) is False
    assert rules.is_staff(AnonymousUser()) is False
    staff.is_active = False
    assert (rules.is_staff(staff), rules.can_compile(staff)) == (False, False)


def test_a_participant_without_delegation_cannot_submit(people):
    from consultations import rules

    observer = Participant.objects.get(user=people["observer"])
    assert observer.delegation_id is None
    observer.registration_status = Participant.RegistrationStatus.APPROVED

    assert rules.can_submit(observer) is False


# --- consultations.forms.AnswerForm -----------------------------------------------------------


def _answer_form_html(*, can_submit):
    from crispy_forms.utils import render_crispy_form

    from consultations.forms import AnswerForm

    form = AnswerForm(
        initial={"text": "", "version": 0},
        action="/consultations/TQ-S1-1/",
        can_submit=can_submit,
        form_id="mi-formulario",
    )
    return BeautifulSoup(render_crispy_form(form), "html.parser")


def _buttons(page):
    return [
        (b.get_text(strip=True), b["type"], b["name"], b["value"], b["class"])
        for b in page.find_all("button")
    ]


def test_answer_form_of_a_submitter_renders_limit_counter_two_buttons_and_the_note(db):
    page = _answer_form_html(can_submit=True)
    form = page.find("form")

    assert (form["id"], form["action"], form["novalidate"]) == (
        "mi-formulario",
        "/consultations/TQ-S1-1/",
        "",
    )
    area = form.find("textarea")
    assert (area["name"], area["id"], area["rows"]) == ("text", "id_text", "12")
    assert "answer-text" in area["class"]
    assert area["data-max-chars"] == "20000"
    assert area["data-counter"] == "%(count)s de %(limit)s caracteres"
    assert area["data-counter-over"] == (
        "%(count)s de %(limit)s caracteres: sobran %(over)s. Acorte el texto antes de guardar."
    )
    assert not area.has_attr("maxlength")
    assert page.find(id="id_text_helptext").get_text(strip=True) == (
        "Máximo 20\xa0000 caracteres. Guarde borradores cuantas veces quiera: su delegación ve "
        "siempre la última versión guardada."
    )
    version = form.find("input", attrs={"name": "version"})
    assert (version["type"], version["value"]) == ("hidden", "0")
    assert page.find("p", class_="answer-submit-note").get_text(strip=True) == (
        "Al enviar, el texto pasa a ser la respuesta oficial de su país y ya no se puede "
        "modificar (solo la Secretaría puede reabrirla)."
    )
    assert page.find("p", class_="answer-submit-note")["class"] == ["small", "answer-submit-note"]
    buttons = _buttons(page)
    assert [b[:4] for b in buttons] == [
        ("Guardar borrador", "submit", "action", "save"),
        ("Enviar la respuesta del país", "submit", "action", "submit"),
    ]
    assert [b[4] for b in buttons] == [["btn", "btn-outline-primary"], ["btn", "btn-primary"]]
    actions = page.find("div", class_="answer-actions")
    assert [b.get_text(strip=True) for b in actions.find_all("button")] == [
        "Guardar borrador",
        "Enviar la respuesta del país",
    ]


def test_answer_form_of_a_colleague_has_one_main_button_and_no_note(db):
    page = _answer_form_html(can_submit=False)

    buttons = _buttons(page)
    assert [b[:4] for b in buttons] == [("Guardar borrador", "submit", "action", "save")]
    assert buttons[0][4] == ["btn", "btn-primary"]
    assert page.find("p", class_="answer-submit-note") is None


def test_answer_form_normalises_line_breaks_and_refuses_past_the_limit(settings):
    from consultations.forms import AnswerForm

    settings.ANSWER_MAX_CHARS = 5
    at_limit = AnswerForm({"text": "ab\r\ncd", "version": "2"}, action="/", can_submit=True)
    over = AnswerForm({"text": "abcdef", "version": "0"}, action="/", can_submit=True)

    assert at_limit.is_valid(), at_limit.errors
    assert at_limit.cleaned_data == {"text": "ab\ncd", "version": 2}
    assert over.is_valid() is False
    assert over.errors.as_data()["text"][0].code == "too_long"
    assert over.errors["text"] == [
        "La respuesta tiene 6 caracteres; el máximo es 5. Acórtela y vuelva a guardar: su "
        "texto sigue en el formulario."
    ]
    assert over.fields["text"].widget.attrs["data-max-chars"] == "5"


# --- consultations.services: every refusal carries the stored answer ---------------------------


def _refusal(error, **kwargs):
    import pytest

    with pytest.raises(error) as caught:
        answer_save(question=question(), **kwargs)
    return caught.value.answer


def test_every_refusal_carries_the_answer_stored_at_that_moment(people):
    import datetime as dt

    from django.utils import timezone

    from consultations.services import (
        AnswerClosedError,
        AnswerEmptyError,
        AnswerSubmittedError,
        SubmitNotAllowedError,
    )

    draft = _save(DELEGADA_SV, "TQ-S1-1", "Borrador")
    colleague, focal = _participant(DELEGADA_SV), _participant(DELEGADO_SV)

    refused = _refusal(
        SubmitNotAllowedError, participant=colleague, text="x", expected_version=1, submit=True
    )
    assert (refused.pk, refused.text) == (draft.pk, "Borrador")
    refused = _refusal(
        AnswerEmptyError, participant=focal, text="  ", expected_version=1, submit=True
    )
    assert (refused.pk, refused.text) == (draft.pk, "Borrador")
    answer_save(
        question=question(), participant=focal, text="Final", expected_version=1, submit=True
    )
    refused = _refusal(AnswerSubmittedError, participant=focal, text="y", expected_version=2)
    assert (refused.pk, refused.text, refused.status) == (draft.pk, "Final", "submitted")
    closed = question()
    closed.deadline = timezone.now() - dt.timedelta(minutes=1)
    closed.save()
    refused = _refusal(AnswerClosedError, participant=focal, text="z", expected_version=2)
    assert (refused.pk, refused.text, refused.version) == (draft.pk, "Final", 2)


# --- what each read loads at once (the pages' query counts depend on it) -----------------------


def test_answering_participant_loads_the_named_focal_point_in_the_same_query(
    demo, django_assert_num_queries
):
    from consultations import rules

    colleague = user(DELEGADA_SV)

    with django_assert_num_queries(1):
        participant = rules.answering_participant(colleague, demo)
        assert participant.delegation.country.iso_code == "SV"
        assert participant.delegation.focal_point.email == DELEGADO_SV


def test_selectors_load_sessions_axes_and_every_person_of_the_answer_at_once(
    people, django_assert_num_queries
):
    from consultations.selectors import (
        answer_versions,
        delegation_assignment,
        delegation_assignments,
    )
    from consultations.services import answer_reopen

    final = _save(DELEGADO_SV, "TQ-S2-3", "Final")
    final = answer_save(
        question=question("TQ-S2-3"),
        participant=_participant(DELEGADO_SV),
        text="Final",
        expected_version=1,
        submit=True,
    )
    answer_reopen(answer=final, by=people["staff"], reason="Falta una cifra")
    _save(DELEGADA_SV, "TQ-S2-3", "Con la cifra", version=3)
    answer_save(
        question=question("TQ-S1-1"),
        participant=_participant(DELEGADO_SV),
        text="Enviada",
        expected_version=0,
        submit=True,
    )
    sv = _sv()

    def email(person):
        return person.email if person is not None else None

    def people_of(row):
        answer = row.answer
        return (
            row.question.session.number,
            row.question.axis.number,
            email(answer.edited_by),
            email(answer.submitted_by),
            email(answer.reopened_by),
        )

    with django_assert_num_queries(2):
        rows = delegation_assignments(delegation=sv)
        answered = [people_of(row) for row in rows if row.answer is not None]
        assert [(row.question.session.number, row.question.axis.number) for row in rows][:1] == [
            (1, 1)
        ]
    with django_assert_num_queries(2):
        one = people_of(delegation_assignment(delegation=sv, code="TQ-S2-3"))
    expected = (2, 4, DELEGADA_SV, None, people["staff"].email)
    assert answered == [(1, 1, DELEGADO_SV, DELEGADO_SV, None), expected]
    assert one == expected
    with django_assert_num_queries(1):
        versions = answer_versions(answer=final)
        assert [(v.version, v.status, v.history_user.email) for v in versions] == [
            (1, "draft", DELEGADO_SV),
            (2, "submitted", DELEGADO_SV),
            (3, "draft", people["staff"].email),
            (4, "draft", DELEGADA_SV),
        ]
