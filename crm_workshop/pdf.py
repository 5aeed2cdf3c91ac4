"""PDF rendering with WeasyPrint, loading nothing but ``data:`` URLs and our own static files.

WeasyPrint's default URL fetcher follows ``file://``, ``http(s)://`` and ``ftp://`` URLs and
HTTP redirects: an ``<img src="file:///etc/passwd">`` or a ``<link href="http://10.0.0.1/">``
that reached a template would put a server file, or the answer of an internal service, into
a PDF that is then handed out. Every render of the project goes through :func:`render_pdf`,
whose fetcher:

* decodes ``data:`` URLs in memory;
* serves files under ``STATIC_URL`` (resolved against the document's internal base URL,
  :data:`PDF_BASE_URL`) from ``STATIC_ROOT`` or the staticfiles finders' folders, only when
  the path is plain (letters, digits, ``._-/``: no ``..``, no ``%``-encoding, no backslash)
  and the real path, symlinks resolved, stays inside that folder;
* refuses everything else by raising :class:`ResourceRefused`, which WeasyPrint logs before
  it skips the resource. It opens no socket and follows no redirect: it has no handler
  for any network scheme.

WeasyPrint is imported inside the functions (it is slow to import and only the worker needs
it).
"""

from __future__ import annotations

import contextlib
import mimetypes
import re
import signal
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.safestring import mark_safe

# The base URL documents are rendered with: relative links such as ``/static/css/pdf.css``
# (what ``{% static %}`` writes) resolve against it. ``.invalid`` is reserved (RFC 2606):
# no such host can exist, and the fetcher never connects anywhere in any case.
PDF_BASE_URL = "https://crm-workshop.invalid/"

# Largest resource (static file or decoded data: URL) a PDF may embed.
MAX_RESOURCE_BYTES = 10 * 1024 * 1024

# Static paths we serve: plain names only, so no encoding trick can reach the filesystem.
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")


class ResourceRefused(ValueError):  # noqa: N818 - reads as what happened to the resource
    """The PDF asked for a URL it may not load (WeasyPrint logs it and skips the resource)."""


class PdfRenderTimeout(Exception):  # noqa: N818 - the name says what happened
    """The render took longer than its time limit."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def _static_prefix() -> str:
    return urljoin(PDF_BASE_URL, settings.STATIC_URL)


def _static_roots() -> list[tuple[Path, str]]:
    """``(folder, prefix)`` pairs a static path may be read from: ``STATIC_ROOT`` (collected,
    hashed names in production) and every staticfiles finder's folder (development)."""
    from django.contrib.staticfiles import finders

    roots: list[tuple[Path, str]] = []
    if settings.STATIC_ROOT:
        roots.append((Path(settings.STATIC_ROOT), ""))
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append((Path(location), getattr(storage, "prefix", None) or ""))
    return roots


def static_file_for(url: str) -> Path | None:
    """The file a ``STATIC_URL`` URL names, or None when the URL is not a plain static path
    or no such file lies (symlinks resolved) inside one of the static folders."""
    prefix = _static_prefix()
    if not url.startswith(prefix):
        return None
    # The query and fragment (a cache-busting ?v=…) name no other file: only the path counts.
    relative = urlsplit(url).path[len(urlsplit(prefix).path) :]
    if not _PLAIN_PATH.match(relative) or any(part in {".", ".."} for part in relative.split("/")):
        return None
    for root, storage_prefix in _static_roots():
        name = relative
        if storage_prefix:
            if not name.startswith(storage_prefix + "/"):
                continue
            name = name[len(storage_prefix) + 1 :]
        try:
            real_root = root.resolve(strict=True)
            candidate = (root / name).resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if candidate.is_file() and candidate.is_relative_to(real_root):
            return candidate
    return None


def safe_url_fetcher(url: str, timeout: float = 10, ssl_context=None):
    """WeasyPrint's fetcher contract (a ``URLFetcherResponse``, or an exception to skip the
    resource) for ``data:`` URLs and our static files; :class:`ResourceRefused` for anything
    else. ``timeout`` and ``ssl_context`` are accepted for the signature's sake and unused:
    nothing here touches the network."""
    from urllib.request import DataHandler, Request

    from weasyprint.urls import URLFetcherResponse

    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        try:
            response = DataHandler().data_open(Request(url))  # noqa: S310 - scheme is data:
        except ValueError as error:
            raise ResourceRefused(f"Malformed data: URL ({error})") from error
        body = response.read(MAX_RESOURCE_BYTES + 1)
        if len(body) > MAX_RESOURCE_BYTES:
            raise ResourceRefused("data: URL too large")
        content_type = response.headers.get("Content-Type", "text/plain")
        return URLFetcherResponse(url, body, {"Content-Type": content_type})
    path = static_file_for(url)
    if path is None:
        raise ResourceRefused(f"Not a data: URL or a static file of this site: {url[:200]}")
    if path.stat().st_size > MAX_RESOURCE_BYTES:
        raise ResourceRefused(f"Static file too large: {url[:200]}")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: everything but letters, digits and spaces escaped,
    so no translation can close the string or the ``<style>`` element."""
    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):06x}" for char in text
    )
    return f'"{escaped}"'


def page_number_css(label: str) -> str:
    """The ``@page`` rule that prints ``label`` (a translated "página %(page)s de %(pages)s")
    at the foot of every page, the placeholders turned into CSS page counters; safe to put
    in a ``<style>`` element as it is."""
    marked = label % {"page": "\x00", "pages": "\x01"}
    parts = []
    for index, piece in enumerate(marked.split("\x00")):
        if index:
            parts.append("counter(page)")
        for sub_index, sub_piece in enumerate(piece.split("\x01")):
            if sub_index:
                parts.append("counter(pages)")
            if sub_piece:
                parts.append(css_string(sub_piece))
    rule = "@page { @bottom-center { content: %s; } }" % " ".join(parts)  # noqa: UP031
    # Safe inside <style>: every piece of text went through css_string (no "<", no quote).
    return mark_safe(rule)  # noqa: S308


@cache
def _fetcher_class():
    from urllib.request import OpenerDirector

    from weasyprint.urls import URLFetcher

    class SafeURLFetcher(URLFetcher):
        """WeasyPrint 70 wants a ``URLFetcher`` (it reads ``_fail_on_errors`` on failures and
        calls ``fetch``). This one has no urllib handler at all: it cannot open a socket,
        read a ``file://`` URL or follow a redirect, whatever calls it."""

        def __init__(self, timeout=10, ssl_context=None, **kwargs):
            OpenerDirector.__init__(self)  # no handlers: URLFetcher.__init__ would add them
            self._timeout = timeout
            self._http_headers = {}
            self._allowed_protocols = ("data",)
            self._fail_on_errors = False
            self._request = None

        def fetch(self, url, headers=None):
            return safe_url_fetcher(url, timeout=self._timeout)

        def open(self, url, data=None, timeout=None):
            return self.fetch(getattr(url, "full_url", url))

    return SafeURLFetcher


def safe_fetcher():
    """A new fetcher instance for ``weasyprint.HTML(..., url_fetcher=…)``."""
    return _fetcher_class()()


# Interval at which a render's expired alarm repeats until the render stops (see _time_bound).
_ALARM_REPEAT_SECONDS = 0.1


@contextlib.contextmanager
def _time_bound(seconds: float | None):
    """Raise ``PdfRenderTimeout`` in this thread after ``seconds`` (main thread only, and
    only when no other alarm is set: a Celery worker's own limits still apply)."""
    usable = (
        seconds
        and seconds > 0
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )
    if not usable:
        yield
        return

    # The alarm's exception is raised wherever the main thread happens to be: inside a
    # finalizer run by the garbage collector (Python ignores exceptions raised in ``__del__``)
    # or an ``except Exception`` of WeasyPrint's resource loading, it would be lost and the
    # render would go on unbounded. So the alarm repeats every ``_ALARM_REPEAT_SECONDS`` until
    # the block ends, and a block that completes after its alarm went off raises all the same.
    # Once the block is left, a late alarm (before the timer is stopped) raises nothing.
    fired, leaving = [], []

    def expired(signum, frame):
        if leaving:
            return
        fired.append(True)
        raise PdfRenderTimeout(f"PDF render exceeded {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, _ALARM_REPEAT_SECONDS)
    try:
        yield
    finally:
        leaving.append(True)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        raise PdfRenderTimeout(f"PDF render exceeded {seconds} s")


def render_pdf_document(
    *, html: str, base_url: str | None = None, time_limit: float | None = None
) -> RenderedPdf:
    """Render ``html`` (already escaped: a Django template's output) to PDF bytes and their
    page count, loading only what :func:`safe_url_fetcher` allows. Raises
    ``PdfRenderTimeout`` past ``time_limit`` seconds (default
    ``settings.COMPENDIUM_TIME_LIMIT_SECONDS``) when running in a process's main thread."""
    from weasyprint import HTML

    if time_limit is None:
        time_limit = getattr(settings, "COMPENDIUM_TIME_LIMIT_SECONDS", None)
    with _time_bound(time_limit):
        document = HTML(
            string=html, base_url=base_url or PDF_BASE_URL, url_fetcher=safe_fetcher()
        ).render()
        content = document.write_pdf()
    return RenderedPdf(content=content, page_count=len(document.pages))


def render_pdf(*, html: str, base_url: str | None = None, time_limit: float | None = None) -> bytes:
    """The PDF bytes of :func:`render_pdf_document`."""
    return render_pdf_document(html=html, base_url=base_url, time_limit=time_limit).content
