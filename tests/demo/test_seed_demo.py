"""``seed_demo`` loads the concept-note workshop faithfully, idempotently and only on purpose.

The expected values are literal facts of the concept note (never read from ../shared).
"""

import copy
import datetime as dt
import io
import zoneinfo

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from agenda.models import AgendaItem, Axis, Participation, Segment, Session, Speaker, Workshop
from consultations.models import QuestionAssignment, TriggerQuestion
from crm_workshop.demo.seed import concept_note_data, seed_concept_note
from participants.models import Country, Delegation, Organisation, Participant, User

pytestmark = pytest.mark.django_db

SLUG = "crm-gtgf-trafico-ilicito-migrantes-2022"
SAN_SALVADOR = zoneinfo.ZoneInfo("America/El_Salvador")
UTC = dt.UTC
DEMO_EMAILS = [
    "admin@crm-workshop.test",
    "secretaria@crm-workshop.test",
    "moderador@crm-workshop.test",
    "delegado.sv@crm-workshop.test",
    "delegada.sv@crm-workshop.test",
    "delegada.mx@crm-workshop.test",
    "observador@crm-workshop.test",
]


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def workshop() -> Workshop:
    _seed(verbosity=0)
    return Workshop.objects.get(slug=SLUG)


def _item(number: int, order: int) -> AgendaItem:
    return AgendaItem.objects.get(session__workshop__slug=SLUG, session__number=number, order=order)


def _local_times(item: AgendaItem) -> tuple[str, str]:
    return (
        item.start.astimezone(SAN_SALVADOR).strftime("%H:%M"),
        item.end.astimezone(SAN_SALVADOR).strftime("%H:%M"),
    )


def _snapshot() -> dict[str, list[dict]]:
    """Every row of every model (auto-created M2M tables included), ordered by primary key."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


# --- Refusal without DEBUG ----------------------------------------------------------------------


def test_seed_demo_without_debug_or_force_is_refused(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as error:
        call_command("seed_demo", verbosity=0)

    assert str(error.value) == (
        "seed_demo se niega a ejecutarse con DEBUG desactivado: crea cuentas de demostración "
        "con contraseñas conocidas. Si este no es un servidor de producción, vuelva a "
        "ejecutarlo con --force."
    )
    assert Workshop.objects.count() == 0
    assert User.objects.count() == 0


def test_seed_demo_without_debug_with_force_loads(settings):
    settings.DEBUG = False

    call_command("seed_demo", "--force", verbosity=0)

    assert list(Workshop.objects.values_list("slug", flat=True)) == [SLUG]


def test_seed_demo_with_debug_loads_without_force(settings):
    settings.DEBUG = True

    call_command("seed_demo", verbosity=0)

    assert list(Workshop.objects.values_list("slug", flat=True)) == [SLUG]


# --- Idempotence ------------------------------------------------------------------------------


def test_seed_demo_second_run_changes_no_row_of_any_model():
    _seed(verbosity=0)
    before = _snapshot()

    _seed(verbosity=0)
    after = _snapshot()

    counts_before = {label: len(rows) for label, rows in before.items()}
    counts_after = {label: len(rows) for label, rows in after.items()}
    assert counts_after == counts_before
    assert counts_before["agenda.Workshop"] == 1
    assert after == before


def test_seed_demo_second_run_creates_no_duplicates(workshop):
    _seed(verbosity=0)

    speaker_keys = Speaker.objects.values_list("name", "organisation__code", "position_es")
    assert len(set(speaker_keys)) == len(speaker_keys) == 8
    assert User.objects.filter(email__in=DEMO_EMAILS).count() == 7
    assert EmailAddress.objects.filter(email__in=DEMO_EMAILS).count() == 7
    assert Participant.objects.filter(workshop=workshop).count() == 5
    assert QuestionAssignment.objects.count() == 8 * 11
    assert Group.objects.filter(name="Secretaría Ejecutiva").count() == 1


def test_seed_demo_second_run_keeps_passwords_working(workshop):
    _seed(verbosity=0)

    for email in DEMO_EMAILS:
        assert User.objects.get(email=email).check_password("demo-crm-2022"), email


# --- The workshop ------------------------------------------------------------------------------


def test_seed_workshop_has_reference_zone_status_and_roles(workshop):
    assert workshop.time_zone == "America/El_Salvador"
    assert workshop.time_zone_confirmed is False
    assert workshop.agenda_status == Workshop.AgendaStatus.PRELIMINARY
    assert workshop.modality == Workshop.Modality.VIRTUAL
    assert workshop.organiser.code == "CRM-GTGF"
    assert workshop.organiser.parent.code == "CRM"
    partners = workshop.partners.order_by("order")
    assert [(p.organisation.code, p.role_es, p.role_en) for p in partners] == [
        ("OIM", "apoyo", "support"),
        ("UNODC", "apoyo", "support"),
    ]


def test_seed_workshop_title_says_smuggling_never_trafficking(workshop):
    assert workshop.title_es == "Intercambio Técnico sobre Tráfico Ilícito de Personas Migrantes"
    assert "tráfico ilícito" in workshop.title_es.lower()
    assert "trata" not in workshop.title_es.lower()
    assert workshop.title_en == "Technical Exchange on the Smuggling of Migrants"
    assert "trafficking" not in workshop.title_en.lower()


def test_seed_counts_match_the_note(workshop):
    assert workshop.sessions.count() == 2
    assert AgendaItem.objects.filter(session__workshop=workshop).count() == 7
    # S1-03 INTERPOL talk, S1-04 two contributions, S2-02 three talks.
    assert Segment.objects.filter(agenda_item__session__workshop=workshop).count() == 6
    assert workshop.objectives.count() == 5
    assert workshop.axes.count() == 4
    assert Country.objects.count() == 11
    assert Organisation.objects.count() == 12
    assert workshop.delegations.count() == 11
    questions = workshop.trigger_questions.all()
    assert questions.count() == 8
    assert all(question.is_example for question in questions)
    assert [question.countries.count() for question in questions] == [11] * 8


def test_seed_axes_1_2_4_are_prioritised(workshop):
    assert list(workshop.axes.values_list("number", "title_es", "prioritised")) == [
        (1, "Inteligencia e investigación", True),
        (2, "Cooperación judicial transfronteriza", True),
        (3, "Detención administrativa y alternativas", False),
        (4, "Protección", True),
    ]


def test_seed_objectives_keep_order_wording_and_axes(workshop):
    objectives = list(workshop.objectives.order_by("order"))
    assert [o.order for o in objectives] == [1, 2, 3, 4, 5]
    assert objectives[0].text_es.startswith("Fomentar el intercambio de experiencias")
    assert objectives[4].text_es.startswith(
        "Fomentar el fortalecimiento de los Grupos de Alto Nivel sobre Seguridad (GANSEG)"
    )
    assert [sorted(o.axes.values_list("number", flat=True)) for o in objectives] == [
        [1, 2, 3, 4],
        [1, 2],
        [1],
        [4],
        [1, 2],
    ]


# --- Sessions and blocks -------------------------------------------------------------------------


def test_seed_sessions_keep_labels_dates_and_axes(workshop):
    sessions = list(workshop.sessions.order_by("number"))
    assert [(s.label_es, s.label_en) for s in sessions] == [
        ("Sesión 1", "Session 1"),
        ("Sesión virtual 2", "Virtual session 2"),
    ]
    assert [(s.start, s.end) for s in sessions] == [
        (dt.datetime(2022, 6, 14, 16, tzinfo=UTC), dt.datetime(2022, 6, 14, 18, tzinfo=UTC)),
        (dt.datetime(2022, 6, 15, 16, tzinfo=UTC), dt.datetime(2022, 6, 15, 18, tzinfo=UTC)),
    ]
    assert [list(s.axes.order_by("number").values_list("number", flat=True)) for s in sessions] == [
        [1],
        [2, 4],
    ]


def test_seed_ten_o_clock_san_salvador_is_stored_as_sixteen_utc(workshop):
    session = workshop.sessions.get(number=1)

    assert session.start == dt.datetime(2022, 6, 14, 10, tzinfo=SAN_SALVADOR)
    assert session.start.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == "2022-06-14 16:00"
    assert _item(1, 1).start == dt.datetime(2022, 6, 14, 16, tzinfo=UTC)


def test_seed_session_1_blocks_have_exact_times_kinds_and_titles(workshop):
    items = AgendaItem.objects.filter(session__workshop=workshop, session__number=1)
    assert [(*_local_times(i), i.kind, i.secondary_kind, i.title_es) for i in items] == [
        ("10:00", "10:20", "opening", "", "Palabras de Inauguración"),
        ("10:30", "10:45", "introduction", "", "Introducción al Intercambio Técnico"),
        ("10:45", "11:15", "presentation", "", "Presentación"),
        (
            "11:15",
            "12:00",
            "dialogue",
            "",
            "Diálogo e intercambio dirigido: investigación e inteligencia policial sobre "
            "Tráfico Ilícito de Personas Migrantes",
        ),
    ]


def test_seed_session_2_blocks_have_exact_times_kinds_and_titles(workshop):
    items = AgendaItem.objects.filter(session__workshop=workshop, session__number=2)
    assert [
        (*_local_times(i), i.kind, i.secondary_kind, i.title_es, i.title_en) for i in items
    ] == [
        ("10:00", "10:10", "opening", "", "Bienvenida", "Welcome"),
        ("10:10", "11:30", "presentation", "", "Presentaciones", "Presentations"),
        (
            "11:30",
            "12:00",
            "closing",
            "dialogue",
            "Diálogo, acuerdos y cierre del Intercambio Técnico",
            "Dialogue, agreements and closing of the Technical Exchange",
        ),
    ]


def test_seed_session_1_gap_from_10_20_to_10_30_is_covered_by_no_block(workshop):
    gap_start = dt.datetime(2022, 6, 14, 10, 20, tzinfo=SAN_SALVADOR)
    gap_end = dt.datetime(2022, 6, 14, 10, 30, tzinfo=SAN_SALVADOR)

    overlapping = AgendaItem.objects.filter(
        session__workshop=workshop, start__lt=gap_end, end__gt=gap_start
    )

    assert overlapping.count() == 0
    assert _item(1, 1).end == gap_start
    assert _item(1, 2).start == gap_end
    assert "10-minute gap" in _item(1, 2).editor_notes


def test_seed_segment_minutes_are_the_stated_ones_or_null(workshop):
    assert list(_item(2, 2).segments.values_list("duration_minutes", flat=True)) == [30, 20, 30]
    assert list(_item(1, 4).segments.values_list("duration_minutes", flat=True)) == [None, None]


def test_seed_s1_dialogue_segments_name_their_countries(workshop):
    segments = _item(1, 4).segments.order_by("order")

    assert [sorted(s.countries.values_list("iso_code", flat=True)) for s in segments] == [
        ["MX"],
        ["CR", "DO", "PA"],
    ]


# --- Speakers, moderators and their status -------------------------------------------------


def test_seed_s1_opening_has_three_speakers_with_their_statuses(workshop):
    participations = _item(1, 1).participations.order_by("order")

    assert [(p.role, p.status) for p in participations] == [
        ("speaker", "to_be_defined"),
        ("speaker", "confirmed"),
        ("speaker", "to_be_confirmed"),
    ]
    assert [str(p.speaker) for p in participations] == [
        "Presidencia Pro-Témpore",
        "Michele Klein-Solomon",
        "Representante Regional de UNODC",
    ]


def test_seed_unodc_regional_representative_is_por_confirmar(workshop):
    participation = Participation.objects.get(
        speaker__organisation__code="UNODC", speaker__position_es="Representante Regional de UNODC"
    )

    with translation.override("es"):
        assert participation.get_status_display() == "Por confirmar"
    assert participation.speaker.name == ""
    assert participation.agenda_item == _item(1, 1)


def test_seed_ppt_por_definir_is_one_speaker_with_three_participations(workshop):
    speaker = Speaker.objects.get(
        name="", organisation__code="CRM-PPT", position_es="Presidencia Pro-Témpore"
    )
    participations = speaker.participations.order_by(
        "agenda_item__session__number", "agenda_item__order"
    )

    assert [
        (p.agenda_item.session.number, p.agenda_item.order, p.role, p.status)
        for p in participations
    ] == [
        (1, 1, "speaker", "to_be_defined"),
        (2, 1, "speaker", "to_be_defined"),
        (2, 3, "speaker", "to_be_defined"),
    ]
    assert speaker.representing.code == "CRM-PPT"


def test_seed_michele_klein_solomon_has_position_and_regional_office(workshop):
    speaker = Speaker.objects.get(name="Michele Klein-Solomon")

    assert speaker.organisation.code == "OIM-RO-SJ"
    assert speaker.organisation.parent.code == "OIM"
    assert speaker.position_es == (
        "Directora Regional de la Oficina Regional para Centroamérica, Norteamérica y el "
        "Caribe de la OIM"
    )
    assert speaker.position_en == (
        "Regional Director, IOM Regional Office for Central America, North America and the "
        "Caribbean"
    )


def test_seed_ana_irma_rodas_represents_the_ppt(workshop):
    speaker = Speaker.objects.get(name="Ana Irma Rodas")

    assert speaker.representing.code == "CRM-PPT"
    assert [(p.agenda_item, p.status) for p in speaker.participations.all()] == [
        (_item(1, 2), "confirmed")
    ]


def test_seed_moderators_are_the_ppt_in_s1_dialogue_and_unodc_in_s2_presentations(workshop):
    moderators = Participation.objects.filter(role="moderator").order_by(
        "agenda_item__session__number"
    )

    assert [
        (p.agenda_item, p.speaker.name, p.speaker.organisation.code, p.status) for p in moderators
    ] == [
        (_item(1, 4), "", "CRM-PPT", "confirmed"),
        (_item(2, 2), "", "UNODC", "confirmed"),
    ]


def test_seed_segment_presenters_are_organisations_or_not_stated(workshop):
    presenters = Participation.objects.filter(segment__isnull=False).order_by(
        "segment__agenda_item__session__number", "segment__agenda_item__order", "segment__order"
    )

    assert [
        (
            p.segment.agenda_item.session.number,
            p.segment.agenda_item.order,
            p.segment.order,
            p.role,
            p.status,
            p.speaker.organisation.code if p.speaker else None,
            p.speaker.name if p.speaker else None,
        )
        for p in presenters
    ] == [
        (1, 3, 1, "presenter", "confirmed", "INTERPOL", ""),
        (1, 4, 1, "presenter", "confirmed", "SSPC-MX", ""),
        (1, 4, 2, "presenter", "not_stated", None, None),
        (2, 2, 1, "presenter", "confirmed", "UNODC", ""),
        (2, 2, 2, "presenter", "not_stated", None, None),
        (2, 2, 3, "presenter", "not_stated", None, None),
    ]


# --- Countries, organisations, questions --------------------------------------------------------


def test_seed_countries_have_iso_code_zone_and_language(workshop):
    rows = Country.objects.order_by("iso_code").values_list(
        "iso_code", "time_zone", "working_language", "crm_status"
    )

    assert list(rows) == [
        ("BZ", "America/Belize", "en", "member"),
        ("CA", "America/Toronto", "en", "member"),
        ("CR", "America/Costa_Rica", "es", "member"),
        ("DO", "America/Santo_Domingo", "es", "member"),
        ("GT", "America/Guatemala", "es", "member"),
        ("HN", "America/Tegucigalpa", "es", "member"),
        ("MX", "America/Mexico_City", "es", "member"),
        ("NI", "America/Managua", "es", "member"),
        ("PA", "America/Panama", "es", "member"),
        ("SV", "America/El_Salvador", "es", "member"),
        ("US", "America/New_York", "en", "member"),
    ]
    assert Country.objects.get(iso_code="MX").name_es == "México"


def test_seed_every_country_has_one_delegation(workshop):
    assert sorted(workshop.delegations.values_list("country__iso_code", flat=True)) == [
        "BZ",
        "CA",
        "CR",
        "DO",
        "GT",
        "HN",
        "MX",
        "NI",
        "PA",
        "SV",
        "US",
    ]


def test_seed_organisations_have_kinds_parents_and_acronyms(workshop):
    rows = Organisation.objects.order_by("code").values_list(
        "code", "acronym_es", "acronym_en", "kind", "parent__code", "country__iso_code"
    )

    assert list(rows) == [
        ("AIAMP", "AIAMP", "AIAMP", "network", None, None),
        ("CRM", "CRM", "RCM", "regional_process", None, None),
        ("CRM-GTGF", "", "", "regional_process", "CRM", None),
        ("CRM-PPT", "PPT", "PPT", "regional_process", "CRM", None),
        ("CRM-SE", "", "", "regional_process", "CRM", None),
        ("INTERPOL", "INTERPOL", "INTERPOL", "international", None, None),
        ("OIM", "OIM", "IOM", "international", None, None),
        ("OIM-RO-SJ", "", "", "international", "OIM", None),
        ("REDTRAM", "REDTRAM", "REDTRAM", "network", "AIAMP", None),
        ("RROCM", "RROCM", "RNCOM", "civil_society", None, None),
        ("SSPC-MX", "SSPC", "SSPC", "government", None, "MX"),
        ("UNODC", "UNODC", "UNODC", "international", None, None),
    ]


def test_seed_example_questions_are_tied_to_session_and_axis(workshop):
    rows = TriggerQuestion.objects.order_by("code").values_list(
        "code", "session__number", "axis__number", "order", "is_example"
    )

    assert list(rows) == [
        ("TQ-S1-1", 1, 1, 1, True),
        ("TQ-S1-2", 1, 1, 2, True),
        ("TQ-S1-3", 1, 1, 3, True),
        ("TQ-S1-4", 1, 1, 4, True),
        ("TQ-S2-1", 2, 2, 1, True),
        ("TQ-S2-2", 2, 4, 2, True),
        ("TQ-S2-3", 2, 4, 3, True),
        ("TQ-S2-4", 2, 2, 4, True),
    ]


# --- Loading rules -----------------------------------------------------------------------------


def test_seed_concept_note_block_outside_its_session_is_refused_and_nothing_saved():
    data = copy.deepcopy(concept_note_data())
    data["sessions"][0]["agenda_items"][3]["end"] = "12:30"

    with pytest.raises(ValidationError) as error:
        seed_concept_note(data=data)

    assert "start" in error.value.message_dict
    assert Workshop.objects.count() == 0
    assert Session.objects.count() == 0
    assert Country.objects.count() == 0


def test_seed_concept_note_returns_the_workshop_by_slug():
    workshop = seed_concept_note(data=concept_note_data())

    assert workshop == Workshop.objects.get(slug=SLUG)
    assert Axis.objects.filter(workshop=workshop).count() == 4


# --- Demo accounts ------------------------------------------------------------------------------


def test_seed_demo_prints_summary_and_every_account_with_its_password():
    output = _seed()

    assert "Taller cargado: Intercambio Técnico sobre Tráfico Ilícito de Personas Migrantes" in (
        output
    )
    assert "Zona horaria de referencia: America/El_Salvador (sin confirmar)" in output
    assert "Cuentas de demostración" in output
    account_lines = [line for line in output.splitlines() if "@crm-workshop.test" in line]
    printed = [line.split()[-2:] for line in account_lines]
    assert [email for email, _password in printed] == DEMO_EMAILS
    for email, password in printed:  # the printed password is the one that signs in
        assert User.objects.get(email=email).check_password(password), email


def test_seed_demo_accounts_are_verified_with_empty_own_zone(workshop):
    for email in DEMO_EMAILS:
        user = User.objects.get(email=email)
        address = EmailAddress.objects.get(user=user)
        assert (address.email, address.verified, address.primary) == (email, True, True)
        assert user.time_zone == ""
        assert user.check_password("demo-crm-2022")


def test_seed_demo_staff_is_in_secretaria_group_with_the_apps_but_no_account_powers(workshop):
    staff = User.objects.get(email="secretaria@crm-workshop.test")
    group = Group.objects.get(name="Secretaría Ejecutiva")
    expected = Permission.objects.filter(
        content_type__app_label__in=["agenda", "participants", "consultations", "agreements"]
    ).exclude(codename__in=["add_user", "delete_user"])

    assert (staff.is_staff, staff.is_superuser) == (True, False)
    assert list(staff.groups.all()) == [group]
    assert set(group.permissions.all()) == set(expected)
    assert sorted(
        group.permissions.filter(content_type__model="user").values_list("codename", flat=True)
    ) == ["change_user", "view_user"]
    assert staff.has_perm("agenda.change_agendaitem")
    assert staff.has_perm("participants.change_participant")
    assert staff.has_perm("participants.add_invitation")
    assert staff.has_perm("participants.change_delegation")
    assert staff.has_perm("consultations.add_triggerquestion")
    assert staff.has_perm("agreements.change_agreement")
    assert not staff.has_perm("participants.add_user")
    assert not staff.has_perm("participants.delete_user")
    assert not staff.has_perm("auth.change_group")
    assert not staff.has_perm("account.change_emailaddress")
    assert not staff.has_perm("mfa.delete_authenticator")


def test_seed_demo_admin_is_the_one_superuser(workshop):
    assert list(User.objects.filter(is_superuser=True).values_list("email", flat=True)) == [
        "admin@crm-workshop.test"
    ]


def test_seed_demo_participants_have_roles_delegations_and_approval(workshop):
    rows = (
        Participant.objects.filter(workshop=workshop)
        .order_by("user__email")
        .values_list(
            "user__email",
            "role",
            "delegation__country__iso_code",
            "organisation__code",
            "registration_status",
        )
    )

    assert list(rows) == [
        ("delegada.mx@crm-workshop.test", "delegate", "MX", None, "approved"),
        ("delegada.sv@crm-workshop.test", "delegate", "SV", None, "approved"),
        ("delegado.sv@crm-workshop.test", "delegate", "SV", None, "approved"),
        ("moderador@crm-workshop.test", "moderator", None, "CRM-PPT", "approved"),
        ("observador@crm-workshop.test", "observer", None, "RROCM", "approved"),
    ]


def test_seed_demo_sv_delegate_is_the_sv_focal_point(workshop):
    sv = Delegation.objects.get(workshop=workshop, country="SV")
    mx = Delegation.objects.get(workshop=workshop, country="MX")

    assert sv.focal_point.email == "delegado.sv@crm-workshop.test"
    assert mx.focal_point is None


def test_seed_demo_delegate_logs_in_under_mandatory_verification(workshop, client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    response = client.post(
        reverse("account_login"),
        {"login": "delegado.sv@crm-workshop.test", "password": "demo-crm-2022"},
    )

    assert response.status_code == 302
    assert response.url == reverse("participants:home")
    assert client.session["_auth_user_id"] == str(
        User.objects.get(email="delegado.sv@crm-workshop.test").pk
    )
