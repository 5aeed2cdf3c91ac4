"""crm_workshop.exports.FormulaSafeExportMixin passes the export's choices on: the columns
staff selected and the native-type request of XLSX exports (the admin tests export every
column as text)."""

import datetime as dt

import pytest

from participants.models import Invitation
from participants.resources import InvitationExportResource
from tests.admin_factories import InvitationFactory

pytestmark = pytest.mark.django_db

SENT = dt.datetime(2022, 6, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def invitation():
    return InvitationFactory(
        full_name="=1+1",
        email="ana@gob.mx",
        status=Invitation.Status.SENT,
        sent_at=SENT,
        attempts=3,
    )


def test_only_the_selected_columns_are_exported_safe(invitation):
    dataset = InvitationExportResource().export(
        Invitation.objects.all(), export_fields=["name", "email"]
    )

    assert dataset.headers == ["name", "email"]
    assert list(dataset) == [("'=1+1", "ana@gob.mx")]


def test_a_native_type_export_keeps_numbers_as_numbers(invitation):
    as_text = InvitationExportResource().export(
        Invitation.objects.all(), export_fields=["name", "attempts"]
    )
    native = InvitationExportResource().export(
        Invitation.objects.all(), export_fields=["name", "attempts"], force_native_type=True
    )

    assert list(as_text) == [("'=1+1", "3")]
    assert list(native) == [("'=1+1", 3)]
