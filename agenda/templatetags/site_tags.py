"""Template helpers for the site layout."""

from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def default_language_path(context) -> str:
    """The current page's URL (with its query) in the default language, i.e. without prefix.

    The language switcher posts this as ``next``. Django's ``set_language`` runs outside
    ``i18n_patterns`` with the default language active, so it can translate an unprefixed
    path into ``/en/…`` but cannot resolve ``/en/…`` back to Spanish; starting from the
    unprefixed path makes both directions work.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
