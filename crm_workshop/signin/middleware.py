"""Staff reach ``/admin/`` and ``/staff/`` only with a second factor, first enrolled by e-mail."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from crm_workshop.signin.rules import is_staff_account, may_add_authenticator, session_used_mfa
from crm_workshop.signin.site import safe_next_url

MFA_REQUIRED_MESSAGE = _(
    "Para entrar en la administración debe activar la verificación en dos pasos: "
    "los datos de las delegaciones solo se gestionan con un segundo factor. "
    "Configure una aplicación de autenticación y vuelva a intentarlo."
)
MFA_REAUTHENTICATE_MESSAGE = _(
    "Su sesión no se inició con la verificación en dos pasos. "
    "Confirme el código de su aplicación de autenticación para entrar en la administración."
)


class AdminMFAMiddleware:
    """Keeps ``/admin/``, the staff pages (``/staff/``) and, for staff, the consultations
    (``/consultations/``: the compilation and exports hold every country's answers) behind a
    second factor when ``ADMIN_REQUIRE_MFA`` is on: the URL namespaces in ``gated_namespaces``.
    Only staff accounts are gated; delegates and moderators reach their pages as before.

    - Staff without an authenticator are sent, with an explanation, to set one up.
    - Staff with an authenticator whose session did not use it (signed in before setting
      it up) confirm a code first.
    - Whatever ``ADMIN_REQUIRE_MFA`` says, staff who open allauth's "activate" page without
      an enrolment grant or a fresh proof of their current authenticator are sent to the
      page that e-mails them an enrolment link (``crm_workshop.signin.enrolment``).

    Sign-in itself is not here: the admin's login page is ``site.admin_login``.
    Must come after ``AuthenticationMiddleware`` and ``MessageMiddleware``.
    """

    gated_namespaces = frozenset({"admin", "staff", "consultations", "moderation", "minutes"})
    exempt_views = frozenset({"logout"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        if match.url_name == "mfa_activate_totp" and not match.namespaces:
            if not request.user.is_authenticated:
                return None
            return self._first_enrolment(request)
        if self.gated_namespaces.isdisjoint(match.namespaces) or (
            match.url_name in self.exempt_views
        ):
            # Decided before touching request.user: an ungated view that never reads it
            # (the agreements' live poll, agreements.views.live) loads no session or user.
            return None
        if not request.user.is_authenticated:
            return None
        if not getattr(settings, "ADMIN_REQUIRE_MFA", True):
            return None
        user = request.user
        if not (user.is_active and user.is_staff):
            return None  # the admin and the staff pages themselves refuse them

        from allauth.mfa.utils import is_mfa_enabled

        if not is_mfa_enabled(user):
            messages.warning(request, MFA_REQUIRED_MESSAGE)
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not session_used_mfa(request):
            messages.info(request, MFA_REAUTHENTICATE_MESSAGE)
            next_url = safe_next_url(request, default=request.get_full_path())
            return HttpResponseRedirect(
                f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}"
            )
        return None

    def _first_enrolment(self, request):
        from allauth.mfa.utils import is_mfa_enabled

        if not is_staff_account(request.user) or is_mfa_enabled(request.user):
            return None  # allauth's own rules (it sends an enrolled user to "deactivate")
        if may_add_authenticator(request):
            return None
        return HttpResponseRedirect(reverse("staff_mfa_enrolment"))
