"""allauth's forms with the staff rules (named in ``MFA_FORMS`` and ``ACCOUNT_FORMS``).

The views stay allauth's; these only refuse what a staff account may not do, so a POST
that skips the pages is refused the same way.
"""

from allauth.account.forms import AddEmailForm
from allauth.core import context
from allauth.mfa.recovery_codes.forms import GenerateRecoveryCodesForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.utils.translation import gettext_lazy as _

from crm_workshop.signin.adapters import STAFF_NEEDS_TOTP_PROOF
from crm_workshop.signin.rules import (
    clear_enrolment_grant,
    is_staff_account,
    may_add_authenticator,
    may_change_second_factor,
)

STAFF_NEEDS_ENROLMENT_LINK = _(
    "Una cuenta del personal activa su primera aplicación de autenticación con el enlace "
    "que se envía a su correo, o confirmando antes un código de la que va a sustituir."
)
STAFF_EMAIL_IS_SET_BY_SUPERUSER = _(
    "Las direcciones de correo de las cuentas del personal solo las cambia un superusuario."
)


class StaffActivateTOTPForm(ActivateTOTPForm):
    def clean(self):
        cleaned_data = super().clean()
        request = context.request
        if not may_add_authenticator(request):
            raise forms.ValidationError(STAFF_NEEDS_ENROLMENT_LINK, code="staff_enrolment")
        if "code" in cleaned_data:
            clear_enrolment_grant(request)  # the link opened one enrolment, not more
        return cleaned_data


class StaffGenerateRecoveryCodesForm(GenerateRecoveryCodesForm):
    def clean(self):
        cleaned_data = super().clean()
        if not may_change_second_factor(context.request):
            raise forms.ValidationError(STAFF_NEEDS_TOTP_PROOF, code="staff_totp_proof")
        return cleaned_data


class StaffAddEmailForm(AddEmailForm):
    """The enrolment link goes to a staff member's address, so only a superuser sets it."""

    def clean_email(self) -> str:
        if is_staff_account(self.user):
            raise forms.ValidationError(STAFF_EMAIL_IS_SET_BY_SUPERUSER, code="staff_email")
        return super().clean_email()
