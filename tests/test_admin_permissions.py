"""Only superusers hold accounts' powers in the admin (issue 5, point 2; participants.rules).

Every forbidden change is a real POST of the admin form with all its fields, taken from the
form a superuser is shown, sent by two staff members who are not superusers: the Secretaría's
demo account as ``seed_demo`` builds it, and a staff member holding every permission there
is, to prove the admin enforces the rule rather than the group's composition.
"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from participants.models import Delegation, Invitation, Participant, User
from tests.admin_factories import (
    DelegationFactory,
    ParticipantFactory,
    StaffUserFactory,
    activate_totp,
)
from tests.factories import UserFactory
from tests.test_admin import admin_url, sign_in_with_mfa

CLERKS = ["secretaria", "every_permission_staff"]


# --- Who signs in ---------------------------------------------------------------------------


@pytest.fixture
def secretaria(demo):
    user = User.objects.get(email="secretaria@crm-workshop.test")
    activate_totp(user)
    return user


@pytest.fixture
def every_permission_staff(db):
    user = StaffUserFactory(username="todopoderosa", is_superuser=False)
    user.user_permissions.set(Permission.objects.all())
    activate_totp(user)
    return user


@pytest.fixture(params=CLERKS)
def clerk(request):
    """A staff member who is not a superuser."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def clerk_client(client, clerk):
    sign_in_with_mfa(client, clerk)
    return client


@pytest.fixture
def boss(db):
    user = StaffUserFactory(username="jefa")
    activate_totp(user)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def boss_client(boss):
    client = Client()
    sign_in_with_mfa(client, boss)
    return client


@pytest.fixture
def colleague(db):
    user = StaffUserFactory(username="colega", is_superuser=False)
    activate_totp(user)
    return user


@pytest.fixture
def participant_account(db):
    user = UserFactory(username="delegada", first_name="Ana", last_name="Pérez")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def admins_group(db):
    group = Group.objects.create(name="Administración")
    group.permissions.set(Permission.objects.all())
    return group


# --- Helpers ------------------------------------------------------------------------------------


def form_data(response) -> dict:
    """Every field of the admin form in ``response`` as a browser sends it untouched,
    inline formsets and their management forms included."""
    assert response.status_code == 200
    context = response.context
    admin_form = context["adminform"] if "adminform" in context else context["adminForm"]
    every_form = [admin_form.form]
    for inline in context.get("inline_admin_formsets", []):
        every_form += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in every_form:
        for bound in form:
            if bound.field.disabled:
                continue
            value, widget = bound.value(), bound.field.widget
            if isinstance(widget, forms.MultiWidget):
                parts = value if isinstance(value, list | tuple) else widget.decompress(value)
                for suffix, part in zip(widget.widgets_names, parts, strict=True):
                    data[bound.html_name + suffix] = "" if part is None else part
            elif isinstance(widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = "" if value is None else value
    return data


def account_state(user) -> dict:
    """What an account is and may do, as stored."""
    user = User.objects.get(pk=user.pk)
    return {
        "username": user.username,
        "email": user.email,
        "password": user.password,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("pk", flat=True)),
        "user_permissions": sorted(user.user_permissions.values_list("pk", flat=True)),
        "first_name": user.first_name,
    }


def grant_superuser(data, **_):
    data["is_superuser"] = "on"


def grant_staff(data, **_):
    data["is_staff"] = "on"


def join_admins_group(data, *, admins_group):
    data["groups"] = [*data.get("groups", []), admins_group.pk]


def grant_group_permission(data, **_):
    permission = Permission.objects.get(codename="change_group")
    data["user_permissions"] = [*data.get("user_permissions", []), permission.pk]


def change_email(data, **_):
    data["email"] = "atacante@example.org"


def change_username(data, **_):
    data["username"] = "atacante"


def deactivate(data, **_):
    data.pop("is_active", None)


POWER_CHANGES = [
    grant_superuser,
    grant_staff,
    join_admins_group,
    grant_group_permission,
    change_email,
    change_username,
    deactivate,
]


def post_user_change(boss_client, clerk_client, account, change, admins_group):
    """The superuser's change form of ``account`` with ``change`` applied, POSTed by the clerk."""
    url = admin_url(User, "change", account.pk)
    data = form_data(boss_client.get(url))
    change(data, admins_group=admins_group)
    data["first_name"] = "Nombre cambiado"
    return clerk_client.post(url, data)


# --- Her own account and other staff accounts: closed --------------------------------------


@pytest.mark.parametrize("change", POWER_CHANGES)
def test_clerk_post_of_a_power_on_her_own_account_is_refused(
    boss_client, clerk_client, clerk, admins_group, change
):
    before = account_state(clerk)

    response = post_user_change(boss_client, clerk_client, clerk, change, admins_group)

    assert response.status_code == 403
    assert account_state(clerk) == before


def test_clerk_after_trying_superuser_still_cannot_open_groups(
    boss_client, clerk_client, clerk, admins_group
):
    post_user_change(boss_client, clerk_client, clerk, grant_superuser, admins_group)

    assert clerk_client.get(admin_url(Group, "changelist")).status_code == 403


@pytest.mark.parametrize("target", ["colleague", "boss"])
def test_clerk_cannot_change_the_email_of_another_staff_account(
    request, boss_client, clerk_client, admins_group, target
):
    account = request.getfixturevalue(target)
    before = account_state(account)

    response = post_user_change(boss_client, clerk_client, account, change_email, admins_group)

    assert response.status_code == 403
    assert account_state(account) == before


def test_clerk_sees_a_staff_account_read_only_without_its_password(clerk_client, boss):
    response = clerk_client.get(admin_url(User, "change", boss.pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    shown = [
        name for _, options in response.context["adminform"].fieldsets for name in options["fields"]
    ]
    assert "password" not in shown
    assert boss.password not in response.content.decode()


# --- A participant's account: name and preferences only -------------------------------------


@pytest.mark.parametrize("change", POWER_CHANGES)
def test_clerk_post_of_a_power_on_a_participant_changes_only_the_name(
    boss_client, clerk_client, participant_account, admins_group, change
):
    before = account_state(participant_account)

    response = post_user_change(
        boss_client, clerk_client, participant_account, change, admins_group
    )

    assert response.status_code == 302
    assert account_state(participant_account) == {**before, "first_name": "Nombre cambiado"}


def test_clerk_change_form_of_a_participant_edits_only_name_and_preferences(
    clerk_client, participant_account
):
    response = clerk_client.get(admin_url(User, "change", participant_account.pk))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert sorted(name for name, field in form.fields.items() if not field.disabled) == [
        "first_name",
        "language",
        "last_name",
        "time_zone",
    ]


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["participant_account", "colleague", "boss", "clerk"])
def test_clerk_cannot_open_a_set_password_page(request, clerk_client, target):
    account = request.getfixturevalue(target)

    response = clerk_client.get(reverse("admin:auth_user_password_change", args=[account.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("target", ["participant_account", "boss"])
def test_clerk_post_of_a_new_password_is_refused(request, boss_client, clerk_client, target):
    account = request.getfixturevalue(target)
    url = reverse("admin:auth_user_password_change", args=[account.pk])
    data = form_data(boss_client.get(url))
    data.update(password1="Otra-clave-segura-2026", password2="Otra-clave-segura-2026")
    before = account_state(account)

    response = clerk_client.post(url, data)

    assert response.status_code == 403
    assert account_state(account) == before
    assert User.objects.get(pk=account.pk).check_password("correct-horse-battery")


def test_superuser_can_still_set_a_password(boss_client, participant_account):
    url = reverse("admin:auth_user_password_change", args=[participant_account.pk])
    data = form_data(boss_client.get(url))
    data.update(password1="Otra-clave-segura-2026", password2="Otra-clave-segura-2026")

    response = boss_client.post(url, data)

    assert response.status_code == 302
    assert User.objects.get(pk=participant_account.pk).check_password("Otra-clave-segura-2026")


# --- Creating and deleting accounts -----------------------------------------------------------


def test_clerk_cannot_add_an_account(boss_client, clerk_client):
    url = admin_url(User, "add")
    data = form_data(boss_client.get(url))
    data.update(
        username="nueva",
        email="nueva@example.org",
        password1="Clave-segura-2026",
        password2="Clave-segura-2026",
    )
    accounts = User.objects.count()

    response = clerk_client.post(url, data)

    assert response.status_code == 403
    assert User.objects.count() == accounts
    assert clerk_client.get(url).status_code == 403


@pytest.mark.parametrize("target", ["participant_account", "boss"])
def test_clerk_cannot_delete_an_account(request, clerk_client, target):
    account = request.getfixturevalue(target)
    # Nothing cascades that she may not delete anyway: only the rule on accounts is tested.
    EmailAddress.objects.filter(user=account).delete()
    Authenticator.objects.filter(user=account).delete()

    response = clerk_client.post(admin_url(User, "delete", account.pk), {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=account.pk).exists()


def test_clerk_bulk_delete_of_accounts_deletes_nothing(clerk_client, boss, participant_account):
    response = clerk_client.post(
        admin_url(User, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [boss.pk, participant_account.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200  # the changelist again: it offers her no action
    assert response.context["action_form"] is None
    assert User.objects.filter(pk__in=[boss.pk, participant_account.pk]).count() == 2


# --- Groups, e-mail addresses and second factors: superusers only ------------------------------


@pytest.mark.parametrize("model", [Group, EmailAddress, Authenticator], ids=lambda m: m.__name__)
def test_clerk_cannot_list_accounts_powers(clerk_client, model):
    assert clerk_client.get(admin_url(model, "changelist")).status_code == 403


def test_clerk_cannot_add_a_group(boss_client, clerk_client):
    url = admin_url(Group, "add")
    data = form_data(boss_client.get(url))
    data.update(
        name="Mis poderes", permissions=list(Permission.objects.values_list("pk", flat=True))
    )

    response = clerk_client.post(url, data)

    assert response.status_code == 403
    assert not Group.objects.filter(name="Mis poderes").exists()


def test_clerk_cannot_add_permissions_to_a_group(boss_client, clerk_client, clerk):
    group = clerk.groups.first() or Group.objects.create(name="Secretaría Ejecutiva")
    before = sorted(group.permissions.values_list("pk", flat=True))
    url = admin_url(Group, "change", group.pk)
    data = form_data(boss_client.get(url))
    data["permissions"] = list(Permission.objects.values_list("pk", flat=True))

    response = clerk_client.post(url, data)

    assert response.status_code == 403
    assert sorted(group.permissions.values_list("pk", flat=True)) == before


def test_clerk_cannot_change_a_staff_email_address(boss_client, clerk_client, boss):
    address = EmailAddress.objects.get(user=boss)
    url = admin_url(EmailAddress, "change", address.pk)
    data = form_data(boss_client.get(url))
    data["email"] = "atacante@example.org"

    response = clerk_client.post(url, data)

    assert response.status_code == 403
    address.refresh_from_db()
    assert address.email == boss.email


def test_clerk_cannot_add_an_email_address_to_a_staff_account(boss_client, clerk_client, boss):
    url = admin_url(EmailAddress, "add")
    data = form_data(boss_client.get(url))
    data.update(user=boss.pk, email="atacante@example.org", verified="on", primary="on")

    response = clerk_client.post(url, data)

    assert response.status_code == 403
    assert list(EmailAddress.objects.filter(user=boss).values_list("email", flat=True)) == [
        boss.email
    ]


def test_clerk_cannot_delete_a_colleague_second_factor(clerk_client, colleague):
    authenticator = Authenticator.objects.get(user=colleague)

    response = clerk_client.post(
        admin_url(Authenticator, "delete", authenticator.pk), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_clerk_cannot_replace_a_colleague_second_factor(boss_client, clerk_client, colleague):
    authenticator = Authenticator.objects.get(user=colleague)
    before = authenticator.data
    url = admin_url(Authenticator, "change", authenticator.pk)
    data = form_data(boss_client.get(url))
    data["data"] = '{"secret": "JBSWY3DPEHPK3PXP"}'

    response = clerk_client.post(url, data)

    assert response.status_code == 403
    authenticator.refresh_from_db()
    assert authenticator.data == before


def test_clerk_admin_index_shows_no_accounts_powers(clerk_client):
    response = clerk_client.get(reverse("admin:index"))

    assert response.status_code == 200
    labels = {app["app_label"] for app in response.context["app_list"]}
    assert labels & {"auth", "account", "mfa"} == set()
    assert {"participants", "agenda"} <= labels


def test_admin_replaces_the_open_admins_of_groups_addresses_and_authenticators():
    assert {
        model: type(admin.site._registry[model]).__module__
        for model in (Group, EmailAddress, Authenticator)
    } == {
        Group: "participants.admin",
        EmailAddress: "participants.admin",
        Authenticator: "participants.admin",
    }


# --- Her job still works -----------------------------------------------------------------------


def test_clerk_approves_a_registration(clerk_client, clerk):
    pending = ParticipantFactory()

    response = clerk_client.post(
        admin_url(Participant, "changelist"),
        {"action": "approve_registrations", "_selected_action": [pending.pk]},
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.registration_status, pending.reviewed_by) == ("approved", clerk)


def test_clerk_adds_an_invitation(clerk_client, clerk):
    delegation = DelegationFactory()
    url = admin_url(Invitation, "add")
    data = form_data(clerk_client.get(url))
    data.update(
        workshop=delegation.workshop_id,
        delegation=delegation.pk,
        email="punto.focal@example.org",
        full_name="Punto Focal",
    )

    response = clerk_client.post(url, data)

    assert response.status_code == 302
    invitation = Invitation.objects.get(email="punto.focal@example.org")
    assert (invitation.delegation, invitation.created_by) == (delegation, clerk)


def test_clerk_edits_a_delegation_and_names_its_focal_point(clerk_client):
    member = ParticipantFactory()
    delegation = member.delegation
    url = admin_url(Delegation, "change", delegation.pk)
    data = form_data(clerk_client.get(url))
    data["focal_point"] = member.user_id
    data["members-0-position"] = "Fiscal"

    response = clerk_client.post(url, data)

    assert response.status_code == 302
    delegation.refresh_from_db()
    member.refresh_from_db()
    assert (delegation.focal_point, member.position) == (member.user, "Fiscal")


def test_clerk_finds_a_participant_account_in_the_autocomplete(clerk_client, participant_account):
    response = clerk_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "participants",
            "model_name": "delegation",
            "field_name": "focal_point",
            "term": "delegada@example.org",
        },
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(participant_account.pk)]
