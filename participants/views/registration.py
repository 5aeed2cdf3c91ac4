"""Getting in: the invitation link (``/invitation/<token>/``) and the registration page
(``/registration/``: the status of a registration that waits, or the form for an account that
has none in the current workshop)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone, zone_label
from crm_workshop.signin.adapters import home_url_for, set_language_cookie
from participants.forms import SESSION_INVITATION_KEY, RegistrationForm
from participants.models import Participant
from participants.registration import (
    INVITATION_PROBLEMS,
    InvitationUnavailableError,
    RegistrationError,
    account_for_email,
    invitation_accept,
    invitation_check,
    registration_create,
)


def invitation_problem_response(request, reason: str):
    """The page for an invitation that cannot be used, with the status its reason calls for."""
    status, message = INVITATION_PROBLEMS[reason]
    return render(
        request,
        "participants/invitation_problem.html",
        {
            "page_title": _("Invitación no válida"),
            "message": message,
            "reason": reason,
        },
        status=status,
    )


@never_cache
def invitation(request, token: str):
    """Anonymous, no account for the invited address: on to sign-up with it fixed. Anonymous
    with an account: asked to sign in and come back. Signed in as the invited address: the
    invitation is attached to the account. Signed in as another: refused. Nothing is
    written unless the invitation is accepted."""
    try:
        found = invitation_check(token=token)
    except InvitationUnavailableError as problem:
        return invitation_problem_response(request, problem.reason)
    user = request.user
    if user.is_authenticated:
        try:
            with transaction.atomic():
                participant = invitation_accept(token=found.token, user=user)
        except InvitationUnavailableError as problem:
            return invitation_problem_response(request, problem.reason)
        request.session.pop(SESSION_INVITATION_KEY, None)
        messages.success(
            request,
            _("Invitación aceptada: su inscripción en «%(workshop)s» está aprobada.")
            % {"workshop": participant.workshop.title},
        )
        return redirect(home_url_for(user))
    if account_for_email(found.email) is not None:
        login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
        return render(
            request,
            "participants/invitation_sign_in.html",
            {
                "page_title": _("Inicie sesión para aceptar la invitación"),
                "invitation": found,
                "login_url": login_url,
            },
        )
    request.session[SESSION_INVITATION_KEY] = found.token
    return redirect("account_signup")


@login_required
def registration(request):
    """The registration of the signed-in account in the current workshop: its status, or the
    form to register. Approved participants have their home page instead."""
    workshop = current_workshop()
    participant = (
        Participant.objects.filter(user=request.user, workshop=workshop)
        .select_related("delegation__country", "organisation")
        .first()
    )
    if participant is not None:
        if participant.registration_status == Participant.RegistrationStatus.APPROVED:
            return redirect("participants:home")
        zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
        registered_at = participant.registered_at.astimezone(zone)
        # Formatted here: the template's |date would convert back to the active zone (UTC).
        registered_text = f"{date_format(registered_at)}, {registered_at:%H:%M}"
        return render(
            request,
            "participants/registration_status.html",
            {
                "page_title": _("Su inscripción"),
                "workshop": workshop,
                "participant": participant,
                "registered_at": registered_text,
                "zone_label": zone_label(zone, registered_at),
            },
        )
    if request.user.is_staff:
        return render(
            request,
            "participants/registration_staff.html",
            {"page_title": _("Su inscripción"), "workshop": workshop},
        )
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        workshop=workshop,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                registration_create(
                    user=request.user,
                    workshop=workshop,
                    affiliation=data["affiliation"],
                    institution=data["institution"],
                    position=data["position"],
                    profile=data["profile"],
                )
                request.user.time_zone = data["time_zone"]
                request.user.language = data["language"]
                request.user.save(update_fields=["time_zone", "language"])
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Inscripción recibida. La Secretaría Ejecutiva la revisará."),
            )
            with translation.override(request.user.language):
                response = redirect(reverse("participants:registration"))
            set_language_cookie(response, request.user.language)
            return response
    return render(
        request,
        "participants/registration_form.html",
        {"page_title": _("Inscribirse en el taller"), "workshop": workshop, "form": form},
    )
