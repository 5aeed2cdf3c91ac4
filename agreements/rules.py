"""Who may do what with agreements, sessions' records and minutes. Plain predicates, one place.

* **Moderators** of a session (``Session.moderators``) record, edit, reorder, adopt and
  withdraw that session's agreements and close the session; nothing of other sessions.
* **Staff** (active ``is_staff``) do all a moderator does in every session, reopen a closed
  session (with a reason), record follow-up, export, and render and issue the minutes.
* **Approved participants** of the workshop (delegates and observers) read the agreements,
  live and after, the follow-up of their country's agreements, and download issued minutes.
* Everyone else (anonymous, pending, rejected, inactive) reads none of it. Pages answer 404
  to a signed-in person without the right (as elsewhere: nothing is revealed), and send an
  anonymous visitor to sign in.
* Draft minutes are for staff only; an issued version is for every approved participant.
"""

from __future__ import annotations

from participants.models import Participant


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_staff(user) -> bool:
    return _active(user) and bool(user.is_staff)


def can_moderate(user, session) -> bool:
    """Record and edit the agreements of ``session``, and close it."""
    if is_staff(user):
        return True
    if not _active(user):
        return False
    return session.moderators.filter(pk=user.pk).exists()


def approved_participant(user, workshop) -> Participant | None:
    """The approved registration (any role) of ``user`` in ``workshop``, with its delegation's
    country loaded, or None."""
    if not _active(user):
        return None
    return (
        Participant.objects.select_related("delegation__country")
        .filter(
            user=user,
            workshop=workshop,
            registration_status=Participant.RegistrationStatus.APPROVED,
        )
        .first()
    )


def can_view_agreements(user, workshop) -> bool:
    """Read the workshop's agreements (index, live view, follow-up status)."""
    if is_staff(user):
        return True
    if not _active(user):
        return False
    if user.moderated_sessions.filter(workshop=workshop).exists():
        return True
    return approved_participant(user, workshop) is not None


def can_reopen_session(user) -> bool:
    return is_staff(user)


def can_follow_up(user) -> bool:
    """Record follow-up and export the agreements: staff only."""
    return is_staff(user)


def can_manage_minutes(user) -> bool:
    """Render, issue, and read draft minutes: staff only."""
    return is_staff(user)


def can_download_minutes(user, minutes) -> bool:
    """Staff any ready version; approved participants the issued ones of their workshop."""
    from agreements.models import Minutes

    if minutes.render_status != Minutes.RenderStatus.READY:
        return False
    if is_staff(user):
        return True
    if minutes.status != Minutes.Status.ISSUED:
        return False
    return approved_participant(user, minutes.workshop_id) is not None
