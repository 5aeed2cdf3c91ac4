"""The invitation link (/invitation/<token>/): sign-up with the invited e-mail fixed, or
sign-in for an existing account; single use, expiry, and nothing written on refusal."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db.models.signals import pre_save
from django.urls import reverse
from django.utils import timezone

from participants.models import Invitation, Organisation, Participant, User
from participants.registration import InvitationUnavailableError, invitation_accept
from tests.conftest import ROLES

PASSWORD = "una-clave-larga-2026"


def make_invitation(workshop, **values) -> Invitation:
    defaults = {
        "workshop": workshop,
        "email": "Ana.Lopez@SRE.gob.mx",
        "full_name": "Ana María López Pérez",
        "role": Participant.Role.DELEGATE,
        "delegation": workshop.delegations.get(country_id="MX"),
        "institution": "Secretaría de Relaciones Exteriores",
        "position": "Directora de Protección",
        "profile": Participant.Profile.PROTECTION,
        "language": "es",
        "status": Invitation.Status.SENT,
        "sent_at": timezone.now() - dt.timedelta(days=1),
    }
    defaults.update(values)
    return Invitation.objects.create(**defaults)


def counts() -> tuple[int, int, int]:
    return (User.objects.count(), Participant.objects.count(), EmailAddress.objects.count())


def signup_data(**values) -> dict:
    data = {
        "email": "otra@example.org",
        "first_name": "Ana María",
        "last_name": "López Pérez",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "time_zone": "",
        "language": "es",
    }
    data.update(values)
    return data


def open_link(client, invitation, prefix=""):
    return client.get(f"{prefix}/invitation/{invitation.token}/")


# --- Refusals ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_unknown_token_is_404_with_message_and_creates_nothing(demo, client):
    before = counts()

    response = client.get("/invitation/no-existe-este-token/")

    assert response.status_code == 404
    assert "Este enlace de invitación no existe." in response.content.decode()
    assert counts() == before
    assert client.session.get("participants_invitation_token") is None


@pytest.mark.django_db
def test_invitation_unknown_token_message_in_english_under_en(demo, client):
    response = client.get("/en/invitation/no-such-token/")

    assert response.status_code == 404
    assert "This invitation link does not exist." in response.content.decode()


@pytest.mark.django_db
def test_invitation_draft_never_sent_is_refused(demo, client):
    invitation = make_invitation(demo, status=Invitation.Status.DRAFT, sent_at=None)

    response = open_link(client, invitation)

    assert response.status_code == 404
    assert "todavía no se ha enviado" in response.content.decode()


@pytest.mark.django_db
def test_invitation_already_accepted_is_410(demo, client):
    invitation = make_invitation(
        demo, status=Invitation.Status.ACCEPTED, accepted_at=timezone.now()
    )
    before = counts()

    response = open_link(client, invitation)

    assert response.status_code == 410
    assert "ya se ha utilizado" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_invitation_expired_after_max_age_days_from_sent_at(demo, client, settings):
    settings.INVITATION_MAX_AGE_DAYS = 30
    invitation = make_invitation(demo, sent_at=timezone.now() - dt.timedelta(days=30, minutes=1))

    response = open_link(client, invitation)

    assert response.status_code == 410
    assert "ha caducado" in response.content.decode()


@pytest.mark.django_db
def test_invitation_just_before_max_age_still_opens_signup(demo, client, settings):
    settings.INVITATION_MAX_AGE_DAYS = 30
    invitation = make_invitation(demo, sent_at=timezone.now() - dt.timedelta(days=29, hours=23))

    response = open_link(client, invitation)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/"


@pytest.mark.django_db
def test_invitation_without_sent_at_expires_from_created_at(demo, client, settings):
    settings.INVITATION_MAX_AGE_DAYS = 30
    invitation = make_invitation(demo, status=Invitation.Status.FAILED, sent_at=None)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )

    response = open_link(client, invitation)

    assert response.status_code == 410


@pytest.mark.django_db
def test_invitation_expired_in_english_reader_gets_english(demo, client):
    invitation = make_invitation(demo, sent_at=timezone.now() - dt.timedelta(days=90))

    response = open_link(client, invitation, prefix="/en")

    assert response.status_code == 410
    assert "This invitation has expired." in response.content.decode()


# --- Sign-up through the link --------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_signup_form_has_invited_email_fixed_and_names_filled(demo, client):
    invitation = make_invitation(demo)

    open_link(client, invitation)
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ana.Lopez@SRE.gob.mx"' in html
    assert "readonly" in html
    assert 'name="first_name" value="Ana María"' in html
    assert 'name="last_name" value="López Pérez"' in html
    assert "Invitación para la delegación de México." in html
    assert 'name="country"' not in html  # the participation comes from the invitation


@pytest.mark.django_db
def test_invitation_signup_creates_approved_participant_and_signs_in(demo, client):
    invitation = make_invitation(demo)
    open_link(client, invitation)

    # Another e-mail is posted: the token is tied to the invited one, which is used.
    response = client.post("/accounts/signup/", signup_data(email="intruso@example.org"))

    assert response.status_code == 302
    assert response["Location"] == "/home/"
    user = User.objects.get(email="ana.lopez@sre.gob.mx")
    assert user.email == "ana.lopez@sre.gob.mx"
    assert (user.first_name, user.last_name, user.language) == ("Ana María", "López Pérez", "es")
    assert not User.objects.filter(email__iexact="intruso@example.org").exists()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "ana.lopez@sre.gob.mx",
        True,
        True,
    )
    assert mail.outbox == []  # the link proved the address: no second verification
    participant = Participant.objects.get(user=user)
    assert participant.workshop == demo
    assert participant.role == Participant.Role.DELEGATE
    assert participant.delegation.country_id == "MX"
    assert participant.organisation is None
    assert participant.institution == "Secretaría de Relaciones Exteriores"
    assert participant.position == "Directora de Protección"
    assert participant.profile == Participant.Profile.PROTECTION
    assert participant.registration_status == Participant.RegistrationStatus.APPROVED
    assert participant.reviewed_at is not None
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.get("participants_invitation_token") is None


@pytest.mark.django_db
def test_invitation_signup_in_english_lands_on_en_home_with_cookie(demo, client, settings):
    invitation = make_invitation(demo, language="en")
    open_link(client, invitation, prefix="/en")

    form = client.get("/en/accounts/signup/")
    assert '<option value="en" selected>' in form.content.decode()
    response = client.post("/en/accounts/signup/", signup_data(language="en"))

    assert response.status_code == 302
    assert response["Location"] == "/en/home/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(email="ana.lopez@sre.gob.mx").language == "en"


@pytest.mark.django_db
def test_invitation_signup_observer_goes_to_the_organisation(demo, client):
    unodc = Organisation.objects.get(code="UNODC")
    invitation = make_invitation(
        demo,
        role=Participant.Role.OBSERVER,
        delegation=None,
        organisation=unodc,
        profile=Participant.Profile.OTHER,
    )
    open_link(client, invitation)

    client.post("/accounts/signup/", signup_data())

    participant = Participant.objects.get(user__email="ana.lopez@sre.gob.mx")
    assert (participant.role, participant.delegation, participant.organisation) == (
        "observer",
        None,
        unodc,
    )
    assert participant.registration_status == "approved"


@pytest.mark.django_db
def test_invitation_signup_moderator_role_comes_from_invitation(demo, client):
    invitation = make_invitation(
        demo,
        role=Participant.Role.MODERATOR,
        delegation=None,
        organisation=Organisation.objects.get(code="OIM"),
    )
    open_link(client, invitation)

    client.post("/accounts/signup/", signup_data())

    assert (
        Participant.objects.get(user__email="ana.lopez@sre.gob.mx").role
        == Participant.Role.MODERATOR
    )


@pytest.mark.django_db
def test_invitation_signup_second_use_of_the_link_is_refused(demo, client, django_user_model):
    invitation = make_invitation(demo)
    open_link(client, invitation)
    client.post("/accounts/signup/", signup_data())
    client.logout()
    before = counts()

    response = open_link(client, invitation)

    assert response.status_code == 410
    assert counts() == before


@pytest.mark.django_db
def test_invitation_signup_bad_password_keeps_email_fixed_and_saves_nothing(demo, client):
    invitation = make_invitation(demo)
    open_link(client, invitation)
    before = counts()

    response = client.post(
        "/accounts/signup/",
        signup_data(email="intruso@example.org", password1="corta", password2="corta"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ana.Lopez@SRE.gob.mx"' not in html or "intruso" not in html
    assert "intruso@example.org" not in html
    assert counts() == before
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


@pytest.mark.django_db
def test_invitation_signup_line_break_in_name_refused(demo, client):
    invitation = make_invitation(demo)
    open_link(client, invitation)
    before = counts()

    response = client.post("/accounts/signup/", signup_data(first_name="Ana\nBcc: x@y.z"))

    assert response.status_code == 200
    assert "quite los saltos de línea" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_invitation_signup_race_lost_creates_nothing(demo, client):
    """Another request accepts the invitation after this form was checked but before its
    save: the row lock and the re-check under it refuse, and the new account is rolled back."""
    invitation = make_invitation(demo)
    open_link(client, invitation)
    before = counts()

    def the_other_request_wins(sender, instance, **kwargs):
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.ACCEPTED, accepted_at=timezone.now()
        )

    pre_save.connect(the_other_request_wins, sender=User, dispatch_uid="race")
    try:
        response = client.post("/accounts/signup/", signup_data())
    finally:
        pre_save.disconnect(dispatch_uid="race", sender=User)

    assert response.status_code == 410
    assert "ya se ha utilizado" in response.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in client.session
    assert not client.session.get("account_verified_email")  # a later sign-up proves nothing


@pytest.mark.django_db
def test_invitation_accepted_meanwhile_signup_page_says_so_once(demo, client):
    invitation = make_invitation(demo)
    open_link(client, invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.ACCEPTED, accepted_at=timezone.now()
    )

    refused = client.get("/accounts/signup/")
    plain = client.get("/accounts/signup/")

    assert refused.status_code == 410
    assert plain.status_code == 200
    assert 'name="country"' in plain.content.decode()


@pytest.mark.django_db
def test_invitation_accept_twice_second_is_refused(demo):
    invitation = make_invitation(demo, email="doble@example.org")
    first = User.objects.create_user(username="a", email="doble@example.org")
    second = User.objects.create_user(username="b", email="DOBLE@example.org.invalid")

    invitation_accept(token=invitation.token, user=first)
    with pytest.raises(InvitationUnavailableError) as refused:
        invitation_accept(token=invitation.token, user=second)

    assert refused.value.reason == "accepted"
    assert Participant.objects.filter(user=second).count() == 0


# --- An account already exists -------------------------------------------------------------


def existing_account(email="ana.lopez@sre.gob.mx", language="es") -> User:
    user = User.objects.create_user(
        username="ana", email=email, password=PASSWORD, language=language
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.mark.django_db
def test_invitation_existing_account_anonymous_is_asked_to_sign_in(demo, client):
    invitation = make_invitation(demo)
    existing_account()
    before = counts()

    response = open_link(client, invitation)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ya existe una cuenta con la dirección Ana.Lopez@SRE.gob.mx" in html
    assert f"/accounts/login/?next=%2Finvitation%2F{invitation.token}%2F" in html
    assert counts() == before
    assert client.session.get("participants_invitation_token") is None


@pytest.mark.django_db
def test_invitation_existing_account_sign_in_then_attached(demo, client):
    invitation = make_invitation(demo)
    user = existing_account(language="en")

    login = client.post(
        f"/accounts/login/?next=/invitation/{invitation.token}/",
        {"login": "ana.lopez@sre.gob.mx", "password": PASSWORD},
    )
    assert login["Location"] == f"/invitation/{invitation.token}/"
    response = client.get(login["Location"])

    assert response.status_code == 302
    assert response["Location"] == "/en/home/"
    participant = Participant.objects.get(user=user)
    assert participant.registration_status == "approved"
    assert participant.delegation.country_id == "MX"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", user)


@pytest.mark.django_db
def test_invitation_existing_pending_participant_is_approved_and_moved(demo, client_as):
    invitation = make_invitation(demo)
    user = existing_account()
    Participant.objects.create(
        user=user,
        workshop=demo,
        role=Participant.Role.OBSERVER,
        organisation=Organisation.objects.get(code="RROCM"),
        registration_status=Participant.RegistrationStatus.PENDING,
    )

    client_as(user).get(f"/invitation/{invitation.token}/")

    participant = Participant.objects.get(user=user)
    assert (participant.role, participant.delegation.country_id, participant.organisation) == (
        "delegate",
        "MX",
        None,
    )
    assert participant.registration_status == "approved"


@pytest.mark.django_db
def test_invitation_signed_in_as_another_email_is_refused(demo, client_as):
    invitation = make_invitation(demo)
    other = existing_account(email="otra.persona@example.org")
    before = counts()

    response = client_as(other).get(f"/invitation/{invitation.token}/")

    assert response.status_code == 403
    assert "es para otra dirección de correo" in response.content.decode()
    assert counts() == before
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("sent", None)


# --- Old links --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_old_signup_link_redirects_to_the_invitation(demo, client):
    invitation = make_invitation(demo)

    response = client.get(f"/accounts/signup/?invitation={invitation.token}")

    assert response.status_code == 302
    assert response["Location"] == f"/invitation/{invitation.token}/"


@pytest.mark.django_db
def test_invitation_old_signup_link_in_english(demo, client):
    invitation = make_invitation(demo)

    response = client.get(f"/en/accounts/signup/?invitation={invitation.token}")

    assert response["Location"] == f"/en/invitation/{invitation.token}/"


@pytest.mark.django_db
def test_invitation_old_signup_link_with_junk_token_is_404(demo, client):
    response = client.get("/accounts/signup/?invitation=%3Cscript%3E/../x")

    assert response.status_code == 404
    assert "Este enlace de invitación no existe." in response.content.decode()


# --- Per role ---------------------------------------------------------------------------------


EXPECTED_BY_ROLE = {
    "anonymous": (302, "/accounts/signup/"),
    "pending": (403, None),
    "delegate": (403, None),
    "focal_point_other": (403, None),
    "observer": (403, None),
    "moderator": (403, None),
    "staff": (403, None),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_invitation_per_role_for_someone_else(role, people, client_as, demo):
    invitation = make_invitation(demo, email="alguien.mas@example.org")

    response = client_as(people[role]).get(
        reverse("participants:invitation", args=[invitation.token])
    )

    status, location = EXPECTED_BY_ROLE[role]
    assert response.status_code == status
    if location:
        assert response["Location"] == location
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_invitation_per_role_for_own_address_attaches(role, people, client_as, demo):
    user = people[role]
    invitation = make_invitation(demo, email=user.email.upper())
    was = Participant.objects.filter(user=user, workshop=demo).first()

    response = client_as(user).get(reverse("participants:invitation", args=[invitation.token]))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", user)
    now = Participant.objects.get(user=user, workshop=demo)
    assert now.registration_status == "approved"
    if was is not None and was.registration_status == "approved":
        assert (now.delegation_id, now.organisation_id, now.role) == (
            was.delegation_id,
            was.organisation_id,
            was.role,
        )


@pytest.mark.django_db
def test_invitation_accept_records_the_inviter_as_reviewer(people, demo):
    invitation = make_invitation(demo, email="revisada@example.org", created_by=people["staff"])
    user = User.objects.create_user(username="revisada", email="revisada@example.org")

    participant = invitation_accept(token=invitation.token, user=user)

    assert (participant.reviewed_by, participant.registration_status) == (
        people["staff"],
        "approved",
    )
