"""Self-registration: sign-up with names and participation (pending until staff review),
and /registration/ (status page, or the form for an account with no participation)."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from participants.models import Country, Delegation, Organisation, Participant, User
from tests.conftest import ROLES

PASSWORD = "una-clave-larga-2026"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts mails per address in the cache, which outlives a test."""
    from django.core.cache import cache

    cache.clear()


def counts() -> tuple[int, int, int]:
    return (User.objects.count(), Participant.objects.count(), EmailAddress.objects.count())


def signup_data(**values) -> dict:
    data = {
        "email": "nuevo@minseg.gob.gt",
        "first_name": "Luis",
        "last_name": "Pérez Gómez",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "country": "GT",
        "organisation": "",
        "institution": "Ministerio de Gobernación",
        "position": "Analista",
        "profile": Participant.Profile.MIGRATION_CONTROL,
        "time_zone": "",
        "language": "es",
    }
    data.update(values)
    return data


# --- The sign-up form -------------------------------------------------------------------------


@pytest.mark.django_db
def test_signup_form_lists_workshop_countries_with_status_and_zone(demo, client):
    observer = Country.objects.create(
        iso_code="CO",
        name_es="Colombia",
        name_en="Colombia",
        time_zone="America/Bogota",
        crm_status=Country.CrmStatus.OBSERVER,
    )
    Delegation.objects.create(workshop=demo, country=observer)
    Country.objects.create(
        iso_code="FR", name_es="Francia", name_en="France", time_zone="Europe/Paris"
    )

    html = client.get("/accounts/signup/").content.decode()

    assert '<option value="MX">México — País Miembro (zona America/Mexico_City)</option>' in html
    assert '<option value="CO">Colombia — País Observador (zona America/Bogota)</option>' in html
    assert 'value="FR"' not in html
    assert "UNODC" in html
    for name in ("first_name", "last_name", "institution", "position", "profile", "time_zone"):
        assert f'name="{name}"' in html
    assert "<legend" in html


@pytest.mark.django_db
def test_signup_with_country_creates_pending_delegate_and_asks_verification(demo, client):
    response = client.post("/accounts/signup/", signup_data(language="en", time_zone=""))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="nuevo@minseg.gob.gt")
    assert (user.first_name, user.last_name, user.language, user.time_zone) == (
        "Luis",
        "Pérez Gómez",
        "en",
        "",
    )
    participant = Participant.objects.get(user=user)
    assert participant.role == Participant.Role.DELEGATE
    assert participant.delegation == demo.delegations.get(country_id="GT")
    assert participant.organisation is None
    assert (participant.institution, participant.position, participant.profile) == (
        "Ministerio de Gobernación",
        "Analista",
        "migration_control",
    )
    assert participant.registration_status == Participant.RegistrationStatus.PENDING
    assert participant.reviewed_at is None
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nuevo@minseg.gob.gt"]
    assert "_auth_user_id" not in client.session  # verification stays mandatory


@pytest.mark.django_db
def test_signup_with_organisation_creates_pending_observer(demo, client):
    oim = Organisation.objects.get(code="OIM")

    client.post(
        "/accounts/signup/",
        signup_data(country="", organisation=str(oim.pk), time_zone="Europe/Vienna"),
    )

    participant = Participant.objects.get(user__email="nuevo@minseg.gob.gt")
    assert (participant.role, participant.delegation, participant.organisation) == (
        "observer",
        None,
        oim,
    )
    assert participant.user.time_zone == "Europe/Vienna"
    assert participant.registration_status == "pending"


@pytest.mark.django_db
def test_signup_formula_characters_are_stored_as_typed(demo, client):
    client.post(
        "/accounts/signup/",
        signup_data(first_name="=HYPERLINK(1)", last_name="+Suma", institution="@Instituto"),
    )

    user = User.objects.get(email="nuevo@minseg.gob.gt")
    assert (user.first_name, user.last_name) == ("=HYPERLINK(1)", "+Suma")
    assert Participant.objects.get(user=user).institution == "@Instituto"


# --- Refusals: a clear message, nothing saved --------------------------------------------


REFUSALS = {
    "both": (
        {"organisation": "OIM"},
        "Elija un país o una organización, no ambos.",
    ),
    "neither": (
        {"country": ""},
        "Indique el país de su delegación o la organización que representa.",
    ),
    "country_not_in_workshop": (
        {"country": "FR"},
        "Ese país no tiene delegación en este taller.",
    ),
    "unknown_organisation": (
        {"country": "", "organisation": "999999"},
        "Esa organización no existe.",
    ),
    "bad_zone": (
        {"time_zone": "Mars/Olympus"},
        "«Mars/Olympus» no es una zona horaria IANA válida",
    ),
    "line_break_first_name": (
        {"first_name": "Luis\r\nBcc: todos@example.org"},
        "quite los saltos de línea",
    ),
    "line_break_institution": (
        {"institution": "Ministerio\u2028de Gobernación"},
        "quite los saltos de línea",
    ),
    "no_institution": ({"institution": ""}, "Este campo es obligatorio."),
    "no_profile": ({"profile": ""}, "Este campo es obligatorio."),
    "bad_profile": ({"profile": "spy"}, "Escoja una opción válida."),
    "bad_language": ({"language": "fr"}, "Escoja una opción válida."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_signup_refuses_bad_input_and_saves_nothing(case, demo, client):
    Country.objects.create(
        iso_code="FR", name_es="Francia", name_en="France", time_zone="Europe/Paris"
    )
    values, message = REFUSALS[case]
    if values.get("organisation") == "OIM":
        values = {**values, "organisation": str(Organisation.objects.get(code="OIM").pk)}
    before = counts()

    response = client.post("/accounts/signup/", signup_data(**values))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_signup_refusal_message_in_english(demo, client):
    oim = Organisation.objects.get(code="OIM")
    before = counts()

    response = client.post("/en/accounts/signup/", signup_data(organisation=str(oim.pk)))

    assert "Choose a country or an organisation, not both." in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["delegada.mx@crm-workshop.test", "DELEGADA.MX@crm-workshop.TEST"]
)
def test_signup_duplicate_email_creates_nothing_and_tells_the_owner(email, demo, client):
    """allauth's enumeration prevention: the page does not reveal that the address has an
    account; its owner is told by e-mail, in the page's language."""
    before = counts()

    response = client.post("/accounts/signup/", signup_data(email=email))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert counts() == before
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email.lower()]
    assert mail.outbox[0].subject == "[CRM] La cuenta ya existe"


@pytest.mark.django_db
def test_signup_duplicate_email_owner_is_told_in_the_page_language(demo, client):
    before = counts()

    client.post("/en/accounts/signup/", signup_data(email="delegada.mx@crm-workshop.test"))

    assert counts() == before
    assert mail.outbox[0].subject == "[CRM] Account Already Exists"


@pytest.mark.django_db
def test_signup_invitee_who_already_accepted_cannot_register_again(demo, client):
    from tests.participants.test_invitation_link import make_invitation

    invitation = make_invitation(demo)
    client.get(f"/invitation/{invitation.token}/")
    client.post(
        "/accounts/signup/",
        {
            "first_name": "Ana",
            "last_name": "López",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "es",
        },
    )
    client.logout()
    before = counts()

    response = client.post("/accounts/signup/", signup_data(email="ANA.LOPEZ@sre.gob.mx"))

    assert response["Location"] == "/accounts/confirm-email/"
    assert counts() == before


# --- /registration/ ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_registration_pending_status_page_says_what_happens_next(people, client_as, demo):
    demo.webinar_url = "https://zoom.example.org/j/secreto-123"
    demo.save()
    Participant.objects.filter(user=people["pending"]).update(
        registered_at=dt.datetime(2026, 6, 1, 15, 0, tzinfo=dt.UTC)
    )

    response = client_as(people["pending"]).get("/registration/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Su inscripción está pendiente de aprobación." in html
    assert "Recibirá un correo en pendiente.mx@crm-workshop.test" in html
    assert "México" in html
    assert "Protección y refugio" in html
    # In the viewer's zone (their delegation's), named: Mexico City has been UTC-6 since 2022.
    assert "1 de junio de 2026, 09:00, America/Mexico_City (UTC\u221206:00)" in html
    assert "zoom.example.org" not in html
    for session in demo.sessions.all():
        if session.conference_url:
            assert session.conference_url not in html


@pytest.mark.django_db
def test_registration_pending_status_page_in_english(people, client_as):
    response = client_as(people["pending"]).get("/en/registration/")

    assert "Your registration is awaiting approval." in response.content.decode()


@pytest.mark.django_db
def test_registration_rejected_status_page(people, client_as):
    Participant.objects.filter(user=people["pending"]).update(registration_status="rejected")

    response = client_as(people["pending"]).get("/registration/")

    assert response.status_code == 200
    assert "Su inscripción no ha sido aprobada." in response.content.decode()


@pytest.mark.django_db
def test_registration_form_for_account_without_participation(demo, client_as):
    user = User.objects.create_user(username="sin", email="sin@example.org")

    response = client_as(user).post(
        "/registration/",
        {
            "country": "",
            "organisation": str(Organisation.objects.get(code="UNODC").pk),
            "institution": "UNODC",
            "position": "Oficial",
            "profile": "other",
            "time_zone": "",
            "language": "en",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/registration/"
    participant = Participant.objects.get(user=user)
    assert (participant.role, participant.registration_status) == ("observer", "pending")
    user.refresh_from_db()
    assert user.language == "en"


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["both", "neither", "country_not_in_workshop", "bad_zone"])
def test_registration_form_refuses_bad_input(case, demo, client_as):
    Country.objects.create(
        iso_code="FR", name_es="Francia", name_en="France", time_zone="Europe/Paris"
    )
    user = User.objects.create_user(username="sin", email="sin@example.org")
    data = {
        "country": "MX",
        "organisation": "",
        "institution": "SRE",
        "position": "",
        "profile": "other",
        "time_zone": "",
        "language": "es",
    }
    values, message = REFUSALS[case]
    data.update(values)
    if data["organisation"] == "OIM":
        data["organisation"] = str(Organisation.objects.get(code="OIM").pk)
    before = counts()

    response = client_as(user).post("/registration/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


EXPECTED_BY_ROLE = {
    "anonymous": (302, "/accounts/login/?next=/registration/"),
    "pending": (200, None),
    "delegate": (302, "/home/"),
    "focal_point_other": (302, "/home/"),
    "observer": (302, "/home/"),
    "moderator": (302, "/home/"),
    "staff": (200, None),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_registration_per_role(role, people, client_as):
    response = client_as(people[role]).get(reverse("participants:registration"))

    status, location = EXPECTED_BY_ROLE[role]
    assert response.status_code == status
    if location:
        assert response["Location"] == location


@pytest.mark.django_db
def test_registration_staff_is_told_staff_do_not_register(people, client_as):
    response = client_as(people["staff"]).get("/registration/")

    assert "no se inscriben en el taller" in response.content.decode()
    assert not Participant.objects.filter(user=people["staff"]).exists()
