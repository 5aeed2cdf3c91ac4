"""Signal receivers of the consultations app."""

from django.http import Http404


def remember_on_sign_in(sender, request, user, **kwargs) -> None:
    """At sign-in, note in the session whether the person answers for a delegation, for the
    header's "Questions" link (``consultations.templatetags.answer_tags``): pages then need
    no query to decide whether to show it."""
    from agenda.selectors import current_workshop
    from consultations.rules import answering_participant
    from consultations.templatetags.answer_tags import remember_answers_for_delegation

    if request is None:
        return
    try:
        workshop = current_workshop()
    except Http404:
        return
    request.user = user
    remember_answers_for_delegation(request, answering_participant(user, workshop) is not None)
