"""IANA time-zone helpers: validation and safe lookup."""

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def iana_zone_names() -> frozenset[str]:
    """Every zone name tzdata knows (e.g. ``America/El_Salvador``)."""
    return frozenset(zoneinfo.available_timezones())


def is_valid_zone(name: str | None) -> bool:
    return bool(name) and name in iana_zone_names()


def validate_iana_zone(value: str) -> None:
    if not is_valid_zone(value):
        raise ValidationError(
            _("«%(value)s» no es una zona horaria IANA válida (por ejemplo America/El_Salvador)."),
            params={"value": value},
            code="invalid_time_zone",
        )
