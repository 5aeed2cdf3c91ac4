"""agenda.ics.calendar_attachment: the e-mail part an invitation carries its calendar in."""

from agenda.ics import _organizer, calendar_attachment

CALENDAR = b"BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"


def test_the_part_is_a_utf8_publish_calendar_attached_under_its_name():
    part = calendar_attachment(calendar=CALENDAR, filename="taller.ics")

    assert part.get_content_type() == "text/calendar"
    assert part.get_param("charset") == "utf-8"  # even for a calendar that is all ASCII
    assert part.get_param("method") == "PUBLISH"
    assert part.get_content_disposition() == "attachment"
    assert part.get_filename() == "taller.ics"
    assert part.get_payload(decode=True) == CALENDAR


def test_non_ascii_text_survives_the_round_trip():
    calendar = "BEGIN:VCALENDAR\r\nSUMMARY:Sesión de apertura\r\nEND:VCALENDAR\r\n".encode()

    part = calendar_attachment(calendar=calendar, filename="sesión.ics")

    assert part.get_payload(decode=True).decode(part.get_content_charset()) == calendar.decode()
    assert part.get_filename() == "sesión.ics"


def test_the_organizer_is_the_sender_named_as_in_from(settings):
    settings.DEFAULT_FROM_EMAIL = "CRM Taller <taller@crm.example.org>"

    organizer = _organizer()

    assert (str(organizer), organizer.params["CN"]) == (
        "mailto:taller@crm.example.org",
        "CRM Taller",
    )


def test_an_unnamed_sender_is_the_executive_secretariat(settings):
    settings.DEFAULT_FROM_EMAIL = "taller@crm.example.org"

    organizer = _organizer()

    assert (str(organizer), organizer.params["CN"]) == (
        "mailto:taller@crm.example.org",
        "Secretaría Ejecutiva",
    )
