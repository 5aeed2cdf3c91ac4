"""Template helpers for the site layout."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The current page in each language: ``{"code", "name", "url", "current"}`` per language.

    The language switcher is made of plain links, not a POST form: a public page then
    carries no per-visitor CSRF token and can be cached whole (``agenda.page_cache``). The
    language comes from the URL prefix (``i18n_patterns``), so a link is all it takes. The
    query is kept, re-encoded from ``request.GET`` so that equivalent spellings of one query
    give the same page.
    """
    request = context.get("request")
    current = get_language()
    path = request.path if request is not None else "/"
    query = request.GET.urlencode() if request is not None else ""
    links = []
    for code, _name in settings.LANGUAGES:
        url = path if code == current else _path_in_language(path, code, current)
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": f"{url}?{query}" if query else url,
                "current": code == current,
            }
        )
    return links


def _path_in_language(path: str, language: str, current: str) -> str:
    """``path`` (of a page in ``current``) in ``language``.

    ``translate_url`` resolves the path, so it fails on a path that matches no URL (a 404
    page): there the language prefix is swapped by hand (Spanish has none).
    """
    translated = translate_url(path, language)
    if translated != path:
        return translated
    default = settings.LANGUAGE_CODE
    if current != default and path.startswith(f"/{current}/"):
        path = path[len(current) + 1 :]
    return path if language == default else f"/{language}{path}"
