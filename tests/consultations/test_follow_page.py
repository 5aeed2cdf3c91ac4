"""The Secretaría's follow-up page (issue 7, point 5): response rates by country and question,
a server-rendered chart, who has not answered, extensions, and the "Recordar" buttons."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from consultations.services import deadline_extend
from participants.models import Notification
from tests.admin_factories import (
    AnswerFactory,
    DelegationFactory,
    ParticipantFactory,
    QuestionAssignmentFactory,
    TriggerQuestionFactory,
)
from tests.conftest import ROLES
from tests.factories import CountryFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

PAGE = "staff:consultations"
REMIND = "staff:consultations_remind"


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _table(soup, css_class) -> dict[str, list[str]]:
    """``{row header: [cell texts]}`` of the table's body."""
    table = soup.find("table", class_=css_class)
    return {
        " ".join(row.th.get_text(" ", strip=True).split()): [
            " ".join(td.get_text(" ", strip=True).split()) for td in row.find_all("td")
        ]
        for row in table.tbody.find_all("tr")
    }


def _pending(soup) -> dict[str, str]:
    """``{country: the row's text}`` of the pending countries' table."""
    return {
        row.th.find(string=True, recursive=False).strip(): " ".join(row.get_text(" ").split())
        for row in soup.find("table", class_="followup-pending").tbody("tr")
    }


def _remind_forms(soup) -> dict[str, dict]:
    forms = {}
    for form in soup.find_all("form", class_="followup-remind"):
        data = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
        forms[data["country"]] = data
    return forms


@pytest.fixture
def answered(demo):
    """El Salvador submitted TQ-S1-1 and drafts TQ-S1-2; Mexico drafts TQ-S1-1."""
    sv = demo.delegations.get(country_id="SV")
    mx = demo.delegations.get(country_id="MX")
    first = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    second = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-2")
    AnswerFactory(
        question=first,
        delegation=sv,
        status=Answer.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    AnswerFactory(question=second, delegation=sv)
    AnswerFactory(question=first, delegation=mx)
    return first, second


# --- What the page shows ----------------------------------------------------------------------


def test_rates_by_country_count_submitted_and_drafts_apart(people, client_as, answered):
    soup = _soup(client_as(people["staff"]).get(reverse(PAGE)))

    rows = _table(soup, "followup-countries")
    assert len(rows) == 11
    assert rows["El Salvador"][:5] == ["8", "1", "1", "6", "13 %"]
    assert rows["México"][:5] == ["8", "0", "1", "7", "0 %"]
    assert rows["Belice"][:5] == ["8", "0", "0", "8", "0 %"]
    totals = [
        td.get_text(strip=True)
        for td in soup.find("table", class_="followup-countries").tfoot.find_all("td")
    ]
    assert totals[:5] == ["88", "1", "2", "85", "1 %"]


def test_rates_by_question(people, client_as, answered):
    soup = _soup(client_as(people["staff"]).get(reverse(PAGE)))

    rows = _table(soup, "followup-questions")
    first = next(cells for header, cells in rows.items() if header.startswith("TQ-S1-1 "))
    second = next(cells for header, cells in rows.items() if header.startswith("TQ-S1-2 "))
    assert first[:4] == ["11", "1", "1", "9 %"]
    assert second[:4] == ["11", "0", "1", "0 %"]
    assert "(America/El_Salvador, UTC−06:00)" in first[4]


def test_chart_is_an_accessible_inline_svg_with_the_same_numbers(people, client_as, answered):
    soup = _soup(client_as(people["staff"]).get(reverse(PAGE)))

    svg = soup.find("svg", class_="followup-chart")
    assert svg["role"] == "img"
    assert svg["aria-labelledby"] == "followup-chart-title followup-chart-desc"
    assert svg.find("title", id="followup-chart-title").get_text() == (
        "Respuestas enviadas por país"
    )
    desc = svg.find("desc").get_text()
    assert "El Salvador: 1/8 (13 %)." in desc
    texts = [text.get_text() for text in svg.find_all("text")]
    assert "El Salvador" in texts
    assert "1/8 (13 %)" in texts
    # Submitted 1 of 8 → 40 of the 320 units; the draft follows it, 40 units wide.
    bars = [(r["x"], r.get("width"), r["fill"]) for r in svg.find_all("rect")]
    assert ("160", "40.0", "#0b4f8a") in bars
    assert ("200.0", "40.0", "#a14a00") in bars
    assert soup.find("script") is None or not soup.find("script").string


def test_pending_countries_say_who_can_be_reminded(people, client_as, answered):
    soup = _soup(client_as(people["staff"]).get(reverse(PAGE)))

    items = _pending(soup)
    assert len(items) == 11
    assert "2 delegados inscritos, 2 aprobados" in items["El Salvador"]
    assert "2 delegados inscritos, 1 aprobado" in items["México"]
    assert "Sin delegados aprobados: no hay a quién recordar." in items["Belice"]
    assert sorted(_remind_forms(soup)) == ["MX", "SV", "all"]


def test_country_that_answered_everything_leaves_the_pending_list(people, client_as, demo):
    sv = demo.delegations.get(country_id="SV")
    for question in TriggerQuestion.objects.filter(workshop=demo):
        AnswerFactory(
            question=question, delegation=sv, status="submitted", submitted_at=timezone.now()
        )

    soup = _soup(client_as(people["staff"]).get(reverse(PAGE)))

    pending = list(_pending(soup))
    assert "El Salvador" not in pending
    assert _table(soup, "followup-countries")["El Salvador"][:5] == ["8", "8", "0", "0", "100 %"]


def test_closed_deadline_cannot_be_reminded(people, client_as, demo):
    TriggerQuestion.objects.filter(workshop=demo).update(
        deadline=timezone.now() - dt.timedelta(hours=1)
    )

    soup = _soup(client_as(people["staff"]).get(reverse(PAGE)))

    assert _remind_forms(soup) == {}
    assert "Los plazos de sus preguntas pendientes vencieron." in soup.get_text()


def test_extension_is_shown_with_its_author_and_reason(people, client_as, demo):
    assignment = QuestionAssignment.objects.get(question__code="TQ-S1-1", country_id="MX")
    deadline_extend(
        assignment=assignment,
        until=dt.datetime(2030, 7, 2, 0, 0, tzinfo=dt.UTC),
        by=people["staff"],
        reason="Cambio de gabinete",
    )

    soup = _soup(client_as(people["staff"]).get(reverse(PAGE)))

    mexico = _table(soup, "followup-countries")["México"][5]
    assert (
        "TQ-S1-1: prorrogada hasta 1 de julio de 2030, 18:00 (America/El_Salvador, UTC−06:00) "
        "· Secretaría Ejecutiva (demo) · «Cambio de gabinete»"
    ) in mexico
    # Two deadlines now apply to Mexico: the questions' and the extension.
    assert mexico.count("(America/El_Salvador, UTC−06:00)") == 3
    question = next(
        cells
        for header, cells in _table(soup, "followup-questions").items()
        if header.startswith("TQ-S1-1 ")
    )
    assert "prorrogada para 1 país" in question[4]


def test_times_are_in_the_readers_own_zone(people, client_as, demo):
    people["staff"].time_zone = "Europe/Madrid"
    people["staff"].save()

    html = client_as(people["staff"]).get(reverse(PAGE)).content.decode()

    assert "Horas en la zona Europe/Madrid." in html
    assert "(Europe/Madrid, UTC+0" in html


def test_page_in_english(people, client_as, answered):
    response = client_as(people["staff"]).get("/en" + reverse(PAGE))

    soup = _soup(response)
    assert soup.h1.get_text() == "Trigger questions follow-up"
    assert "El Salvador" in _table(soup, "followup-countries")
    assert soup.find("title", id="followup-chart-title").get_text() == (
        "Answers submitted by country"
    )


def test_dashboard_links_to_the_follow_up_page(people, client_as):
    soup = _soup(client_as(people["staff"]).get(reverse("staff:dashboard")))

    assert soup.find("a", href=reverse(PAGE)).get_text() == (
        "Seguimiento de las preguntas detonadoras"
    )


# --- Reminding -----------------------------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_remind_one_country_writes_one_reminder_per_approved_delegate(
    people, client_as, demo, django_capture_on_commit_callbacks
):
    client = client_as(people["staff"])
    form = _remind_forms(_soup(client.get(reverse(PAGE))))["SV"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse(REMIND), form, follow=True)

    assert response.redirect_chain == [(reverse(PAGE), 302)]
    assert _messages(response) == ["Recordatorio en camino: se escribirá a 2 personas."]
    assert sorted(
        Notification.objects.values_list("participant__user__email", "kind", "dedupe_key")
    ) == [
        (email, "answers_reminder", f"reminder-{form['nonce']}")
        for email in ("delegada.sv@crm-workshop.test", "delegado.sv@crm-workshop.test")
    ]
    assert len(callbacks) == 2


def test_double_click_reminds_once(people, client_as, demo):
    client = client_as(people["staff"])
    form = _remind_forms(_soup(client.get(reverse(PAGE))))["MX"]

    client.post(reverse(REMIND), form, follow=True)
    second = client.post(reverse(REMIND), form, follow=True)

    assert Notification.objects.count() == 1
    assert _messages(second) == [
        "Este recordatorio ya se había enviado (el mismo formulario dos veces): no se escribe "
        "de nuevo a nadie."
    ]


def test_a_freshly_loaded_page_may_remind_again(people, client_as, demo):
    client = client_as(people["staff"])
    client.post(reverse(REMIND), _remind_forms(_soup(client.get(reverse(PAGE))))["MX"])

    client.post(reverse(REMIND), _remind_forms(_soup(client.get(reverse(PAGE))))["MX"])

    assert Notification.objects.filter(kind="answers_reminder").count() == 2


def test_remind_all_pending_countries(people, client_as, demo):
    client = client_as(people["staff"])
    form = _remind_forms(_soup(client.get(reverse(PAGE))))["all"]

    response = client.post(reverse(REMIND), form, follow=True)

    assert _messages(response) == ["Recordatorio en camino: se escribirá a 3 personas."]
    assert sorted(
        Notification.objects.values_list("participant__delegation__country_id", flat=True)
    ) == ["MX", "SV", "SV"]


def test_remind_all_after_one_country_on_the_same_page_skips_it(people, client_as, demo):
    client = client_as(people["staff"])
    forms = _remind_forms(_soup(client.get(reverse(PAGE))))
    client.post(reverse(REMIND), forms["SV"], follow=True)

    response = client.post(reverse(REMIND), forms["all"], follow=True)

    assert _messages(response) == ["Recordatorio en camino: se escribirá a 1 persona."]
    assert Notification.objects.count() == 3


def test_country_without_approved_delegates_is_refused(people, client_as, demo):
    client = client_as(people["staff"])
    nonce = _remind_forms(_soup(client.get(reverse(PAGE))))["SV"]["nonce"]

    response = client.post(reverse(REMIND), {"country": "BZ", "nonce": nonce}, follow=True)

    assert _messages(response) == [
        "No se envió ningún recordatorio: ese país ya no tiene respuestas pendientes con plazo "
        "abierto, o no tiene delegados aprobados."
    ]
    assert not Notification.objects.exists()


@pytest.mark.parametrize("nonce", ["", "x" * 32, "0" * 31, "A" * 32])
def test_malformed_nonce_writes_nothing(people, client_as, demo, nonce):
    response = client_as(people["staff"]).post(
        reverse(REMIND), {"country": "SV", "nonce": nonce}, follow=True
    )

    assert _messages(response) == ["El formulario caducó; vuelva a cargar la página."]
    assert not Notification.objects.exists()


def test_remind_is_post_only(people, client_as, demo):
    assert client_as(people["staff"]).get(reverse(REMIND)).status_code == 405


# --- Who may see and remind --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_page_is_for_staff_only(role, people, client_as):
    response = client_as(people[role]).get(reverse(PAGE))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == (200 if role == "staff" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_remind_post_by_anyone_but_staff_writes_nothing(role, people, client_as):
    response = client_as(people[role]).post(
        reverse(REMIND), {"country": "all", "nonce": "0123456789abcdef" * 2}
    )

    if role == "staff":
        assert response.status_code == 302
        assert Notification.objects.count() == 3
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert not Notification.objects.exists()


# --- A fixed number of queries --------------------------------------------------------------


def _workshop_with(countries: int, questions: int):
    """A published workshop newer than any other (the current one), ``countries`` countries
    with two approved delegates and a pending one, ``questions`` questions sent to each,
    a submitted answer, a draft and an extension per country."""
    workshop = WorkshopFactory(is_published=True)
    codes = ["BZ", "CA", "CR", "SV", "US", "GT", "HN", "MX", "NI", "PA", "DO"][:countries]
    created = [
        TriggerQuestionFactory(workshop=workshop, deadline=timezone.now() + dt.timedelta(days=9))
        for _ in range(questions)
    ]
    for code in codes:
        country = CountryFactory(iso_code=code, name_es=f"País {code}", name_en=f"Country {code}")
        delegation = DelegationFactory(workshop=workshop, country=country)
        for status in ("approved", "approved", "pending"):
            ParticipantFactory(delegation=delegation, registration_status=status)
        for question in created:
            assignment = QuestionAssignmentFactory(question=question, country=country)
        deadline_extend(
            assignment=assignment,
            until=timezone.now() + dt.timedelta(days=20),
            by=None,
            reason="Más tiempo",
        )
        AnswerFactory(
            question=created[0],
            delegation=delegation,
            status="submitted",
            submitted_at=timezone.now(),
        )
        AnswerFactory(question=created[-1], delegation=delegation)
    return workshop


def _count_page_queries(client) -> tuple[int, BeautifulSoup]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(PAGE))
    assert response.status_code == 200
    return len(queries), _soup(response)


def test_query_count_does_not_grow_with_countries_and_questions(client_as, settings):
    staff = ParticipantFactory().user  # any account; made staff below
    staff.is_staff = True
    staff.save()
    client = client_as(staff)

    _workshop_with(countries=1, questions=2)
    few, soup = _count_page_queries(client)
    assert len(_table(soup, "followup-countries")) == 1

    _workshop_with(countries=11, questions=14)
    many, soup = _count_page_queries(client)
    assert len(_table(soup, "followup-countries")) == 11
    assert len(_table(soup, "followup-questions")) == 14

    assert few == many
    assert many <= 12
