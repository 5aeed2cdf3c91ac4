"""Bulk import of invitees in the admin (issue 6, points 3 and 9): upload → preview → confirm."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import Country, Invitation, Organisation, Participant, User

IMPORT_URL = "/admin/participants/invitation/import/"
PROCESS_URL = "/admin/participants/invitation/process_import/"
HEADERS = [
    "name",
    "email",
    "country",
    "organisation",
    "institution",
    "position",
    "profile",
    "language",
]

GOOD_ROWS = [
    ["Ana Pérez", "ana.perez@gob.mx", "MX", "", "Fiscalía", "Fiscal", "investigation", "es"],
    ["John Smith", "john@iom.example", "", "OIM", "OIM", "Officer", "PROTECTION AND ASYLUM", ""],
]


def csv_file(rows, *, headers=HEADERS, name="invitados.csv", encoding="utf-8", delimiter=","):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), "text/csv")


def xlsx_file(rows, *, headers=HEADERS, name="invitados.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def preview(client, upload):
    return client.post(IMPORT_URL, {"import_file": upload, "resource": "0"})


def confirm(client, response, **extra):
    form = response.context["confirm_form"] or response.context["valid_only_form"]
    data = {
        "import_file_name": form.initial["import_file_name"],
        "original_file_name": form.initial["original_file_name"],
        "format": form.initial["format"],
        "resource": "0",
        **extra,
    }
    return client.post(PROCESS_URL, data)


def reasons(response) -> dict[int, list[str]]:
    return {row["number"]: row["reasons"] for row in response.context["preview_rows"]}


@pytest.fixture
def staff_client(people, client_as):
    return client_as(people["staff"])


def test_import_csv_preview_then_confirm_creates_drafts(demo, people, staff_client):
    response = preview(staff_client, csv_file(GOOD_ROWS))

    assert response.status_code == 200
    assert reasons(response) == {2: [], 3: []}
    assert not Invitation.objects.filter(
        email="ana.perez@gob.mx"
    ).exists()  # preview writes nothing

    response = confirm(staff_client, response)

    assert response.status_code == 302
    ana = Invitation.objects.get(email="ana.perez@gob.mx")
    assert ana.status == Invitation.Status.DRAFT
    assert ana.workshop == demo
    assert ana.delegation == demo.delegations.get(country_id="MX")
    assert ana.role == Participant.Role.DELEGATE
    assert (ana.full_name, ana.institution, ana.position) == ("Ana Pérez", "Fiscalía", "Fiscal")
    assert ana.profile == "investigation"
    assert ana.language == "es"
    assert ana.created_by == people["staff"]
    john = Invitation.objects.get(email="john@iom.example")
    assert john.role == Participant.Role.OBSERVER
    assert john.organisation == Organisation.objects.get(code="OIM")
    assert john.delegation is None
    assert john.profile == "protection"  # English label, any case


def test_import_xlsx_reads_formulas_as_text(demo, staff_client):
    rows = [
        [
            '=HYPERLINK("http://evil.example","x")',
            "f@gob.sv",
            "SV",
            "",
            "+1 Inst",
            "@cargo",
            "Control migratorio",
            "es",
        ]
    ]

    response = confirm(staff_client, preview(staff_client, xlsx_file(rows)))

    assert response.status_code == 302
    invitation = Invitation.objects.get(email="f@gob.sv")
    assert invitation.full_name == '=HYPERLINK("http://evil.example","x")'
    assert invitation.institution == "+1 Inst"
    assert invitation.position == "@cargo"
    assert invitation.profile == "migration_control"


def test_import_csv_with_semicolons_and_bom(demo, staff_client):
    upload = csv_file(GOOD_ROWS[:1], delimiter=";", encoding="utf-8-sig")

    response = preview(staff_client, upload)

    assert [row["fate"] for row in response.context["preview_rows"]] == ["new"]


def test_import_every_row_error_is_listed_and_nothing_is_written(demo, people, staff_client):
    Country.objects.create(
        iso_code="BR", name_es="Brasil", name_en="Brazil", time_zone="America/Sao_Paulo"
    )
    Invitation.objects.create(
        workshop=demo, email="Ya.Invitada@gob.gt", delegation=demo.delegations.get(country_id="GT")
    )
    rows = [
        ["Ana", "ana@gob.mx", "MX", "", "", "", "", ""],  # 2: fine
        ["Bad", "no-es-correo", "MX", "", "", "", "", ""],  # 3
        ["Zed", "zed@x.org", "ZZ", "", "", "", "", ""],  # 4
        ["Bra", "b@gov.br", "BR", "", "", "", "", ""],  # 5
        ["Org", "o@x.org", "", "NOPE", "", "", "", ""],  # 6
        ["Both", "both@x.org", "MX", "OIM", "", "", "", ""],  # 7
        ["None", "none@x.org", "", "", "", "", "", ""],  # 8
        ["Dup", "ANA@gob.mx", "MX", "", "", "", "", ""],  # 9
        ["Old", "ya.invitada@GOB.gt", "GT", "", "", "", "", ""],  # 10
        ["Line\nbreak", "lb@x.org", "MX", "", "", "", "", ""],  # 11
        ["", "noname@x.org", "MX", "", "", "", "", ""],  # 12
        ["Prof", "p@x.org", "MX", "", "", "", "astronaut", "fr"],  # 13
    ]

    response = preview(staff_client, csv_file(rows))

    found = reasons(response)
    assert found[2] == []
    assert found[3] == ["«no-es-correo» no es un correo electrónico válido."]
    assert found[4] == ["País desconocido: «ZZ»."]
    assert found[5] == ["Brasil no tiene delegación en este taller."]
    assert found[6] == ["Organización desconocida: «NOPE»."]
    assert found[7] == ["Indique un país o una organización, no ambos."]
    assert found[8] == ["Falta el país (código ISO) o la organización (código)."]
    assert found[9] == ["El correo ANA@gob.mx ya está en la fila 2 de este archivo."]
    assert found[10] == ["ya.invitada@GOB.gt ya tiene una invitación a este taller."]
    assert found[11] == ["«name» tiene saltos de línea: debe ocupar una sola línea."]
    assert found[12] == ["Falta el nombre."]
    assert found[13] == [
        "Perfil desconocido: «astronaut». Use uno de: Investigación y judicialización, "
        "Control migratorio, Protección y refugio, Otro.",
        "Idioma desconocido: «fr». Use es o en.",
    ]
    assert response.context["confirm_form"] is None  # no plain confirm while there are errors
    assert response.context["valid_only_form"] is not None
    assert "Importar solo la fila válida (1)" in response.content.decode()
    assert Invitation.objects.count() == 1  # only the one made above


def test_import_plain_confirm_of_a_file_with_errors_writes_nothing(demo, staff_client):
    rows = [GOOD_ROWS[0], ["Bad", "bad", "MX", "", "", "", "", ""]]
    response = preview(staff_client, csv_file(rows))

    response = confirm(staff_client, response)  # forged: no valid_only

    assert response.status_code == 302
    assert response.url == IMPORT_URL
    assert Invitation.objects.count() == 0


def test_import_only_valid_rows_when_staff_choose(demo, staff_client):
    rows = [GOOD_ROWS[0], ["Bad", "bad", "MX", "", "", "", "", ""], GOOD_ROWS[1]]
    response = preview(staff_client, csv_file(rows))

    response = confirm(staff_client, response, valid_only="1")

    assert response.status_code == 302
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "ana.perez@gob.mx",
        "john@iom.example",
    ]


def test_import_messages_follow_the_active_language(demo, people):
    # /admin/ is outside i18n_patterns (Spanish there today); the messages are gettext'd, so
    # an admin shown in English reports in English.
    from django.utils import translation
    from import_export.formats.base_formats import CSV  # noqa: F401 - the library's loaded

    from participants.imports import InvitationCSV
    from participants.resources import InvitationImportResource

    upload = csv_file([["", "bad", "ZZ", "", "", "", "", ""]])
    dataset = InvitationCSV().create_dataset(upload.read())
    resource = InvitationImportResource(workshop=demo, user=people["staff"])

    with translation.override("en"):
        result = resource.import_data(dataset, dry_run=True)

    assert result.invalid_rows[0].error.messages == [
        "The name is missing.",
        "«bad» is not a valid e-mail address.",
        "Unknown country: «ZZ».",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "contiene datos binarios"),
        ("foto.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "no es un libro de Excel"),
        ("latin1.csv", "name,email,country\nJosé,j@x.org,MX\n".encode("latin-1"), "UTF-8"),
        ("lista.txt", b"name,email,country\n", "Suba un archivo CSV o XLSX"),
        ("vacio.csv", b"name,email,country\n", "no tiene filas"),
        ("cols.csv", b"nombre,pais\nAna,MX\n", "Faltan columnas"),
    ],
)
def test_import_refuses_files_that_are_not_invitee_lists(
    demo, staff_client, name, content, message
):
    response = preview(staff_client, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["import_file"])
    assert Invitation.objects.count() == 0


def test_import_refuses_a_file_over_the_size_limit(demo, staff_client, settings):
    settings.UPLOAD_MAX_BYTES = 100
    upload = csv_file([GOOD_ROWS[0]] * 5)

    response = preview(staff_client, upload)

    assert re.search(
        r"el máximo es 100\xa0bytes", response.context["form"].errors["import_file"][0]
    )


def test_import_needs_the_add_permission(demo, client_as):
    clerk = User.objects.create_user(username="clerk", email="clerk@x.org", is_staff=True)
    from django.contrib.auth.models import Permission

    clerk.user_permissions.add(Permission.objects.get(codename="view_invitation"))
    client = client_as(clerk)

    assert client.get(IMPORT_URL).status_code == 403
    assert (
        client.post(IMPORT_URL, {"import_file": csv_file(GOOD_ROWS), "resource": "0"}).status_code
        == 403
    )
    assert (
        client.post(
            PROCESS_URL, {"import_file_name": "x", "original_file_name": "x.csv", "format": "0"}
        ).status_code
        == 403
    )
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("role", ["anonymous", "delegate", "observer", "moderator"])
def test_import_is_closed_to_non_staff(people, client_as, role):
    response = client_as(people[role]).get(IMPORT_URL)

    assert response.status_code == 302
    assert "/admin/" not in response.url or "login" in response.url


def test_import_page_links_from_the_changelist(people, client_as):
    response = client_as(people["staff"]).get(reverse("admin:participants_invitation_changelist"))

    assert IMPORT_URL.encode() in response.content
