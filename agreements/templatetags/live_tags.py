"""Template helpers of the agreements pages (index, live view) and the header's link."""

from django import template
from django.utils.translation import get_language

register = template.Library()

# The header's "Agreements" link is for whoever may read the agreements. Asking the database
# on every page would cost queries per page, so, as for the "Questions" link
# (consultations.templatetags.answer_tags), the answer is noted in the session by the pages
# that load the reader's registration anyway (the home page, the agreements pages).
NAV_SESSION_KEY = "agreements_nav"


def remember_may_see_agreements(request, may: bool) -> None:
    """Note in the session whether ``request.user`` may read the agreements; the session is
    written only when that changed."""
    session = getattr(request, "session", None)
    if session is None:
        return
    value = {"user": request.user.pk, "may": may}
    if session.get(NAV_SESSION_KEY) != value:
        session[NAV_SESSION_KEY] = value


@register.simple_tag(takes_context=True)
def may_see_agreements(context) -> bool:
    """Show the header's "Agreements" link? Staff always; others when the page's own
    registration of the reader is approved, else as remembered in the session. Never a
    query; it may lag an approval until the person's next visit of their home page. The
    pages themselves check the permission (``agreements.rules.can_view_agreements``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    participant = context.get("participant")
    if participant is not None and getattr(participant, "user_id", None) == user.pk:
        may = participant.registration_status == participant.RegistrationStatus.APPROVED
        remember_may_see_agreements(request, may)
        return may
    session = getattr(request, "session", None)
    remembered = session.get(NAV_SESSION_KEY) if session is not None else None
    return (
        isinstance(remembered, dict)
        and remembered.get("user") == user.pk
        and bool(remembered.get("may"))
    )


@register.simple_tag
def agreement_text(agreement) -> dict:
    """``{"text": …, "lang": "es"|"en", "other": bool}``: the agreement's text in the page's
    language, or in the other one when only that was written (``other`` is then true, and
    the template marks the text with its ``lang``)."""
    page = "en" if (get_language() or "es").startswith("en") else "es"
    own = agreement.text_en if page == "en" else agreement.text_es
    if own:
        return {"text": own, "lang": page, "other": False}
    other = "es" if page == "en" else "en"
    return {"text": agreement.text, "lang": other, "other": True}


@register.simple_tag
def responsible_parties(agreement) -> str:
    """The responsible countries, then organisations, comma-separated (prefetched: no
    query); empty when none was named."""
    names = [country.name for country in agreement.responsible_countries.all()]
    names += [organisation.short_name for organisation in agreement.responsible_organisations.all()]
    return ", ".join(names)
