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
