"""Point 8 of issue 5: optimistic locking of Answer and Agreement, through the rendered form.

Each test opens the admin's change page, reads the form as the browser received it, and
submits that form's own fields (changing what an editor would change, or dropping or
spoiling the hidden version to act as a crafted request).
"""

import pytest
from django.urls import reverse

from agreements.models import Agreement
from tests.admin_factories import AgreementFactory, AnswerFactory
from tests.factories import SessionFactory, UserFactory
from tests.rendered_forms import hidden_input, rendered_form

pytestmark = pytest.mark.django_db

MISSING_VERSION = (
    "El formulario no indica qué versión del registro editaba, así que no se puede comprobar "
    "si otra persona lo cambió entretanto. Vuelva a abrirlo y guarde de nuevo."
)
STALE_VERSION = (
    "Otra persona guardó este registro mientras lo editaba (versión 4; usted partió de la 3). "
    "Vuelva a abrirlo para ver los cambios antes de guardar."
)

ROWS = {
    "answer": (AnswerFactory, "consultations_answer", "answer_form"),
    "agreement": (AgreementFactory, "agreements_agreement", "agreement_form"),
}
TEXT_FIELD = {"answer": "text", "agreement": "text_es"}


@pytest.fixture
def superuser_client(client, settings):
    settings.ADMIN_REQUIRE_MFA = False  # the MFA gate is tested elsewhere
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture(params=sorted(ROWS))
def row(request):
    """An Answer or Agreement saved twice (version 3), its change URL and its form id."""
    factory, admin_name, form_id = ROWS[request.param]
    obj = factory(text="Texto original.", version=3)
    obj.text_field = TEXT_FIELD[request.param]
    return obj, reverse(f"admin:{admin_name}_change", args=[obj.pk]), form_id


def opened_form(client, url: str, form_id: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return rendered_form(response.content, form_id)


def test_change_form_renders_expected_version_hidden_with_current_version(superuser_client, row):
    _obj, url, form_id = row

    field = hidden_input(superuser_client.get(url).content, form_id, "expected_version")

    assert (field["type"], field["value"]) == ("hidden", "3")


def test_change_form_submitted_as_rendered_is_saved_and_bumps_version(superuser_client, row):
    obj, url, form_id = row
    data = opened_form(superuser_client, url, form_id)
    data[obj.text_field] = ["Texto revisado por la Secretaría."]

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    obj.refresh_from_db()
    assert (obj.text, obj.version) == ("Texto revisado por la Secretaría.", 4)


@pytest.mark.parametrize("version", [None, "", "tres", "3,5", "0", "-3"])
def test_change_form_with_missing_or_malformed_version_is_refused(superuser_client, row, version):
    obj, url, form_id = row
    data = opened_form(superuser_client, url, form_id)
    data[obj.text_field] = ["Texto sin versión."]
    if version is None:
        del data["expected_version"]
    else:
        data["expected_version"] = [version]

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expected_version"] == [MISSING_VERSION]
    assert MISSING_VERSION in response.content.decode()
    obj.refresh_from_db()
    assert (obj.text, obj.version) == ("Texto original.", 3)


def test_change_form_after_another_save_is_refused(superuser_client, row):
    obj, url, form_id = row
    mine = opened_form(superuser_client, url, form_id)
    theirs = opened_form(superuser_client, url, form_id)
    theirs[obj.text_field] = ["Texto del moderador."]
    assert superuser_client.post(url, theirs).status_code == 302
    mine[obj.text_field] = ["Texto de la Secretaría."]

    response = superuser_client.post(url, mine)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [STALE_VERSION]
    assert [error.code for error in form.non_field_errors().as_data()] == ["stale_version"]
    obj.refresh_from_db()
    assert (obj.text, obj.version) == ("Texto del moderador.", 4)


def test_add_form_needs_no_version(superuser_client):
    session = SessionFactory()
    url = reverse("admin:agreements_agreement_add")
    data = rendered_form(superuser_client.get(url).content, "agreement_form")
    data.update(
        {
            "workshop": [str(session.workshop_id)],
            "session": [str(session.pk)],
            "number": ["7"],
            "text_es": ["Acuerdo nuevo."],
        }
    )

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    assert Agreement.objects.get(number=7).version == 1
