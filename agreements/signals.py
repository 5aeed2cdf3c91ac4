"""Every change to a session's agreements raises the session's revision, whoever made it
(console, admin, follow-up): the live view compares revisions and so costs one query."""

from agreements.services import revision_bump


def agreement_saved(sender, instance, **kwargs) -> None:
    if instance.session_id is not None:
        revision_bump(instance.session_id)


def agreement_deleted(sender, instance, **kwargs) -> None:
    # Only an existing record is raised: in a cascade (a workshop deleted) the session and its
    # record are going too.
    if instance.session_id is not None:
        revision_bump(instance.session_id, create=False)


def agreement_parties_changed(sender, instance, action, reverse, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # a country or organisation lost/gained agreements: bump each one's session
        from agreements.models import Agreement

        pk_set = kwargs.get("pk_set") or ()
        for session_id in set(
            Agreement.objects.filter(pk__in=pk_set).values_list("session_id", flat=True)
        ):
            revision_bump(session_id)
    elif instance.session_id is not None:
        revision_bump(instance.session_id)


def remember_on_sign_in(sender, request, user, **kwargs) -> None:
    """At sign-in, note in the session whether the person may read the agreements, for the
    header's "Agreements" link (``agreements.templatetags.live_tags``): pages then need no
    query to decide whether to show it."""
    from django.http import Http404

    from agenda.selectors import current_workshop
    from agreements.rules import can_view_agreements
    from agreements.templatetags.live_tags import remember_may_see_agreements

    if request is None:
        return
    try:
        workshop = current_workshop()
    except Http404:
        return
    request.user = user
    remember_may_see_agreements(request, can_view_agreements(user, workshop))
