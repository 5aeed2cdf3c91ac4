"""Who may read and write trigger-question answers. Plain predicates, one place.

* **Delegates** (approved, in a country's delegation) read and write their own delegation's
  answers to the questions distributed to their country, and nothing of any other country:
  every such URL answers 404, not 403, so a delegate cannot even learn that another
  country's answer exists.
* **Who submits.** The delegation's focal point submits the country's answers: the final
  word is the country's, and the focal point is the person the Secretaría holds answerable
  for it. A delegation without a focal point (none named, or the one named is not an approved
  member of that delegation) would otherwise be unable to answer at all, so then any approved
  delegate of the delegation may submit. Everyone in the delegation may save drafts.
* **Moderators** read the *submitted* answers to the questions of the sessions they moderate
  (``Session.moderators``), never drafts, never other sessions'.
* **Observers** and pending or rejected accounts read no answers.
* **Staff** (active ``is_staff``) read everything, reopen submitted answers, extend a
  country's deadline, export and compile.
"""

from __future__ import annotations

from participants.models import Participant


def answering_participant(user, workshop) -> Participant | None:
    """The approved delegate registration of ``user`` in ``workshop``, or None.

    Only such a registration may read or write answers (of its own delegation)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return (
        Participant.objects.select_related("delegation__country", "delegation__focal_point")
        .filter(
            user=user,
            workshop=workshop,
            role=Participant.Role.DELEGATE,
            registration_status=Participant.RegistrationStatus.APPROVED,
        )  # a delegate always has a delegation (CHECK participant_delegate_has_delegation)
        .first()
    )


def delegation_has_acting_focal_point(delegation) -> bool:
    """True when the delegation's focal point is named and an approved member of it."""
    if delegation.focal_point_id is None:
        return False
    return Participant.objects.filter(
        user_id=delegation.focal_point_id,
        delegation=delegation,
        role=Participant.Role.DELEGATE,
        registration_status=Participant.RegistrationStatus.APPROVED,
    ).exists()


def can_submit(participant: Participant | None) -> bool:
    """May ``participant`` submit their delegation's answers? (See the module docstring.)"""
    if participant is None or participant.delegation_id is None:
        return False
    if participant.registration_status != Participant.RegistrationStatus.APPROVED:
        return False
    delegation = participant.delegation
    if delegation.focal_point_id == participant.user_id:
        return True
    return not delegation_has_acting_focal_point(delegation)


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def can_read_submitted_answers(user, question) -> bool:
    """Staff, or a moderator of the question's session: the submitted answers of every
    country to ``question``."""
    if is_staff(user):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if question.session_id is None:
        return False
    return question.session.moderators.filter(pk=user.pk).exists()


def can_compile(user) -> bool:
    """Exports, the PDF compendium, reopening and extensions: staff only."""
    return is_staff(user)
