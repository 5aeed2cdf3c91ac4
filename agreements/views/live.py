"""``/agreements/session/<n>/live/``: one session's agreements, updating themselves.

The page (same readers as the index: ``agreements.views.index.agreements_reader``) holds a
fragment that htmx re-asks every ``AGREEMENTS_POLL_SECONDS`` at ``…/live/poll/``. Without
JavaScript the page is the same list, read again by reloading it.

A poll when nothing changed costs exactly one query, middleware included: it never touches
``request.user`` or ``request.session`` (either would load the session and the user). The
page signs into the fragment a token (``TimestampSigner``, ``TOKEN_MAX_AGE`` seconds)
binding the reader's id, the workshop and session, a keyed hash of the session cookie as the
browser sends it, and the revision (``SessionRecord.revision``) the fragment shows. A poll:

1. checks the token against the URL, ``since`` and the cookie it came with: no query.
   Invalid, expired, another person's or another cookie's → 403 with ``HX-Refresh: true``
   (htmx reloads the page, which checks everything again), never data;
2. reads the session's revision: one query. Same revision → 304 when ``If-None-Match``
   names the current ETag, else an empty 204;
3. otherwise (changed, or the token past half its age) checks the permission again as the
   page does, and answers the new fragment with a fresh token.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agenda.selectors import current_workshop
from agreements import rules, selectors
from agreements.views.index import agreements_reader, viewer_zone

TOKEN_SALT = "agreements.live.poll"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 600  # seconds; a page left open longer refreshes its token on a poll
TOKEN_REFRESH_AGE = TOKEN_MAX_AGE // 2


@dataclass(frozen=True)
class PollClaims:
    user_id: int
    workshop_id: int
    session_id: int
    session_number: int
    revision: int
    cookie: str
    signed_at: int


def _cookie_digest(request) -> str:
    """A keyed hash of the session cookie exactly as sent (the session is not loaded)."""
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return salted_hmac(TOKEN_SALT + ".cookie", cookie).hexdigest()[:32]


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def poll_token(request, *, session, revision: int) -> str:
    """The token a fragment carries (see the module docstring)."""
    value = ":".join(
        str(part)
        for part in (
            request.user.pk,
            session.workshop_id,
            session.pk,
            session.number,
            revision,
            _cookie_digest(request),
        )
    )
    return _signer().sign(value)


def read_poll_token(request, token: str) -> PollClaims | None:
    """The token's claims if it is genuine, younger than ``TOKEN_MAX_AGE`` and bound to the
    session cookie this request came with; else None. No query."""
    if not token or len(token) > 512:
        return None
    signer = _signer()
    try:
        value = signer.unsign(token, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired too
        return None
    signed_at = signing.b62_decode(token.rsplit(signer.sep, 2)[1])  # genuine: checked above
    parts = value.split(":")
    if len(parts) != 6 or not all(part.isdigit() for part in parts[:5]):
        return None
    if not hmac.compare_digest(parts[5], _cookie_digest(request)):
        return None
    user_id, workshop_id, session_id, number, revision = (int(part) for part in parts[:5])
    return PollClaims(user_id, workshop_id, session_id, number, revision, parts[5], signed_at)


def _etag(session_id: int, revision: int) -> str:
    return f'"agreements-{session_id}-{revision}"'


def _if_none_match(request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _reload(message: str) -> HttpResponse:
    """403 that makes an htmx page reload itself (a plain client reads the message)."""
    response = HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    response["HX-Refresh"] = "true"
    add_never_cache_headers(response)
    return response


def _fragment_context(request, *, workshop, session) -> dict:
    record = selectors.record_of(session)
    revision = record.revision if record is not None else 0  # read before the agreements
    return {
        "workshop": workshop,
        "session": session,
        "is_closed": record is not None and record.is_closed,
        "agreements": selectors.session_agreements(session=session),
        "revision": revision,
        "poll_url": "{}?since={}&t={}".format(
            reverse("agreements:live_poll", args=[session.number]),
            revision,
            poll_token(request, session=session, revision=revision),
        ),
        "poll_seconds": settings.AGREEMENTS_POLL_SECONDS,
        "zone": viewer_zone(request, workshop),
        "now": timezone.now(),
    }


def _session_or_404(workshop, number: int):
    session = selectors.session_with_record(workshop=workshop, number=number)
    if session is None:
        raise Http404
    return session


@require_GET
@agreements_reader
def live(request, number: int, *, workshop):
    session = _session_or_404(workshop, number)
    context = _fragment_context(request, workshop=workshop, session=session)
    context["page_title"] = _("Acuerdos en directo: %(session)s") % {
        "session": session.display_label
    }
    context["may_moderate"] = rules.can_moderate(request.user, session)
    response = render(request, "agreements/live.html", context)
    add_never_cache_headers(response)
    return response


@transaction.non_atomic_requests  # a read: no transaction, no savepoint queries
@require_GET
def live_poll(request, number: int):
    """See the module docstring: 1 query when nothing changed."""
    claims = read_poll_token(request, request.GET.get("t", ""))
    if (
        claims is None
        or claims.session_number != number
        or request.GET.get("since") != str(claims.revision)
    ):
        return _reload(_("La página de acuerdos caducó o cambió de sesión: vuelva a cargarla."))
    revision = selectors.session_revision(session_id=claims.session_id)
    etag = _etag(claims.session_id, revision)
    fresh = timezone.now().timestamp() - claims.signed_at < TOKEN_REFRESH_AGE
    if fresh and revision == claims.revision:
        if etag in _if_none_match(request):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(status=204)
        response["ETag"] = etag
        add_never_cache_headers(response)
        return response
    return _changed(request, number=number, claims=claims)


def _changed(request, *, number: int, claims: PollClaims):
    """The full check, as the page makes it, then the new fragment. Whoever lost the right
    (signed out, another account, no longer approved) gets the reload answer, whose page
    then says what the page says."""
    expired = _("La página de acuerdos caducó: vuelva a cargarla.")
    user = request.user
    if not user.is_authenticated or user.pk != claims.user_id:
        return _reload(expired)
    workshop = current_workshop()
    if workshop.pk != claims.workshop_id or not rules.can_view_agreements(user, workshop):
        return _reload(expired)
    session = selectors.session_with_record(workshop=workshop, number=number)
    if session is None or session.pk != claims.session_id:
        return _reload(expired)
    context = _fragment_context(request, workshop=workshop, session=session)
    response = render(request, "agreements/live_fragment.html", context)
    response["ETag"] = _etag(session.pk, context["revision"])
    add_never_cache_headers(response)
    return response
