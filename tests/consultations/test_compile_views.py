"""The compilation pages: who reaches them, what they show, reopening, query counts."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Answer, Compendium, QuestionAssignment, TriggerQuestion
from participants.models import User
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

SUBMITTED_AT = dt.datetime(2022, 6, 10, 23, 30, tzinfo=dt.UTC)  # 17:30 in San Salvador


def submit(question, country_id, text, *, by=None, when=SUBMITTED_AT, version=2) -> Answer:
    """A submitted answer of ``country_id``'s delegation to ``question`` (as answer_save
    leaves it)."""
    delegation = question.workshop.delegations.get(country_id=country_id)
    return Answer.objects.create(
        question=question,
        delegation=delegation,
        text=text,
        status=Answer.Status.SUBMITTED,
        version=version,
        submitted_at=when,
        submitted_by=by,
        edited_by=by,
    )


def draft(question, country_id, text) -> Answer:
    delegation = question.workshop.delegations.get(country_id=country_id)
    return Answer.objects.create(question=question, delegation=delegation, text=text)


def question(demo, code) -> TriggerQuestion:
    return TriggerQuestion.objects.get(workshop=demo, code=code)


def _text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


# --- Who may reach what -------------------------------------------------------------------

# Per role, the status of each read-only URL (S1 question, S2 question, index, compendium,
# progress, download, exports, unknown export format). Anonymous → sign-in page (302).
EXPECTED_GET = {
    "anonymous": {"index": 302, "q1": 302, "q2": 302, "staff_only": 302},
    "pending": {"index": 404, "q1": 404, "q2": 404, "staff_only": 404},
    "delegate": {"index": 404, "q1": 404, "q2": 404, "staff_only": 404},
    "focal_point_other": {"index": 404, "q1": 404, "q2": 404, "staff_only": 404},
    "observer": {"index": 404, "q1": 404, "q2": 404, "staff_only": 404},
    "moderator": {"index": 200, "q1": 200, "q2": 404, "staff_only": 404},
    "staff": {"index": 200, "q1": 200, "q2": 200, "staff_only": 200},
}


@pytest.fixture
def compiled(demo, people):
    """Submitted answers from SV and MX to TQ-S1-1 and TQ-S2-1, a draft from GT, and a
    finished compendium with a file."""
    from django.core.files.base import ContentFile

    q1, q2 = question(demo, "TQ-S1-1"), question(demo, "TQ-S2-1")
    sv = people["focal_point_other"]
    answers = {
        "sv1": submit(q1, "SV", "Respuesta de El Salvador a S1.", by=sv),
        "mx1": submit(q1, "MX", "Respuesta de México a S1.", by=people["delegate"]),
        "sv2": submit(q2, "SV", "Respuesta de El Salvador a S2.", by=sv),
        "gt1": draft(q1, "GT", "BORRADOR-GUATEMALA sin enviar"),
    }
    compendium = Compendium(workshop=demo, language="es", requested_by=people["staff"])
    compendium.file.save("compendia/prueba.pdf", ContentFile(b"%PDF-1.7 prueba"), save=False)
    compendium.sha256 = "0" * 64
    compendium.status = Compendium.Status.DONE
    compendium.progress = 100
    compendium.page_count = 1
    compendium.save()
    return {"q1": q1, "q2": q2, "compendium": compendium, **answers}


def _staff_only_urls(compiled):
    pk = compiled["compendium"].pk
    return [
        reverse("consultations:export", args=["csv"]),
        reverse("consultations:export", args=["xlsx"]),
        reverse("consultations:compendium", args=[pk]),
        reverse("consultations:compendium_progress", args=[pk]),
        reverse("consultations:compendium_download", args=[pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_compile_urls_by_role(client_as, people, compiled, role):
    client = client_as(people[role])
    expected = EXPECTED_GET[role]
    index = client.get(reverse("consultations:compile"))
    assert index.status_code == expected["index"]
    q1 = client.get(reverse("consultations:question_answers", args=["TQ-S1-1"]))
    assert q1.status_code == expected["q1"]
    q2 = client.get(reverse("consultations:question_answers", args=["TQ-S2-1"]))
    assert q2.status_code == expected["q2"]
    for url in _staff_only_urls(compiled):
        response = client.get(url)
        assert response.status_code == expected["staff_only"], url
        if role == "anonymous":
            assert response["Location"].startswith(reverse("account_login"))
        elif expected["staff_only"] == 404:
            assert b"Respuesta de" not in b"".join(response)


@pytest.mark.parametrize("role", ROLES)
def test_unknown_question_and_compendium_are_404_or_sign_in(client_as, people, compiled, role):
    client = client_as(people[role])
    expected = 302 if role == "anonymous" else 404
    assert (
        client.get(reverse("consultations:question_answers", args=["TQ-NADA"])).status_code
        == expected
    )
    assert client.get(reverse("consultations:compendium", args=[99999])).status_code == expected
    assert client.get(reverse("consultations:export", args=["json"])).status_code == expected


def test_export_other_formats_are_404_for_staff(client_as, people, compiled):
    client = client_as(people["staff"])
    for fmt in ("json", "xls", "pdf", "CSV", "csv.exe"):
        assert client.get(f"/consultations/compile/export.{fmt}").status_code == 404


def test_moderator_sees_only_submitted_answers_of_their_session(client_as, people, compiled):
    client = client_as(people["moderator"])
    response = client.get(reverse("consultations:question_answers", args=["TQ-S1-1"]))
    text = _text(response)
    assert "Respuesta de El Salvador a S1." in text
    assert "Respuesta de México a S1." in text
    assert "BORRADOR-GUATEMALA" not in text
    assert "borrador en curso" not in text  # moderators are not told about drafts
    assert "Reabrir" not in text
    index = _text(client.get(reverse("consultations:compile")))
    assert "TQ-S1-1" in index
    assert "TQ-S2-1" not in index
    assert "Exportar" not in index


def test_staff_question_page_shows_answers_zone_and_reopen_forms(client_as, people, compiled):
    client = client_as(people["staff"])
    response = client.get(reverse("consultations:question_answers", args=["TQ-S1-1"]))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "[Pregunta de ejemplo]" in text  # the question in the reader's language
    assert "Respuesta de El Salvador a S1." in text
    assert "BORRADOR-GUATEMALA" not in text  # staff do not read drafts here either
    assert "Guatemala — borrador en curso" in text
    # Staff read times in the workshop's zone (no zone of their own): 23:30 UTC = 17:30.
    assert "17:30" in text
    assert "(America/El_Salvador, UTC−06:00)" in text
    forms = soup.select("form.reopen-form")
    assert sorted(form["action"] for form in forms) == sorted(
        reverse("consultations:reopen", args=[compiled[key].pk]) for key in ("sv1", "mx1")
    )


def test_question_page_in_english(client_as, people, compiled):
    client = client_as(people["staff"])
    response = client.get("/en" + reverse("consultations:question_answers", args=["TQ-S1-1"]))
    assert response.status_code == 200
    assert "[Example question]" in _text(response)


def test_answer_text_is_escaped_on_the_page(client_as, people, compiled):
    hostile = '<script>alert(1)</script><img src="file:///etc/passwd">'
    Answer.objects.filter(pk=compiled["sv1"].pk).update(text=hostile)
    response = client_as(people["staff"]).get(
        reverse("consultations:question_answers", args=["TQ-S1-1"])
    )
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
    assert hostile in _text(response)


# --- Reopening ----------------------------------------------------------------------------


def _reopen(client, answer, reason="Falta la cifra de 2021."):
    return client.post(
        reverse("consultations:reopen", args=[answer.pk]), {f"answer-{answer.pk}-reason": reason}
    )


def test_staff_reopen_keeps_reason_in_history(client_as, people, compiled):
    answer = compiled["sv1"]
    response = _reopen(client_as(people["staff"]), answer)
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:question_answers", args=["TQ-S1-1"])
    answer.refresh_from_db()
    assert answer.status == Answer.Status.DRAFT
    assert answer.reopen_reason == "Falta la cifra de 2021."
    assert answer.reopened_by == people["staff"]
    latest = answer.history.first()
    assert latest.history_change_reason == "Falta la cifra de 2021."
    assert latest.history_user == people["staff"]


def test_reopen_without_reason_changes_nothing(client_as, people, compiled):
    answer = compiled["sv1"]
    client = client_as(people["staff"])
    response = _reopen(client, answer, reason="   ")
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.status == Answer.Status.SUBMITTED
    page = client.get(response["Location"])
    assert "Indique el motivo de la reapertura" in _text(page)


def test_reopen_of_a_draft_is_a_message_not_a_500(client_as, people, compiled):
    client = client_as(people["staff"])
    response = _reopen(client, compiled["gt1"])
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Solo se puede reabrir una respuesta enviada" in _text(page)
    compiled["gt1"].refresh_from_db()
    assert compiled["gt1"].version == 1


@pytest.mark.parametrize("role", [role for role in ROLES if role != "staff"])
def test_reopen_by_others_changes_nothing(client_as, people, compiled, role):
    answer = compiled["sv1"]
    history_before = answer.history.count()
    response = _reopen(client_as(people[role]), answer)
    assert response.status_code == (302 if role == "anonymous" else 404)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.SUBMITTED
    assert answer.version == 2
    assert answer.reopen_reason == ""
    assert answer.history.count() == history_before


def test_reopen_is_post_only(client_as, people, compiled):
    response = client_as(people["staff"]).get(
        reverse("consultations:reopen", args=[compiled["sv1"].pk])
    )
    assert response.status_code == 405


@pytest.mark.parametrize("role", [role for role in ROLES if role != "staff"])
def test_compendium_start_by_others_creates_nothing(client_as, people, compiled, role):
    before = Compendium.objects.count()
    response = client_as(people[role]).post(
        reverse("consultations:compendium_start"), {"language": "es"}
    )
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert Compendium.objects.count() == before


# --- Query counts -------------------------------------------------------------------------


def _only_countries(q, keep: list[str]):
    QuestionAssignment.objects.filter(question=q).exclude(country_id__in=keep).delete()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_question_page_queries_do_not_grow_with_countries(client_as, people, demo):
    q1 = question(demo, "TQ-S1-1")
    q2 = question(demo, "TQ-S1-2")
    _only_countries(q1, ["SV"])
    submit(q1, "SV", "Una.", by=people["focal_point_other"])
    countries = list(
        QuestionAssignment.objects.filter(question=q2).values_list("country_id", flat=True)
    )
    assert len(countries) == 11
    for index, country_id in enumerate(countries):
        user = User.objects.create_user(username=f"u{index}", email=f"u{index}@example.org")
        submit(q2, country_id, f"Respuesta {country_id}.", by=user)
    for role in ("staff", "moderator"):
        client = client_as(people[role])
        one = _count_queries(client, reverse("consultations:question_answers", args=[q1.code]))
        eleven = _count_queries(client, reverse("consultations:question_answers", args=[q2.code]))
        assert one == eleven, role
        page = _text(client.get(reverse("consultations:question_answers", args=[q2.code])))
        assert all(f"Respuesta {country_id}." in page for country_id in countries)


def test_index_queries_do_not_grow_with_questions(client_as, people, demo):
    client = client_as(people["staff"])
    TriggerQuestion.objects.filter(workshop=demo).exclude(code="TQ-S1-1").delete()
    one = _count_queries(client, reverse("consultations:compile"))
    for number in range(2, 12):
        TriggerQuestion.objects.create(
            workshop=demo, code=f"TQ-X-{number}", text_es=f"¿Pregunta {number}?", order=number
        )
    many = _count_queries(client, reverse("consultations:compile"))
    assert one == many


def test_question_page_in_the_readers_own_zone_with_historic_offset(client_as, people, compiled):
    """Mexico City had daylight saving time until October 2022: UTC−05:00 in June 2022."""
    staff = people["staff"]
    staff.time_zone = "America/Mexico_City"
    staff.save(update_fields=["time_zone"])
    response = client_as(staff).get(reverse("consultations:question_answers", args=["TQ-S1-1"]))
    text = _text(response)
    assert "Horas en America/Mexico_City." in text
    assert "10 de junio de 2022, 18:30 (America/Mexico_City, UTC−05:00)" in text
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("li.compile-answer time")["datetime"] == "2022-06-10T18:30:00-0500"


def test_moderator_index_queries_do_not_grow_with_questions(client_as, people, demo):
    client = client_as(people["moderator"])
    session = demo.sessions.get(number=1)
    TriggerQuestion.objects.filter(workshop=demo).exclude(code="TQ-S1-1").delete()
    one = _count_queries(client, reverse("consultations:compile"))
    for number in range(2, 12):
        TriggerQuestion.objects.create(
            workshop=demo,
            session=session,
            code=f"TQ-X-{number}",
            text_es=f"¿Pregunta {number}?",
            order=number,
        )
    many = _count_queries(client, reverse("consultations:compile"))
    assert one == many
    assert "TQ-X-11" in _text(client.get(reverse("consultations:compile")))


def test_export_queries_do_not_grow_with_answers(client_as, people, demo):
    client = client_as(people["staff"])
    q1 = question(demo, "TQ-S1-1")
    submit(q1, "SV", "Una.", by=people["focal_point_other"])
    url = reverse("consultations:export", args=["xlsx"])
    one = _count_queries(client, url)
    for country_id in ["BZ", "CA", "CR", "US", "GT", "HN", "MX", "NI", "PA", "DO"]:
        user = User.objects.create_user(username=f"x{country_id}", email=f"{country_id}@e.org")
        submit(q1, country_id, f"Respuesta {country_id}.", by=user)
    assert _count_queries(client, url) == one
