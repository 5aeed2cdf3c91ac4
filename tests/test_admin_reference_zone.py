"""Which zone the admin's forms read and write times in when there is more than one workshop,
and how times are written in the changelists."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import RequestFactory
from django.urls import reverse

from agenda.models import AgendaItem, Session, Workshop
from crm_workshop.admin import format_dated_span, format_moment, format_time_span
from tests.admin_factories import StaffUserFactory, activate_totp
from tests.factories import SessionFactory, WorkshopFactory, local

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
TORONTO_NOTE = "Hora de America/Toronto."
UTC_NOTE = "Hora UTC (no hay un taller del que tomar la zona de referencia)."


def test_format_time_span_crossing_midnight_dates_the_end():
    start = local(2022, 6, 14, 22)
    end = local(2022, 6, 15, 1, 30)

    assert (
        format_time_span(start, end, "America/El_Salvador")
        == "22:00\N{EN DASH}2022-06-15 01:30 (America/El_Salvador)"
    )


def test_format_dated_span_dates_the_start_in_the_zone():
    # 03:00 UTC on 15 June is still 14 June in San Salvador.
    start = dt.datetime(2022, 6, 15, 3, tzinfo=dt.UTC)

    assert (
        format_dated_span(start, start + dt.timedelta(hours=1), "America/El_Salvador")
        == "2022-06-14 21:00\N{EN DASH}22:00 (America/El_Salvador)"
    )


def test_format_moment_in_the_zone_or_a_dash():
    moment = dt.datetime(2022, 6, 11, 5, 59, tzinfo=dt.UTC)

    assert format_moment(moment, "America/El_Salvador") == "2022-06-10 23:59 (America/El_Salvador)"
    assert format_moment(None, "America/El_Salvador") == "\N{EM DASH}"


@pytest.fixture
def staff_client(client, db):
    """A superuser signed in with a second factor, as the admin requires."""
    from allauth.account.internal.flows.login import record_authentication

    user = StaffUserFactory(username="secretaria")
    activate_totp(user)
    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, user, "mfa", type="totp")
    session.save()
    return client


@pytest.fixture
def toronto_session(db):
    """A session of a Toronto workshop, beside a San Salvador workshop."""
    WorkshopFactory(time_zone="America/El_Salvador")
    return SessionFactory(
        workshop=WorkshopFactory(time_zone="America/Toronto"),
        start=dt.datetime(2022, 6, 14, 10, tzinfo=TORONTO),
        end=dt.datetime(2022, 6, 14, 12, tzinfo=TORONTO),
    )


def field_help(response, name: str) -> str:
    return response.context["adminform"].form.base_fields[name].help_text


def test_admin_change_form_uses_the_zone_of_its_own_workshop(staff_client, toronto_session):
    url = reverse("admin:agenda_session_change", args=[toronto_session.pk])

    response = staff_client.get(url)

    assert response.context["reference_zone"] == "America/Toronto"
    assert field_help(response, "start") == TORONTO_NOTE
    assert 'name="start_1" value="10:00:00"' in response.content.decode()
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.form.base_fields["start"].help_text == TORONTO_NOTE


def test_admin_add_form_takes_the_zone_of_the_parent_in_the_query(staff_client, toronto_session):
    url = reverse("admin:agenda_agendaitem_add") + f"?session={toronto_session.pk}"

    response = staff_client.get(url)

    assert response.context["reference_zone"] == "America/Toronto"
    assert field_help(response, "start") == TORONTO_NOTE


def test_admin_add_posted_times_are_read_in_the_parent_workshop_zone(staff_client, toronto_session):
    response = staff_client.post(
        reverse("admin:agenda_agendaitem_add"),
        {
            "session": toronto_session.pk,
            "order": 1,
            "start_0": "2022-06-14",
            "start_1": "10:00",
            "end_0": "2022-06-14",
            "end_1": "10:20",
            "kind": AgendaItem.Kind.PRESENTATION,
            "secondary_kind": "",
            "title_es": "Presentación",
            "title_en": "",
            "editor_notes": "",
            "segments-TOTAL_FORMS": "0",
            "segments-INITIAL_FORMS": "0",
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.start == dt.datetime(2022, 6, 14, 10, tzinfo=TORONTO)


@pytest.mark.parametrize("query", ["", "?session=0", "?session=999999"])
def test_admin_add_form_without_a_known_parent_and_two_workshops_says_utc(
    staff_client, toronto_session, query
):
    response = staff_client.get(reverse("admin:agenda_agendaitem_add") + query)

    assert response.status_code == 200
    assert response.context["reference_zone"] is None
    assert field_help(response, "start") == UTC_NOTE


def test_admin_add_form_with_a_single_workshop_uses_its_zone(staff_client):
    WorkshopFactory(time_zone="America/Toronto")

    response = staff_client.get(reverse("admin:agenda_session_add"))

    assert response.context["reference_zone"] == "America/Toronto"
    assert field_help(response, "start") == TORONTO_NOTE


def test_admin_add_form_with_two_workshops_in_one_zone_uses_it(staff_client):
    WorkshopFactory(time_zone="America/Toronto")
    WorkshopFactory(time_zone="America/Toronto")

    response = staff_client.get(reverse("admin:agenda_session_add"))

    assert response.context["reference_zone"] == "America/Toronto"
    assert (Workshop.objects.count(), Session.objects.count()) == (2, 0)


@pytest.mark.parametrize("with_parent", [True, False])
def test_admin_agenda_item_add_form_posts_back_to_its_own_address(
    staff_client, toronto_session, with_parent
):
    query = f"?session={toronto_session.pk}" if with_parent else ""

    content = staff_client.get(reverse("admin:agenda_agendaitem_add") + query).content.decode()

    (form_tag,) = re.findall(r'<form [^>]*id="agendaitem_form"[^>]*>', content)
    assert "action=" not in form_tag


def test_admin_change_form_of_a_missing_row_redirects_with_two_workshops(
    staff_client, toronto_session
):
    response = staff_client.get(reverse("admin:agenda_session_change", args=[999999]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
