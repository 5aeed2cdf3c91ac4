"""Who may do what with accounts.

Accounts' powers belong to superusers only: creating or deleting accounts, granting
``is_staff``, ``is_superuser``, groups and permissions, changing the sign-in e-mail or the
password, and touching second factors. A Secretaría member who could do any of these could
make herself superuser, or take over a colleague's account by changing its e-mail address and
resetting the password.

The Secretaría Ejecutiva manages workshops, participants, delegations and invitations. Of the
accounts she sees the list (the admin's user autocomplete needs it) and may correct the name
and preferences of a participant's account, never of a staff account. The admin enforces
these rules whatever permissions a staff member has been given; the group holds only what
its job needs (``secretariat_permissions``).
"""

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

# The fields of the user form only a superuser may change: who the account is (username,
# sign-in e-mail), whether it can sign in, and what it may do.
ACCOUNT_POWER_FIELDS = (
    "username",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)

SECRETARIAT_APPS = ("agenda", "participants", "consultations", "agreements")
# Of the user model: list and search accounts, correct a participant's name and preferences.
SECRETARIAT_USER_CODENAMES = ("view_user", "change_user")


def can_manage_accounts(user) -> bool:
    """True for an active superuser: the only one who may create accounts, grant powers,
    set passwords and touch e-mail addresses or second factors."""
    return bool(user.is_active and user.is_superuser)


def can_edit_account(user, account) -> bool:
    """True when ``user`` may edit ``account`` at all (model permissions aside).

    A staff or superuser account is edited by a superuser only; ``account=None`` (the list)
    is open. Which fields a non-superuser may edit is ``ACCOUNT_POWER_FIELDS``' complement.
    """
    if can_manage_accounts(user):
        return True
    return account is None or not (account.is_staff or account.is_superuser)


def secretariat_permissions() -> QuerySet[Permission]:
    """The Secretaría Ejecutiva group's permissions: everything in the workshop's apps except
    the user model, of which only ``view_user`` and ``change_user``; nothing of ``auth``,
    ``account`` (e-mail addresses) or ``mfa`` (second factors)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()._meta
    return Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS).exclude(
        Q(content_type__app_label=user_model.app_label, content_type__model=user_model.model_name)
        & ~Q(codename__in=SECRETARIAT_USER_CODENAMES)
    )
