"""``/consultations/<code>/``: the answer page of a delegation, as real GETs and POSTs.

Every refusal keeps the text the person typed in the response and writes nothing."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from consultations.services import answer_reopen, answer_save, deadline_extend
from participants.models import Participant
from tests.consultations.answer_helpers import (
    CODE,
    DELEGADA_MX,
    DELEGADA_SV,
    DELEGADO_SV,
    assignment,
    post,
    question,
    stored,
    url,
    user,
)
from tests.rendered_forms import hidden_input, rendered_form

SUBMIT_BUTTON = 'name="action" type="submit" value="submit"'
SAVE_BUTTON = 'name="action" type="submit" value="save"'


def _participant(email):
    return Participant.objects.get(user__email=email)


def _draft(email, text, version=0, code=CODE):
    return answer_save(
        question=question(code),
        participant=_participant(email),
        text=text,
        expected_version=version,
    )


def _form_post(client, html, form_id, action):
    data = rendered_form(html, form_id)
    data["action"] = [action]
    return client.post(url(), data)


def _close(code=CODE):
    closed = question(code)
    closed.deadline = timezone.now() - dt.timedelta(minutes=1)
    closed.save()


# --- reading ---------------------------------------------------------------------------------


def test_answer_page_shows_question_deadline_and_an_empty_form(people, client_as):
    response = client_as(user(DELEGADA_SV)).get(url())

    assert response.status_code == 200
    html = response.text
    assert "[Pregunta de ejemplo] ¿Qué mecanismos utiliza su país" in html
    assert "Fecha límite:" in html
    assert "(America/El_Salvador, UTC−06:00)" in html
    assert rendered_form(html, "answer-form") == {
        "csrfmiddlewaretoken": rendered_form(html, "answer-form")["csrfmiddlewaretoken"],
        "text": [""],
        "version": ["0"],
    }
    assert SAVE_BUTTON in html
    assert "Guardar borrador" in html


def test_answer_page_in_english_shows_the_english_question(people, client_as):
    response = client_as(user(DELEGADA_SV)).get("/en" + url())

    assert response.status_code == 200
    assert "[Example question]" in response.text
    assert "[Pregunta de ejemplo]" not in response.text


def test_answer_page_offers_submit_only_to_who_may_submit(people, client_as):
    colleague = client_as(user(DELEGADA_SV)).get(url()).text
    focal_point = client_as(user(DELEGADO_SV)).get(url()).text
    mexico = client_as(user(DELEGADA_MX)).get(url()).text

    assert SUBMIT_BUTTON not in colleague
    assert "Envía la respuesta del país el punto focal: Delegado El Salvador (demo)." in colleague
    assert SUBMIT_BUTTON in focal_point
    assert "ya no se puede modificar" in focal_point
    assert SUBMIT_BUTTON in mexico
    assert "Su delegación no tiene punto focal" in mexico


def test_answer_page_form_starts_from_the_stored_version(people, client_as):
    _draft(DELEGADA_SV, "Primera")
    _draft(DELEGADO_SV, "Segunda", version=1)

    html = client_as(user(DELEGADA_SV)).get(url()).text

    assert hidden_input(html, "answer-form", "version")["value"] == "2"
    assert rendered_form(html, "answer-form")["text"] == ["Segunda"]
    assert "Guardada por Delegado El Salvador (demo) (versión 2)" in html


# --- saving ----------------------------------------------------------------------------------


def test_saving_a_draft_redirects_back_with_a_message(people, client_as):
    client = client_as(user(DELEGADA_SV))

    response = post(client, text="Nuestro borrador", version=0)

    assert response.status_code == 302
    assert response["Location"] == url()
    answer = stored("SV")
    assert (answer.text, answer.version, answer.status) == ("Nuestro borrador", 1, "draft")
    assert answer.edited_by == user(DELEGADA_SV)
    page = client.get(url()).text
    assert "Borrador guardado (versión 1). Su delegación ya lo ve." in page


def test_line_breaks_are_stored_as_typed(people, client_as):
    post(client_as(user(DELEGADA_SV)), text="uno\r\ndos\r\n\r\ntres", version=0)

    assert stored("SV").text == "uno\ndos\n\ntres"


def test_a_bad_version_is_refused_and_the_text_kept(people, client_as):
    response = post(client_as(user(DELEGADA_SV)), text="Texto escrito", version="x")

    assert response.status_code == 400
    assert rendered_form(response.text, "answer-form")["text"] == ["Texto escrito"]
    assert stored("SV") is None


# --- two delegates at once -------------------------------------------------------------------


def test_second_save_from_a_stale_form_gets_409_with_both_texts(people, client_as):
    colleague = client_as(user(DELEGADA_SV))
    stale = colleague.get(url()).text  # she opens the form at version 0
    _draft(DELEGADO_SV, "Texto del punto focal")

    data = rendered_form(stale, "answer-form")
    data.update(text=["Texto de la delegada"], action=["save"])  # what she typed
    response = colleague.post(url(), data)

    assert response.status_code == 409
    html = response.text
    assert "Otra persona de su delegación guardó esta respuesta" in html
    assert "Texto del punto focal" in html
    assert "Texto de la delegada" in html
    assert "Guardada por Delegado El Salvador (demo) (versión 1)" in html
    answer = stored("SV")
    assert (answer.text, answer.version) == ("Texto del punto focal", 1)


def test_conflict_keep_mine_saves_my_text_over_the_stored_one(people, client_as):
    _draft(DELEGADO_SV, "Texto del punto focal")
    colleague = client_as(user(DELEGADA_SV))
    conflict = post(colleague, text="Texto de la delegada\nsegunda línea", version=0)

    assert rendered_form(conflict.text, "keep-mine-form")["version"] == ["1"]
    response = _form_post(colleague, conflict.text, "keep-mine-form", "save")

    assert response.status_code == 302
    answer = stored("SV")
    assert (answer.text, answer.version) == ("Texto de la delegada\nsegunda línea", 2)
    assert answer.edited_by == user(DELEGADA_SV)


def test_conflict_combined_form_holds_both_texts_labelled(people, client_as):
    _draft(DELEGADO_SV, "Texto del punto focal")
    colleague = client_as(user(DELEGADA_SV))
    conflict = post(colleague, text="Texto de la delegada", version=0)

    combined = rendered_form(conflict.text, "combined-form")
    text = combined["text"][0]
    assert text.startswith("[Texto guardado por Delegado El Salvador (demo) el ")
    assert "(America/El_Salvador, UTC−06:00)]\nTexto del punto focal\n\n[Su texto]\n" in text
    assert text.endswith("Texto de la delegada")
    assert combined["version"] == ["1"]
    response = _form_post(colleague, conflict.text, "combined-form", "save")

    assert response.status_code == 302
    answer = stored("SV")
    assert answer.version == 2
    assert "Texto del punto focal" in answer.text
    assert "Texto de la delegada" in answer.text


def test_conflict_keep_theirs_is_a_link_back_that_writes_nothing(people, client_as):
    _draft(DELEGADO_SV, "Texto del punto focal")
    conflict = post(client_as(user(DELEGADA_SV)), text="Texto de la delegada", version=0)

    assert f'href="{url()}">Quedarme con el texto guardado</a>' in conflict.text
    assert stored("SV").text == "Texto del punto focal"


def test_conflict_combined_form_offers_submit_to_the_focal_point_only(people, client_as):
    _draft(DELEGADA_SV, "Texto de la delegada")
    focal = post(client_as(user(DELEGADO_SV)), text="Mío", version=0).text
    _draft(DELEGADO_SV, "Otro más", version=1)
    colleague = post(client_as(user(DELEGADA_SV)), text="Mío", version=1).text

    assert SUBMIT_BUTTON in focal
    assert SUBMIT_BUTTON not in colleague


# --- submitting ------------------------------------------------------------------------------


def test_focal_point_submits_and_the_answer_becomes_read_only(people, client_as):
    client = client_as(user(DELEGADO_SV))

    response = post(client, text="Respuesta final", version=0, action="submit")

    assert response.status_code == 302
    answer = stored("SV")
    assert (answer.status, answer.submitted_by, answer.version) == (
        "submitted",
        user(DELEGADO_SV),
        1,
    )
    page = client.get(url()).text
    assert "La respuesta de su país se envió a la Secretaría (versión 1)." in page
    assert "<textarea" not in page
    assert 'id="answer-form"' not in page
    assert "Enviada por Delegado El Salvador (demo) (versión 1), " in page
    assert "Respuesta final" in page


def test_colleague_cannot_submit_and_keeps_her_text(people, client_as):
    response = post(client_as(user(DELEGADA_SV)), text="Quiero enviar", version=0, action="submit")

    assert response.status_code == 403
    assert "Solo el punto focal de su delegación puede enviar" in response.text
    assert rendered_form(response.text, "answer-form")["text"] == ["Quiero enviar"]
    assert stored("SV") is None


def test_any_delegate_submits_where_there_is_no_focal_point(people, client_as):
    response = post(
        client_as(user(DELEGADA_MX)), text="Respuesta de México", version=0, action="submit"
    )

    assert response.status_code == 302
    assert stored("MX").status == "submitted"


def test_posting_to_a_submitted_answer_is_refused_and_changes_nothing(people, client_as):
    answer_save(
        question=question(),
        participant=_participant(DELEGADO_SV),
        text="Enviada",
        expected_version=0,
        submit=True,
    )

    response = post(client_as(user(DELEGADA_SV)), text="Un cambio tardío", version=1)

    assert response.status_code == 409
    assert "ya envió esta respuesta" in response.text
    assert "Un cambio tardío" in response.text  # her text, to copy
    assert 'id="answer-form"' not in response.text
    answer = stored("SV")
    assert (answer.text, answer.version, answer.status) == ("Enviada", 1, "submitted")


def test_empty_submission_is_refused(people, client_as):
    _draft(DELEGADO_SV, "Algo")

    response = post(client_as(user(DELEGADO_SV)), text="   \n ", version=1, action="submit")

    assert response.status_code == 400
    assert "Una respuesta vacía no se puede enviar." in response.text
    answer = stored("SV")
    assert (answer.text, answer.status, answer.version) == ("Algo", "draft", 1)


def test_oversize_answer_is_refused_with_every_character_kept(people, client_as):
    too_long = "Párrafo largo. " * (settings.ANSWER_MAX_CHARS // 15) + "FIN-DEL-TEXTO"
    assert len(too_long) > settings.ANSWER_MAX_CHARS

    response = post(client_as(user(DELEGADA_SV)), text=too_long, version=0)

    assert response.status_code == 400
    assert (
        f"La respuesta tiene {len(too_long)} caracteres; el máximo es "
        f"{settings.ANSWER_MAX_CHARS}." in response.text
    )
    assert rendered_form(response.text, "answer-form")["text"] == [too_long]
    assert stored("SV") is None


def test_text_at_the_limit_is_saved(people, client_as):
    exact = "x" * settings.ANSWER_MAX_CHARS

    response = post(client_as(user(DELEGADA_SV)), text=exact, version=0)

    assert response.status_code == 302
    assert len(stored("SV").text) == settings.ANSWER_MAX_CHARS


# --- deadline --------------------------------------------------------------------------------


def test_after_the_deadline_nothing_is_saved_and_the_text_is_kept(people, client_as):
    _draft(DELEGADA_SV, "Antes del plazo")
    _close()

    response = post(client_as(user(DELEGADA_SV)), text="Después del plazo", version=1)

    assert response.status_code == 403
    assert "La fecha límite de esta pregunta ya pasó: no se guardó nada." in response.text
    assert "Después del plazo" in response.text
    answer = stored("SV")
    assert (answer.text, answer.version) == ("Antes del plazo", 1)


def test_after_the_deadline_nothing_is_submitted(people, client_as):
    _draft(DELEGADO_SV, "Lista")
    _close()

    response = post(client_as(user(DELEGADO_SV)), text="Lista", version=1, action="submit")

    assert response.status_code == 403
    assert stored("SV").status == "draft"


def test_after_the_deadline_the_page_has_no_form(people, client_as):
    _draft(DELEGADA_SV, "Antes del plazo")
    _close()

    html = client_as(user(DELEGADA_SV)).get(url()).text

    assert "Cerrada: el plazo venció" in html
    assert "Ya no se puede guardar ni enviar." in html
    assert "<textarea" not in html
    assert "Antes del plazo" in html


def test_an_extension_for_the_country_reopens_writing_for_it_only(people, client_as):
    _close()
    deadline_extend(
        assignment=assignment("SV"),
        until=timezone.now() + dt.timedelta(days=2),
        by=people["staff"],
        reason="Pedido por la delegación",
    )

    sv = post(client_as(user(DELEGADO_SV)), text="Con prórroga", version=0, action="submit")
    mx = post(client_as(user(DELEGADA_MX)), text="Sin prórroga", version=0)

    assert sv.status_code == 302
    assert stored("SV").status == "submitted"
    assert mx.status_code == 403
    assert stored("MX") is None


# --- reopened --------------------------------------------------------------------------------


def test_reopened_answer_shows_the_reason_and_is_editable_again(people, client_as):
    submitted = answer_save(
        question=question(),
        participant=_participant(DELEGADO_SV),
        text="Enviada",
        expected_version=0,
        submit=True,
    )
    answer_reopen(answer=submitted, by=people["staff"], reason="Falta la cifra de 2021")

    html = client_as(user(DELEGADA_SV)).get(url()).text

    assert "reabrió esta respuesta" in html
    assert "Motivo:</strong> Falta la cifra de 2021" in html
    assert hidden_input(html, "answer-form", "version")["value"] == "2"
    response = post(client_as(user(DELEGADA_SV)), text="Con la cifra", version=2)
    assert response.status_code == 302
    assert stored("SV").text == "Con la cifra"


# --- markup is text ----------------------------------------------------------------------------

MARKUP = "<script>alert(1)</script> y <b>negrita</b>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; y &lt;b&gt;negrita&lt;/b&gt;"


def _assert_escaped(html):
    assert "<script>alert(1)</script>" not in html
    assert "<b>negrita</b>" not in html
    assert ESCAPED in html


def test_markup_in_an_answer_is_shown_as_text_on_every_page(people, client_as):
    _draft(DELEGADA_SV, MARKUP)
    client = client_as(user(DELEGADO_SV))

    _assert_escaped(client.get(url()).text)  # in the form
    conflict = post(client, text=MARKUP + " mío", version=0)
    assert conflict.status_code == 409
    _assert_escaped(conflict.text)  # both texts and the combined form
    post(client, text=MARKUP, version=1, action="submit")
    _assert_escaped(client.get(url()).text)  # read-only
    _assert_escaped(client.get(url() + "history/").text)
    closed_client = client_as(user(DELEGADA_SV))
    refused = post(closed_client, text=MARKUP, version=1)
    _assert_escaped(refused.text)  # the unsaved text


def test_a_stale_save_of_the_very_same_text_needs_no_choice(people, client_as):
    _draft(DELEGADO_SV, "Mismo texto")

    response = post(client_as(user(DELEGADA_SV)), text="Mismo texto", version=0)

    assert response.status_code == 302
    answer = stored("SV")
    assert (answer.text, answer.version, answer.edited_by) == ("Mismo texto", 1, user(DELEGADO_SV))
