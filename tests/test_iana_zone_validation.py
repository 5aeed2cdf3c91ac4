"""validate_iana_zone: the error a form shows for a zone name tzdata does not know."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from crm_workshop.timezones import is_valid_zone, validate_iana_zone


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("America/El_Salvador", True),
        ("UTC", True),
        ("america/el_salvador", False),
        ("Mars/Olympus_Mons", False),
        ("", False),
        (None, False),
    ],
)
def test_is_valid_zone_accepts_only_exact_iana_names(name, expected):
    assert is_valid_zone(name) is expected


def test_validate_iana_zone_accepts_a_known_zone():
    assert validate_iana_zone("America/Mexico_City") is None


def test_validate_iana_zone_unknown_names_the_value_with_an_example():
    with pytest.raises(ValidationError) as raised, translation.override("es"):
        validate_iana_zone("Mars/Olympus_Mons")

    error = raised.value
    assert (error.code, error.params) == ("invalid_time_zone", {"value": "Mars/Olympus_Mons"})
    with translation.override("es"):
        assert error.messages == [
            "«Mars/Olympus_Mons» no es una zona horaria IANA válida "
            "(por ejemplo America/El_Salvador)."
        ]
