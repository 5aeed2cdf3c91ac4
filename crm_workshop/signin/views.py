"""The pages of a staff member's first enrolment (see ``enrolment``)."""

import logging
import smtplib

from allauth.core import ratelimit
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm_workshop.signin import enrolment
from crm_workshop.signin.rules import grant_enrolment, is_staff_account

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_request(request: HttpRequest) -> HttpResponse:
    """Explains why a staff account needs the e-mailed link, and sends it on a POST."""
    user = request.user
    if not is_staff_account(user) or is_mfa_enabled(user):
        return HttpResponseRedirect(reverse("mfa_index"))
    if request.method == "POST":
        if not ratelimit.consume(request, action="staff_mfa_enrolment_link", user=user):
            messages.error(request, _("Ya se le envió un enlace hace poco. Revise su correo."))
            return HttpResponseRedirect(reverse("staff_mfa_enrolment"))
        try:
            address = enrolment.link_send(request, user)
        except (smtplib.SMTPException, OSError):  # bounded by EMAIL_TIMEOUT
            logger.exception("Could not e-mail the MFA enrolment link to user %s", user.pk)
            messages.error(
                request,
                _("No se pudo enviar el correo en este momento. Inténtelo de nuevo más tarde."),
            )
            return HttpResponseRedirect(reverse("staff_mfa_enrolment"))
        if address:
            messages.success(
                request,
                _(
                    "Le enviamos un enlace a %(address)s. Ábralo antes de %(minutes)s "
                    "minutos, con la sesión iniciada en esta cuenta, para activar su "
                    "aplicación de autenticación."
                )
                % {"address": address, "minutes": enrolment.LINK_MAX_AGE // 60},
            )
        else:
            messages.error(
                request,
                _("Su cuenta no tiene dirección de correo. Pida a un superusuario que la añada."),
            )
        return HttpResponseRedirect(reverse("staff_mfa_enrolment"))
    return render(request, "mfa/staff_enrolment.html")


@login_required
@require_GET
def enrolment_link(request: HttpRequest, token: str) -> HttpResponse:
    """Opens the enrolment for the signed-in staff member the link was sent to.

    Only a session signed in as that account redeems it, so a mail scanner that follows
    the link (anonymous: sent to the login page) does not use it up.
    """
    user = request.user
    if not is_staff_account(user):
        raise PermissionDenied
    try:
        enrolment.link_redeem(token=token, user=user)
    except enrolment.InvalidLinkError:
        messages.error(
            request,
            _("El enlace no es válido: caducó, ya se usó o es de otra cuenta. Pida uno nuevo."),
        )
        return HttpResponseRedirect(reverse("staff_mfa_enrolment"))
    grant_enrolment(request)
    return HttpResponseRedirect(reverse("mfa_activate_totp"))
