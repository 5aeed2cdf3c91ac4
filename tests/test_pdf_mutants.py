"""crm_workshop/pdf.py beyond the fetcher tests: the time limit holds even when its first
alarm is swallowed, and the exact values the mutation run showed untested."""

import contextlib
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles.finders import BaseFinder

from crm_workshop.pdf import (
    PDF_BASE_URL,
    PdfRenderTimeout,
    ResourceRefused,
    _time_bound,
    render_pdf,
    safe_url_fetcher,
    static_file_for,
)


def _busy(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _work_swallowing_the_alarm(limit, then_busy):
    """Work under ``_time_bound(limit)`` whose first wait swallows every exception, as a
    finalizer (Python ignores exceptions raised in ``__del__``) or a careless library does."""
    with _time_bound(limit):
        with contextlib.suppress(Exception):
            time.sleep(5)
        _busy(then_busy)


def _no_alarm_left():
    return (signal.getitimer(signal.ITIMER_REAL), signal.getsignal(signal.SIGALRM))


def test_time_limit_swallowed_once_still_stops_the_work():
    """Seen under mutmut: ``FontConfiguration.__del__`` ate the alarm and the render ran to its
    end. The alarm fires again until the work stops."""
    started = time.monotonic()
    with pytest.raises(PdfRenderTimeout, match=r"^PDF render exceeded 0\.05 s$"):
        _work_swallowing_the_alarm(0.05, then_busy=5)
    assert time.monotonic() - started < 1
    assert _no_alarm_left() == ((0.0, 0.0), signal.SIG_DFL)


def test_work_that_ends_after_a_swallowed_alarm_is_still_late():
    with pytest.raises(PdfRenderTimeout, match=r"^PDF render exceeded 0\.02 s$"):
        _work_swallowing_the_alarm(0.02, then_busy=0)
    assert _no_alarm_left() == ((0.0, 0.0), signal.SIG_DFL)


def test_work_within_its_limit_leaves_no_alarm_behind():
    with _time_bound(0.5):
        _busy(0.01)
    # Past the first alarm and its repeats: nothing fires any more.
    _busy(0.7)
    assert _no_alarm_left() == ((0.0, 0.0), signal.SIG_DFL)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def test_render_pdf_resolves_relative_links_against_its_base_url(tmp_path, settings):
    static_root = tmp_path / "collected"
    (static_root / "css").mkdir(parents=True)
    (static_root / "css" / "marca.css").write_text('p::after { content: " CSS-RELATIVO-CARGADO" }')
    settings.STATIC_ROOT = str(static_root)
    html = '<html><head><link rel="stylesheet" href="css/marca.css"></head><body><p>Texto</p>'
    with_base = render_pdf(html=html, base_url=PDF_BASE_URL + "static/", time_limit=0)
    assert "Texto CSS-RELATIVO-CARGADO" in _pdf_text(with_base, tmp_path)
    # Against the default base the same link names /css/marca.css: not a static file, refused.
    without = render_pdf(html=html, time_limit=0)
    text = _pdf_text(without, tmp_path)
    assert "Texto" in text
    assert "CSS-RELATIVO-CARGADO" not in text


class RemoteStoragesFinder(BaseFinder):
    """A finder whose storage is not a folder (no ``location``), as a remote one would be."""

    storages = {"remote": object()}

    def find(self, path, find_all=False, **kwargs):
        return []

    def list(self, ignore_patterns):
        return []


def test_finders_without_folders_are_skipped(tmp_path, settings):
    """``DefaultStorageFinder`` has no ``storages``, a remote storage has no ``location``: the
    folders of the other finders still serve, and nothing fails."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STATIC_ROOT = None
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.DefaultStorageFinder",
        "tests.test_pdf_mutants.RemoteStoragesFinder",
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    ]
    expected = (Path(settings.BASE_DIR) / "static" / "css" / "pdf.css").resolve()
    assert static_file_for(PDF_BASE_URL + "static/css/pdf.css") == expected


def test_a_static_folder_with_a_prefix_serves_under_that_prefix_only(tmp_path, settings):
    folder = tmp_path / "marca"
    folder.mkdir()
    (folder / "estilo.css").write_text("p { color: navy }")
    settings.STATIC_ROOT = None
    settings.STATICFILES_DIRS = [("marca", str(folder))]
    expected = (folder / "estilo.css").resolve()
    assert static_file_for(PDF_BASE_URL + "static/marca/estilo.css") == expected
    assert static_file_for(PDF_BASE_URL + "static/estilo.css") is None


def test_fetcher_reads_the_scheme_before_the_first_colon_only():
    # A colon inside a data: URL's content does not hide its scheme.
    assert safe_url_fetcher("data:text/plain,hora%2010:30").read() == b"hora 10:30"
    # A bare word, even "data", is no data: URL.
    refused = r"^Not a data: URL or a static file of this site: data$"
    with pytest.raises(ResourceRefused, match=refused):
        safe_url_fetcher("data")


def test_fetcher_names_a_malformed_data_url():
    with pytest.raises(ResourceRefused, match=r"^Malformed data: URL \(.+\)$"):
        safe_url_fetcher("data:sin-coma")
