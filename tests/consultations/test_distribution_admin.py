"""Writing and distributing trigger questions in the admin (issue 7, point 1), through the UI:
the "Distribuir a países…" action, its intermediate page, and per-country extensions."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from consultations.distribution import DistributionError, questions_distribute
from consultations.models import QuestionAssignment, QuestionDistribution, TriggerQuestion
from consultations.notifications import distribution_notify
from participants.models import Country, Notification
from tests.admin_factories import StaffUserFactory, TriggerQuestionFactory
from tests.conftest import ROLES
from tests.factories import WorkshopFactory
from tests.rendered_forms import rendered_form

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:consultations_triggerquestion_changelist"
MEMBERS_BUT_CR = ["BZ", "CA", "DO", "GT", "HN", "MX", "NI", "PA", "SV", "US"]


@pytest.fixture
def question(demo):
    """A new question of the demo workshop, sent to nobody yet."""
    return TriggerQuestionFactory(
        workshop=demo,
        code="TQ-NEW-1",
        text_es="¿Qué necesita su país para investigar las redes?",
        text_en="What does your country need to investigate the networks?",
        session=demo.sessions.get(number=1),
        deadline=timezone.now() + dt.timedelta(days=10),
    )


@pytest.fixture
def observer_country(demo):
    Country.objects.filter(pk="CR").update(crm_status=Country.CrmStatus.OBSERVER)


def _open_action(client, *questions):
    return client.post(
        reverse(CHANGELIST),
        {"action": "distribute_questions", "_selected_action": [q.pk for q in questions]},
    )


# --- The intermediate page ----------------------------------------------------------------------


def test_action_page_lists_every_delegation_country_with_members_checked(
    people, client_as, question, observer_country
):
    response = _open_action(client_as(people["staff"]), question)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/consultations/triggerquestion/distribute.html"
    data = rendered_form(response.content, "distribute-form")
    assert sorted(data["countries"]) == MEMBERS_BUT_CR
    assert data["_selected_action"] == [str(question.pk)]
    assert data["apply"] == ["1"]
    html = response.content.decode()
    assert "Costa Rica (País Observador)" in html
    assert 'class="form-check-input"' in html  # crispy-forms renders the checkboxes
    assert "TQ-NEW-1" in html


def test_action_page_names_the_deadline_zone(people, client_as, question):
    question.deadline = dt.datetime(2030, 6, 10, 0, 0, tzinfo=dt.UTC)
    question.save()

    response = _open_action(client_as(people["staff"]), question)

    assert "Fecha límite: 2030-06-09 18:00 (America/El_Salvador)" in response.content.decode()


def test_distributing_assigns_records_and_notifies_each_approved_delegate_once(
    people, client_as, question, observer_country, django_capture_on_commit_callbacks
):
    client = client_as(people["staff"])
    data = rendered_form(_open_action(client, question).content, "distribute-form")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse(CHANGELIST), data, follow=True)

    distribution = QuestionDistribution.objects.get()
    assert distribution.created_by == people["staff"]
    assert list(distribution.questions.all()) == [question]
    assert sorted(distribution.countries.values_list("pk", flat=True)) == MEMBERS_BUT_CR
    assignments = QuestionAssignment.objects.filter(question=question)
    assert sorted(assignments.values_list("country_id", flat=True)) == MEMBERS_BUT_CR
    assert set(assignments.values_list("distribution", flat=True)) == {distribution.pk}
    # SV: the focal point and his colleague; MX: the approved delegate (not the pending one).
    assert sorted(
        Notification.objects.values_list("participant__user__email", "kind", "dedupe_key")
    ) == [
        (email, "questions_distributed", f"distribution-{distribution.pk}")
        for email in (
            "delegada.mx@crm-workshop.test",
            "delegada.sv@crm-workshop.test",
            "delegado.sv@crm-workshop.test",
        )
    ]
    assert len(callbacks) == 3  # one send task each, after the commit
    assert [str(m) for m in response.context["messages"]] == [
        f"Distribución n.º {distribution.pk}: 1 preguntas a 10 países. Se escribirá a 3 personas."
    ]


def test_unchecking_countries_leaves_them_out(people, client_as, question):
    client = client_as(people["staff"])
    data = rendered_form(_open_action(client, question).content, "distribute-form")
    data["countries"] = ["MX"]

    client.post(reverse(CHANGELIST), data)

    assert list(question.assignments.values_list("country_id", flat=True)) == ["MX"]
    assert list(Notification.objects.values_list("participant__user__email", flat=True)) == [
        "delegada.mx@crm-workshop.test"
    ]


def test_no_country_chosen_shows_the_error_and_writes_nothing(people, client_as, question):
    client = client_as(people["staff"])
    data = rendered_form(_open_action(client, question).content, "distribute-form")
    del data["countries"]

    response = client.post(reverse(CHANGELIST), data)

    assert response.status_code == 200
    assert "Elija al menos un país." in response.content.decode()
    assert not QuestionDistribution.objects.exists()
    assert not Notification.objects.exists()


def test_already_assigned_question_keeps_its_assignment_and_extension(people, client_as, demo):
    seeded = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    extended_to = timezone.now() + dt.timedelta(days=40)
    QuestionAssignment.objects.filter(question=seeded, country_id="MX").update(
        deadline_extended_to=extended_to
    )
    client = client_as(people["staff"])
    data = rendered_form(_open_action(client, seeded).content, "distribute-form")

    client.post(reverse(CHANGELIST), data)

    mexico = QuestionAssignment.objects.get(question=seeded, country_id="MX")
    assert (mexico.distribution, mexico.deadline_extended_to) == (None, extended_to)
    assert QuestionAssignment.objects.filter(question=seeded).count() == 11
    assert Notification.objects.count() == 3


def test_questions_of_two_workshops_are_refused(people, client_as, question):
    other = TriggerQuestionFactory(workshop=WorkshopFactory(), code="TQ-OTHER")

    response = _open_action(client_as(people["staff"]), question, other)

    assert response.status_code == 302
    assert not QuestionDistribution.objects.exists()


def test_service_refuses_a_country_without_delegation(demo, question):
    outsider = Country.objects.create(
        iso_code="CO", name_es="Colombia", name_en="Colombia", time_zone="America/Bogota"
    )

    with pytest.raises(DistributionError):
        questions_distribute(questions=[question], countries=[outsider], by=None)

    assert not QuestionDistribution.objects.exists()


def test_notifying_the_same_distribution_again_writes_nothing(people, question):
    distribution, notified = questions_distribute(
        questions=[question], countries=Country.objects.filter(pk__in=["SV", "MX"]), by=None
    )

    assert notified == 3
    assert distribution_notify(distribution=distribution) == []
    assert Notification.objects.count() == 3


def test_a_second_distribution_is_a_new_occasion(people, question):
    countries = Country.objects.filter(pk="MX")
    questions_distribute(questions=[question], countries=countries, by=None)
    questions_distribute(questions=[question], countries=countries, by=None)

    assert Notification.objects.count() == 2
    assert QuestionAssignment.objects.filter(question=question).count() == 1


# --- Who may distribute -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_reach_the_action(role, people, client_as, question):
    response = _open_action(client_as(people[role]), question)

    assert response.status_code == (200 if role == "staff" else 302)
    if role != "staff":
        assert (
            response["Location"].startswith("/accounts/login/")
            or "/login/" in (response["Location"])
        )


@pytest.mark.parametrize("role", ROLES)
def test_apply_post_by_anyone_but_staff_writes_nothing(role, people, client_as, question):
    client = client_as(people[role])
    data = {
        "action": "distribute_questions",
        "apply": "1",
        "_selected_action": [question.pk],
        "countries": ["MX", "SV"],
    }

    client.post(reverse(CHANGELIST), data)

    assert QuestionDistribution.objects.exists() == (role == "staff")
    assert Notification.objects.exists() == (role == "staff")


def test_staff_without_change_permission_cannot_distribute(demo, client_as, question):
    viewer = StaffUserFactory(username="solo.lectura", is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_triggerquestion"))
    data = {
        "action": "distribute_questions",
        "apply": "1",
        "_selected_action": [question.pk],
        "countries": ["MX", "SV"],
    }

    response = client_as(viewer).post(reverse(CHANGELIST), data)

    assert response.status_code == 403
    assert not QuestionDistribution.objects.exists()
    assert not QuestionAssignment.objects.filter(question=question).exists()
    assert not Notification.objects.exists()


# --- Writing a question, and one country's extension --------------------------------------------


def test_question_form_says_its_deadline_is_in_the_workshop_zone(people, client_as, question):
    response = client_as(people["staff"]).get(
        reverse("admin:consultations_triggerquestion_change", args=[question.pk])
    )

    html = response.content.decode()
    assert "Todas las fechas y horas de este formulario están en la zona America/El_Salvador." in (
        html
    )
    assert "Hora de America/El_Salvador." in html


def test_extension_in_the_inline_is_kept_with_who_and_why(people, client_as, demo):
    seeded = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    url = reverse("admin:consultations_triggerquestion_change", args=[seeded.pk])
    client = client_as(people["staff"])
    page = client.get(url)
    data = rendered_form(page.content, "triggerquestion_form")
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("assignments-") and key.endswith("-country") and value == ["MX"]
    )
    data[f"assignments-{index}-deadline_extended_to_0"] = ["2030-07-01"]
    data[f"assignments-{index}-deadline_extended_to_1"] = ["18:00"]
    data[f"assignments-{index}-extension_reason"] = ["Cambio de gabinete"]

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    mexico = QuestionAssignment.objects.get(question=seeded, country_id="MX")
    assert mexico.deadline_extended_to == dt.datetime(2030, 7, 2, 0, 0, tzinfo=dt.UTC)
    latest = mexico.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        people["staff"],
        "Cambio de gabinete",
    )
    assert mexico.history.count() == 2  # the seed's row, then the extension (once)
    others = QuestionAssignment.objects.filter(question=seeded).exclude(country_id="MX")
    assert set(others.values_list("deadline_extended_to", flat=True)) == {None}
    page = client.get(url).content.decode()
    assert "2030-07-01 18:00 (America/El_Salvador) · Secretaría Ejecutiva (demo)" in page
    assert "Cambio de gabinete" in page
