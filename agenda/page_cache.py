"""Whole-response cache of the public pages for anonymous readers.

``/``, ``/agenda/`` and ``/agenda/session/<n>/`` are the same for every anonymous reader of a
language and zone, and they are the busiest pages. ``public_page`` keeps their rendered
response (body and content type) per (agenda data version, language, path, zone) and hands
it out without touching the database or rendering a template. It works at the view level,
so every middleware (security headers, X-Frame-Options, CSP...) still runs on a cached
response.

Served from the cache only when all of this holds, otherwise the view renders as usual:

- the request carries no session cookie and no messages cookie: nobody is signed in and no
  one-off message is waiting (a signed-in reader sees their own header and zone);
- the query string is empty or a single ``tz`` that names an IANA zone (an invalid zone
  echoes the input in a notice; any other parameter would multiply the entries);

and a response is stored only if it is a 200 that set no cookie, used no CSRF token, left
the session untouched and showed no message, and its path is the canonical one (so
``/agenda/session/01/`` cannot fill the cache with copies of ``/agenda/session/1/``).

Two tiers: a small dict in each worker process, in front of the shared cache (Redis in
production). Both are keyed by the data version, read from the shared cache on every
request, so an agenda edit (which bumps the version, see ``selectors``) shows on the next
request in every process; the shared cache's timeout and the local ``expires`` bound
staleness for bulk changes that bypass the signals. A broken cache only means no caching.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers

from agenda import selectors
from crm_workshop.i18n import active_content_language
from crm_workshop.timezones import is_valid_zone

# Per-process tier: entries are small (tens of KB) and few (languages x pages x zones in
# use); past this many the dict is simply emptied (safe under threads, unlike an LRU).
LOCAL_MAX_ENTRIES = 128
_local: dict[str, tuple[float, bytes, str]] = {}


def public_page(view):
    """Serve ``view``'s anonymous GET responses from the page cache (see module docstring).

    The view runs outside ``ATOMIC_REQUESTS``: it only reads, and a cached hit must not
    open a database connection or transaction at all.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _cache_key(request)
        if key is None:
            response = view(request, *args, **kwargs)
        else:
            response = _cached_response(key)
            if response is None:
                response = view(request, *args, **kwargs)
                if _storable(request, response):
                    _store(key, response)
        # The page differs for a signed-in reader: shared HTTP caches must key on the cookie
        # (the uncached path gets this from the session middleware; a hit never reads it).
        patch_vary_headers(response, ("Cookie",))
        return response

    return transaction.non_atomic_requests(wrapper)


def request_agenda_version(request) -> int:
    """The agenda data version, read once per request (the decorator may have read it)."""
    version = getattr(request, "_agenda_cache_version", None)
    if version is None:
        version = request._agenda_cache_version = selectors.recent_agenda_cache_version()
    return version


def _cache_key(request) -> str | None:
    cookies = request.COOKIES
    if cookies.get(settings.SESSION_COOKIE_NAME) or cookies.get(CookieStorage.cookie_name):
        return None
    zone = "-"
    if request.META.get("QUERY_STRING"):
        query = request.GET
        zones = query.getlist("tz")
        if len(query) != 1 or len(zones) != 1 or not is_valid_zone(zones[0]):
            return None
        zone = zones[0]
    return selectors.agenda_cache_key(
        "response",
        request_agenda_version(request),
        active_content_language(),
        request.path,
        zone,
    )


def _cached_response(key: str) -> HttpResponse | None:
    entry = _local.get(key)
    if entry is None or entry[0] < time.monotonic():
        entry = selectors.cache_get(key)
        if entry is None:
            return None
        body, content_type = entry
        _remember(key, body, content_type)
    else:
        _expires, body, content_type = entry
    return HttpResponse(body, content_type=content_type)


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token was put in the page
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and len(messages):
        return False
    match = request.resolver_match
    try:
        canonical = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return False
    return canonical == request.path


def _store(key: str, response) -> None:
    body, content_type = response.content, response["Content-Type"]
    selectors.cache_call("set", key, (body, content_type), selectors.AGENDA_CACHE_TIMEOUT)
    _remember(key, body, content_type)


def _remember(key: str, body: bytes, content_type: str) -> None:
    if len(_local) >= LOCAL_MAX_ENTRIES:
        _local.clear()
    _local[key] = (time.monotonic() + selectors.AGENDA_CACHE_TIMEOUT, body, content_type)


def clear_process_cache() -> None:
    """Forget this process's copies and its memo of the version (for benchmarks and tools;
    clearing the shared cache reaches every process within a second anyway)."""
    _local.clear()
    selectors.forget_recent_version()
