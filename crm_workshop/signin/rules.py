"""Who has proved what in this session: the predicates the sign-in rules share."""

import time

from django.http import HttpRequest

#: Session key of a first-enrolment grant (see ``crm_workshop.signin.enrolment``).
ENROLMENT_GRANT_SESSION_KEY = "crm_workshop.staff_mfa_enrolment"
#: How long a grant opened by an e-mailed link lets its session add an authenticator.
ENROLMENT_GRANT_SECONDS = 15 * 60


def is_staff_account(user) -> bool:
    """Staff and superusers: the accounts whose second factor only a proof of it may change."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def _records(request: HttpRequest) -> list[dict]:
    from allauth.account.authentication import get_authentication_records

    return get_authentication_records(request, request.user)


def session_used_mfa(request: HttpRequest) -> bool:
    """True when this session's sign-in (or a re-authentication) included a second factor."""
    return any(record.get("method") == "mfa" for record in _records(request))


def recently_proved_totp(request: HttpRequest) -> bool:
    """True when this session re-authenticated with an authenticator-app code just now.

    "Just now" is allauth's ``ACCOUNT_REAUTHENTICATION_TIMEOUT``. A password, an e-mailed
    code or a recovery code does not count: only the current authenticator app proves that
    whoever changes it holds it.
    """
    from allauth.account import app_settings as account_settings

    now = time.time()
    return any(
        record.get("method") == "mfa"
        and record.get("type") == "totp"
        and record.get("reauthenticated")
        and now - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        for record in _records(request)
    )


def grant_enrolment(request: HttpRequest) -> None:
    """Let this session add the signed-in user's first authenticator for a few minutes."""
    request.session[ENROLMENT_GRANT_SESSION_KEY] = {
        "user": str(request.user.pk),
        "until": time.time() + ENROLMENT_GRANT_SECONDS,
    }


def has_enrolment_grant(request: HttpRequest) -> bool:
    grant = request.session.get(ENROLMENT_GRANT_SESSION_KEY)
    return (
        isinstance(grant, dict)
        and grant.get("user") == str(request.user.pk)
        and time.time() < grant.get("until", 0)
    )


def clear_enrolment_grant(request: HttpRequest) -> None:
    request.session.pop(ENROLMENT_GRANT_SESSION_KEY, None)


def may_add_authenticator(request: HttpRequest) -> bool:
    """Anyone may add their own authenticator, except staff: they need a grant (first
    enrolment) or a fresh proof of the authenticator they are replacing."""
    if not is_staff_account(request.user):
        return True
    return has_enrolment_grant(request) or recently_proved_totp(request)


def may_change_second_factor(request: HttpRequest) -> bool:
    """Removing an authenticator or regenerating recovery codes: staff must have just
    proved their authenticator app; everyone else follows allauth's own rules."""
    return not is_staff_account(request.user) or recently_proved_totp(request)
