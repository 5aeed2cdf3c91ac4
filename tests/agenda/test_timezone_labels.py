"""How an offset is written: the plain-text (e-mail) minus, and a zero offset."""

import datetime as dt
import zoneinfo

import pytest

from agenda.timezones import utc_offset_label

JUNE_2022 = dt.datetime(2022, 6, 14, 16, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/El_Salvador", "UTC-06:00"),
        ("America/St_Johns", "UTC-02:30"),
        ("Asia/Kolkata", "UTC+05:30"),
        ("UTC", "UTC+00:00"),
    ],
)
def test_utc_offset_label_ascii_minus_for_plain_text(zone, expected):
    label = utc_offset_label(zoneinfo.ZoneInfo(zone), JUNE_2022, ascii_minus=True)

    assert label == expected


def test_utc_offset_label_half_hour_west_of_utc_keeps_the_minutes():
    # Newfoundland in summer: 2 h 30 min behind UTC, written with the typographic minus.
    label = utc_offset_label(zoneinfo.ZoneInfo("America/St_Johns"), JUNE_2022)

    assert label == "UTC\u221202:30"
