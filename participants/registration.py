"""Writes for registration: accepting an invitation, registering on one's own.

An invitation link proves the address it was sent to, so accepting it creates an approved
participant; registering without one creates a pending participant that staff review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Delegation, Invitation, Organisation, Participant, User


class InvitationUnavailableError(Exception):
    """The invitation cannot be used: ``reason`` says why (see ``INVITATION_PROBLEMS``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RegistrationError(Exception):
    """A registration the rules refuse; the message is for the person registering."""


# reason → (HTTP status, what the reader is told). Read by the invitation page.
INVITATION_PROBLEMS = {
    "unknown": (
        404,
        _("Este enlace de invitación no existe. Compruebe que lo ha copiado completo."),
    ),
    "not_sent": (
        404,
        _("Esta invitación todavía no se ha enviado, por lo que su enlace no es válido."),
    ),
    "accepted": (
        410,
        _(
            "Esta invitación ya se ha utilizado: cada enlace sirve una sola vez. Si ya tiene "
            "una cuenta, inicie sesión."
        ),
    ),
    "expired": (
        410,
        _(
            "Esta invitación ha caducado. Escriba a la Secretaría Ejecutiva para recibir una "
            "nueva, o regístrese usted mismo/a."
        ),
    ),
    "other_account": (
        403,
        _(
            "Esta invitación es para otra dirección de correo que la de la cuenta con la que "
            "ha iniciado sesión. Cierre la sesión y vuelva a abrir el enlace."
        ),
    ),
}


def invitation_expires_at(invitation: Invitation) -> dt.datetime:
    """When the link stops working: ``INVITATION_MAX_AGE_DAYS`` after it was sent (after it
    was created when no sending time is recorded)."""
    start = invitation.sent_at or invitation.created_at
    return start + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def _problem(invitation: Invitation | None) -> str | None:
    if invitation is None:
        return "unknown"
    if invitation.status == Invitation.Status.DRAFT:
        return "not_sent"
    if invitation.status == Invitation.Status.ACCEPTED or invitation.accepted_at is not None:
        return "accepted"
    if timezone.now() >= invitation_expires_at(invitation):
        return "expired"
    return None


def invitation_check(*, token: str | None) -> Invitation:
    """The invitation ``token`` names, if it can still be accepted; else
    ``InvitationUnavailableError`` (unknown, never sent, already accepted, expired). Writes nothing.
    """
    invitation = None
    if token:
        invitation = (
            Invitation.objects.select_related("workshop", "delegation__country", "organisation")
            .filter(token=token)
            .first()
        )
    reason = _problem(invitation)
    if reason:
        raise InvitationUnavailableError(reason)
    return invitation


def account_for_email(email: str) -> User | None:
    """The account that owns ``email`` (case-insensitively), as its login or as one of its
    addresses."""
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address else None
    return user


def invitation_accept(*, token: str, user: User) -> Participant:
    """Accept the invitation ``token`` names for ``user`` and return their participation.

    Guarantees, all in one transaction (a failure leaves nothing behind):

    * the invitation row is locked (``SELECT ... FOR UPDATE``) and checked again under the
      lock, so of two concurrent acceptances exactly one succeeds; the other gets
      ``InvitationUnavailableError("accepted")``;
    * ``user``'s address must be the invited one (case-insensitively), else
      ``InvitationUnavailableError("other_account")``;
    * the user gets an approved ``Participant`` in the invitation's delegation (delegates) or
      organisation (observers, moderators), with its institution, position and profile; a
      participation the user already had in that workshop that is not approved yet is
      moved there and approved (reviewed by whoever created the invitation); an approved one
      is kept as it is;
    * the invitation becomes ``accepted`` with ``accepted_at`` and ``accepted_by``.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("workshop")
            .filter(token=token)
            .first()
        )
        reason = _problem(invitation)
        if reason:
            raise InvitationUnavailableError(reason)
        addresses = {user.email.lower()} | {
            email.lower()
            for email in user.emailaddress_set.filter(verified=True).values_list("email", flat=True)
        }
        if invitation.email.lower() not in addresses:
            raise InvitationUnavailableError("other_account")
        now = timezone.now()
        participant = (
            # No ordering: the model's default joins nullable relations, which PostgreSQL
            # cannot lock.
            Participant.objects.select_for_update(of=("self",))
            .filter(user=user, workshop=invitation.workshop)
            .order_by()
            .first()
        )
        if participant is None:
            participant = Participant(user=user, workshop=invitation.workshop)
        if participant.registration_status != Participant.RegistrationStatus.APPROVED:
            participant.role = invitation.role
            participant.delegation = (
                invitation.delegation if invitation.role == Participant.Role.DELEGATE else None
            )
            participant.organisation = (
                None if invitation.role == Participant.Role.DELEGATE else invitation.organisation
            )
            participant.institution = invitation.institution
            participant.position = invitation.position
            participant.profile = invitation.profile
            participant.registration_status = Participant.RegistrationStatus.APPROVED
            participant.reviewed_at = now
            participant.reviewed_by = invitation.created_by  # who invited them approved it
            participant.full_clean(exclude=["user", "workshop"])
            participant.save()
        invitation.status = Invitation.Status.ACCEPTED
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    return participant


@dataclass(frozen=True)
class Affiliation:
    """Where a self-registered person belongs: exactly one of the two."""

    delegation: Delegation | None = None
    organisation: Organisation | None = None


def registration_create(
    *,
    user: User,
    workshop,
    affiliation: Affiliation,
    institution: str = "",
    position: str = "",
    profile: str = Participant.Profile.OTHER,
) -> Participant:
    """A pending participation of ``user`` in ``workshop``: a delegate of the affiliation's
    delegation (which must belong to ``workshop``) or an observer of its organisation.

    ``RegistrationError`` if the user already takes part in ``workshop`` or the affiliation
    is not exactly one delegation of that workshop or one organisation. Nothing is written
    then.
    """
    delegation, organisation = affiliation.delegation, affiliation.organisation
    if (delegation is None) == (organisation is None):
        raise RegistrationError(_("Elija un país o una organización, no ambos."))
    if delegation is not None and delegation.workshop_id != workshop.pk:
        raise RegistrationError(_("Ese país no tiene delegación en este taller."))
    with transaction.atomic():
        if Participant.objects.filter(user=user, workshop=workshop).exists():
            raise RegistrationError(_("Ya tiene una inscripción en este taller."))
        participant = Participant(
            user=user,
            workshop=workshop,
            role=Participant.Role.DELEGATE if delegation else Participant.Role.OBSERVER,
            delegation=delegation,
            organisation=organisation,
            institution=institution,
            position=position,
            profile=profile,
            registration_status=Participant.RegistrationStatus.PENDING,
        )
        participant.full_clean(exclude=["user", "workshop"])
        participant.save()
    return participant
