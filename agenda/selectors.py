"""Reads for the public pages: each loads what its page needs in a fixed number of queries."""

import logging
import time

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import Http404

from agenda.models import AgendaItem, Participation, Segment, Session, Speaker, Workshop
from crm_workshop.i18n import active_content_language
from participants.models import Country


def current_workshop(*, version: int | None = None) -> Workshop:
    """The most recent published workshop, with its organiser. ``Http404`` if there is none.

    With an ``agenda_cache_version()`` the answer comes from the cache when it can.
    """
    key = agenda_cache_key("workshop", version) if version is not None else None
    if key and (cached := cache_get(key)) is not None:
        return cached
    workshop = (
        Workshop.objects.filter(is_published=True)
        .select_related("organiser")
        .order_by("-id")
        .first()
    )
    if workshop is None:
        raise Http404("No published workshop")
    if key:
        cache_call("set", key, workshop, AGENDA_CACHE_TIMEOUT)
    return workshop


def workshop_overview(*, workshop: Workshop) -> dict:
    """Partners, objectives and sessions of ``workshop`` for the home page (3 queries)."""
    return {
        "partners": list(workshop.partners.select_related("organisation").order_by("order")),
        "objectives": list(workshop.objectives.order_by("order")),
        "sessions": list(workshop.sessions.order_by("number")),
    }


def _participations() -> QuerySet[Participation]:
    return Participation.objects.select_related(
        "speaker__organisation", "speaker__representing"
    ).order_by("order", "id")


def workshop_agenda(*, workshop: Workshop, session_number: int | None = None) -> list[Session]:
    """The sessions of ``workshop`` with every block, segment, person and country loaded.

    Always 6 queries, however many blocks there are. Each block gets two extra attributes,
    ``moderators`` and ``speakers`` (its participations split by role), so templates do not
    filter. With ``session_number`` only that session is returned (an empty list if it
    does not exist).
    """
    segments = Segment.objects.order_by("order").prefetch_related(
        Prefetch("participations", queryset=_participations()),
        Prefetch("countries", queryset=Country.objects.order_by("name_es")),
    )
    items = AgendaItem.objects.order_by("order").prefetch_related(
        Prefetch("participations", queryset=_participations()),
        Prefetch("segments", queryset=segments),
    )
    sessions = workshop.sessions.order_by("number").prefetch_related(
        Prefetch("items", queryset=items)
    )
    if session_number is not None:
        sessions = sessions.filter(number=session_number)
    sessions = list(sessions)
    for session in sessions:
        for item in session.items.all():
            participations = item.participations.all()
            item.moderators = [p for p in participations if p.role == Participation.Role.MODERATOR]
            item.speakers = [p for p in participations if p.role != Participation.Role.MODERATOR]
    return sessions


def zone_choices() -> list[tuple[str, str]]:
    """``(IANA zone, label)`` for the zone selector: each country's zone, then UTC."""
    english = active_content_language() == "en"
    choices: dict[str, list[str]] = {}
    for zone, name_es, name_en in Country.objects.order_by("name_es").values_list(
        "time_zone", "name_es", "name_en"
    ):
        choices.setdefault(zone, []).append((name_en or name_es) if english else name_es)
    options = [(zone, f"{', '.join(names)} — {zone}") for zone, names in choices.items()]
    options.append(("UTC", "UTC"))
    return options


# --- Cache of the rendered agenda ----------------------------------------------------------------
#
# /agenda/ is the busiest page and its content changes rarely, so the rendered sessions are
# cached per (data version, workshop, session, language, zone). Any save or delete of agenda
# data bumps the version (signals below), so an edit shows on the next request in every
# process sharing the cache (Redis in production). The timeout bounds staleness for changes
# that bypass signals (QuerySet.update(), raw SQL). A broken cache never breaks the page.

AGENDA_CACHE_TIMEOUT = 60
logger = logging.getLogger(__name__)


def agenda_cache_key(*parts) -> str:
    """A cache key for agenda data. It names the database, so two sites (or a test run)
    sharing one Redis never serve each other's pages (their primary keys overlap)."""
    return ":".join(["agenda", str(connection.settings_dict["NAME"]), *map(str, parts)])


def agenda_cache_version() -> int:
    """The current agenda data version (starts from the clock so an evicted key never repeats)."""
    key = agenda_cache_key("version")
    version = cache_get(key)
    if version is None:
        version = time.time_ns() // 1000
        cache_call("add", key, version, timeout=None)
        version = cache_get(key) or version
    return version


# The page cache (agenda.page_cache) checks the version at most this often per process: a
# round trip to Redis on every request was the largest cost of a cached page. An edit shows
# at once in the process that made it (the bump forgets the memo) and within this many
# seconds in every other one.
VERSION_RECHECK_SECONDS = 1.0
_version_memo: tuple[float, int] | None = None


def recent_agenda_cache_version() -> int:
    """``agenda_cache_version()``, read from the shared cache at most once a second per process."""
    global _version_memo
    now = time.monotonic()
    memo = _version_memo
    if memo is not None and now - memo[0] < VERSION_RECHECK_SECONDS:
        return memo[1]
    version = agenda_cache_version()
    _version_memo = (now, version)
    return version


def forget_recent_version(**_signal_kwargs) -> None:
    global _version_memo
    _version_memo = None


def agenda_cache_bump(**_signal_kwargs) -> None:
    """Invalidate every cached agenda rendering (connected to the agenda models' signals).

    Bumps now and again after the transaction commits: a page rendered by another request
    from the not-yet-committed (old) data in between is then never served.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


def _bump_version() -> None:
    forget_recent_version()
    key = agenda_cache_key("version")
    try:
        cache.incr(key)
    except ValueError:  # no version yet: nothing cached under the current one
        cache_call("set", key, time.time_ns() // 1000, timeout=None)
    except Exception as error:  # noqa: BLE001 - cache down: nothing is served from it either
        logger.warning("agenda cache: could not bump the version: %r", error)


def cache_get(key: str):
    return cache_call("get", key)


def cache_call(method: str, *args, **kwargs):
    """``cache.<method>(...)``, or ``None`` when the cache backend is unreachable."""
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - a cache outage degrades to uncached pages
        logger.warning("agenda cache: %s failed: %r", method, error)
        return None


def connect_cache_invalidation() -> None:
    """Bump the agenda cache version on every change to what the agenda shows."""
    from agenda.models import Objective, WorkshopPartner
    from participants.models import Organisation

    for model in (
        Workshop,
        WorkshopPartner,
        Objective,
        Session,
        AgendaItem,
        Segment,
        Participation,
        Speaker,
        Organisation,
        Country,
    ):
        uid = f"agenda-cache-{model._meta.label_lower}"
        post_save.connect(agenda_cache_bump, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(agenda_cache_bump, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        agenda_cache_bump, sender=Segment.countries.through, dispatch_uid="agenda-cache-countries"
    )
