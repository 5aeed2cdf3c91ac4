"""Validators shared by the models of every app."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Everything ``str.splitlines()`` breaks on: LF, CR, VT, FF, the file/group/record separators,
# NEL, and the Unicode line and paragraph separators. A calendar or a mail header treats any
# of them as the end of a line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_RUN = re.compile(f"[{re.escape(LINE_BREAKS)}]+")


def validate_single_line(value: str) -> None:
    """Refuse a value that contains any line break (titles, names, labels, codes…)."""
    if _LINE_BREAK_RUN.search(value or ""):
        raise ValidationError(
            _("Este campo debe ocupar una sola línea: quite los saltos de línea."),
            code="line_break",
        )


def single_line(value: str) -> str:
    """``value`` with every run of line breaks replaced by one space, for output where a line
    break would end a header or a calendar property (rows saved before the validator)."""
    return _LINE_BREAK_RUN.sub(" ", str(value)).strip()
