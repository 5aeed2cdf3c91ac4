"""allauth's adapters with the staff rules: a staff member's second factor is changed only
by someone who has just proved it."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from crm_workshop.signin.rules import is_staff_account, may_change_second_factor

logger = logging.getLogger(__name__)

STAFF_NEEDS_TOTP_PROOF = _(
    "Para cambiar la verificación en dos pasos de una cuenta del personal, confirme antes "
    "un código de su aplicación de autenticación."
)


class AccountAdapter(DefaultAccountAdapter):
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
