"""The signed-in person's home (``/home/``) and their delegation's page (``/home/delegation/``).

Who sees what:

- an approved delegate: their delegation, the sessions in their zone with the conference
  link, their personal calendar, the questions assigned to their country;
- the focal point of a delegation: the same, plus its members (every status) and the
  expected profiles nobody covers yet;
- an approved observer or moderator: their organisation and the sessions with the link;
- anyone not approved in the current workshop: the registration page (where their status
  is explained); staff without a registration: the staff page.

The delegation page shows a delegation's members to its own approved members (approved
members only; the focal point sees every status) and to staff (``?country=XX``). Anybody
else gets 404, as for any other country's object.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone, utc_offset_label
from participants import selectors
from participants.models import Participant


def _zone(request, workshop):
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    return zone


def _is_focal_point(participant: Participant, user) -> bool:
    delegation = participant.delegation
    return delegation is not None and delegation.focal_point_id == user.pk


@require_GET
@login_required
def home(request):
    """The home of an approved participant (see the module docstring for who sees what)."""
    workshop = current_workshop()
    participant = selectors.participant_of(user=request.user, workshop=workshop)
    if participant is None or participant.registration_status != selectors.APPROVED:
        if participant is None and request.user.is_staff:
            return redirect("staff:dashboard")
        return redirect("participants:registration")

    zone = _zone(request, workshop)
    sessions = selectors.sessions_for_participant(workshop=workshop, zone=zone)
    context = {
        "page_title": _("Mi espacio"),
        "workshop": workshop,
        "participant": participant,
        "sessions": sessions,
        "zone": zone,
        "zone_name": zone.key,
        "is_focal_point": _is_focal_point(participant, request.user),
    }
    if participant.role == participant.Role.MODERATOR:
        # Moderators read the submitted answers to their sessions' questions.
        context["moderated_sessions"] = list(
            request.user.moderated_sessions.filter(workshop=workshop).order_by("number")
        )
    if participant.delegation is not None:
        questions = selectors.delegation_questions(delegation=participant.delegation)
        for question in questions:
            question.answer_label = selectors.answer_status_label(question.answer_status)
            if question.deadline:
                question.deadline_offset = utc_offset_label(zone, question.deadline)
        context["questions"] = questions
        if context["is_focal_point"]:
            members = selectors.delegation_members(
                delegation=participant.delegation, approved_only=False
            )
            context["members"] = members
            context["gaps"] = selectors.profile_gaps(
                members, country=participant.delegation.country
            )
    return render(request, "participants/home.html", context)


@require_GET
@login_required
def delegation(request):
    """A delegation's members: its own approved members and staff only, 404 for anyone else."""
    workshop = current_workshop()
    requested = request.GET.get("country", "").strip().upper()
    if request.user.is_staff:
        delegations = selectors.workshop_delegations(workshop=workshop)
        if not requested:
            return render(
                request,
                "participants/home_delegation_choose.html",
                {"page_title": _("Delegaciones"), "delegations": list(delegations)},
            )
        chosen = delegations.filter(country_id=requested).first()
        if chosen is None:
            raise Http404("No such delegation")
        members = selectors.delegation_members(delegation=chosen, approved_only=False)
        show_all = True
    else:
        participant = selectors.participant_of(user=request.user, workshop=workshop)
        if (
            participant is None
            or participant.delegation is None
            or participant.registration_status != selectors.APPROVED
        ):
            raise Http404("Not a member of a delegation")
        chosen = participant.delegation
        if requested and requested != chosen.country_id:
            raise Http404("Another delegation")
        show_all = _is_focal_point(participant, request.user)
        members = selectors.delegation_members(delegation=chosen, approved_only=not show_all)
    return render(
        request,
        "participants/home_delegation.html",
        {
            "page_title": str(chosen),
            "delegation": chosen,
            "members": members,
            "show_all": show_all,
            "gaps": selectors.profile_gaps(members, country=chosen.country) if show_all else [],
            "is_staff_view": request.user.is_staff,
        },
    )
