"""allauth's adapters with the staff rules (a staff member's second factor is changed only
by someone who has just proved it) and the participants' ones (an invitation link proves the
address; everyone lands on their home page in their own language)."""

import logging
import re

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm_workshop.signin.rules import is_staff_account, may_change_second_factor

logger = logging.getLogger(__name__)

# What secrets.token_urlsafe() writes (the invitation tokens), as the URL's <slug:token> takes.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")

STAFF_NEEDS_TOTP_PROOF = _(
    "Para cambiar la verificación en dos pasos de una cuenta del personal, confirme antes "
    "un código de su aplicación de autenticación."
)


def home_url_for(user) -> str:
    """``/home/`` or ``/en/home/``: the participant's home in ``user.language``."""
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        return reverse("participants:home")


def set_language_cookie(response, language: str) -> None:
    """The language cookie as Django's ``set_language`` view writes it (the cookie settings of
    the environment apply: Secure, SameSite, HttpOnly in production)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def stale_invitation_problem(request) -> str | None:
    """Why the invitation this browser opened can no longer be used (accepted meanwhile,
    expired), forgetting it, so the sign-up page says so once instead of silently turning
    into a registration without invitation."""
    from participants.forms import SESSION_INVITATION_KEY
    from participants.registration import InvitationUnavailableError, invitation_check

    token = request.session.get(SESSION_INVITATION_KEY) if hasattr(request, "session") else None
    if not token:
        return None
    try:
        invitation_check(token=token)
    except InvitationUnavailableError as problem:
        del request.session[SESSION_INVITATION_KEY]
        return problem.reason
    return None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Open, except that a link of the old invitation e-mails
        (``/accounts/signup/?invitation=<token>``) goes to the invitation page."""
        token = request.GET.get("invitation")
        if token is not None:
            from participants.views.registration import invitation_problem_response

            if TOKEN_PATTERN.fullmatch(token):
                response = HttpResponseRedirect(reverse("participants:invitation", args=[token]))
            else:
                response = invitation_problem_response(request, "unknown")
            raise ImmediateHttpResponse(response)
        problem = stale_invitation_problem(request)
        if problem:
            from participants.views.registration import invitation_problem_response

            raise ImmediateHttpResponse(invitation_problem_response(request, problem))
        return super().is_open_for_signup(request)

    def save_user(self, request, user, form, commit=True):
        """The account with its names, zone and language. Signing up through an invitation
        link marks the invited address verified: the link was sent to it."""
        data = form.cleaned_data
        if data.get("time_zone") is not None:
            user.time_zone = data["time_zone"]
        if data.get("language"):
            user.language = data["language"]
        invitation = getattr(form, "invitation", None)
        if invitation is not None:
            self.stash_verified_email(request, invitation.email.lower())
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request) -> str:
        return home_url_for(request.user)

    def get_signup_redirect_url(self, request) -> str:
        return home_url_for(request.user)

    def post_login(self, request, user, **kwargs):
        """allauth's response, plus the language cookie set to the user's language, so the
        pages after sign-in (and the next visit) are in it; allauth's "signed in" message is
        written in that language too, not the login page's."""
        language = getattr(user, "language", None)
        with translation.override(language or translation.get_language()):
            response = super().post_login(request, user, **kwargs)
        if language and hasattr(response, "set_cookie"):
            set_language_cookie(response, language)
        return response

    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits count, as allauth reads it
        (``ALLAUTH_TRUSTED_PROXY_COUNT``), except that a request whose X-Forwarded-For has
        fewer entries than there are trusted proxies (it did not come through all of them)
        is counted by its peer address instead of answering 500."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            logger.warning(
                "X-Forwarded-For has fewer entries than ALLAUTH_TRUSTED_PROXY_COUNT; "
                "counting the request by REMOTE_ADDR %s",
                request.META.get("REMOTE_ADDR"),
            )
            return request.META["REMOTE_ADDR"]

    def get_reauthentication_methods(self, user) -> list[dict]:
        """Staff with a second factor re-authenticate with it, never with a password alone
        (allauth offers the first method of this list when an action needs a fresh proof)."""
        methods = super().get_reauthentication_methods(user)
        if is_staff_account(user):
            second_factor = [m for m in methods if m["id"].startswith("mfa_reauthenticate")]
            if second_factor:
                return second_factor
        return methods


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": STAFF_NEEDS_TOTP_PROOF,
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        return may_change_second_factor(context.request)
