"""The Django admin as the Secretaría's workplace: every model, inlines, zones, actions, queries."""

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.models import (
    AgendaItem,
    Axis,
    Objective,
    Participation,
    Segment,
    Session,
    Speaker,
    Workshop,
    WorkshopPartner,
)
from agreements.models import Agreement, Minutes, SessionRecord
from consultations.models import (
    Answer,
    Compendium,
    QuestionAssignment,
    QuestionDistribution,
    TriggerQuestion,
)
from participants.models import (
    Attendance,
    AttendanceReport,
    Country,
    Delegation,
    Invitation,
    Notification,
    Organisation,
    Participant,
    User,
)
from tests.admin_factories import (
    AgreementFactory,
    AnswerFactory,
    AttendanceFactory,
    AxisFactory,
    DelegationFactory,
    InvitationFactory,
    MinutesFactory,
    ObjectiveFactory,
    ParticipantFactory,
    QuestionAssignmentFactory,
    SegmentFactory,
    StaffUserFactory,
    TriggerQuestionFactory,
    WorkshopPartnerFactory,
    activate_totp,
)
from tests.factories import (
    AgendaItemFactory,
    CountryFactory,
    ParticipationFactory,
    SessionFactory,
    UserFactory,
    WorkshopFactory,
    local,
)

REGISTERED_MODELS = [
    User,
    Country,
    Organisation,
    Delegation,
    Participant,
    Invitation,
    Attendance,
    Workshop,
    Axis,
    Objective,
    Session,
    AgendaItem,
    Segment,
    Speaker,
    Participation,
    TriggerQuestion,
    Answer,
    Agreement,
]
MODEL_IDS = [model._meta.label for model in REGISTERED_MODELS]
# Registered without an add page (rows are made elsewhere): tested in their own modules.
READ_ONLY_MODELS = [
    AttendanceReport,
    Compendium,
    Notification,
    QuestionDistribution,
    SessionRecord,
    Minutes,  # versions are rendered from /staff/minutes/, never uploaded
]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def sign_in_with_mfa(client, user) -> None:
    """Sign ``user`` in and record a second factor in the session as allauth's MFA stage does.

    The full password + TOTP sign-in through allauth is exercised in
    ``test_admin_lets_staff_in_after_signing_in_with_password_and_totp_code``.
    """
    from allauth.account.internal.flows.login import record_authentication

    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, user, "mfa", type="totp")
    session.save()


@pytest.fixture
def staff(db):
    user = StaffUserFactory(username="secretaria")
    activate_totp(user)
    return user


@pytest.fixture
def staff_client(client, staff):
    sign_in_with_mfa(client, staff)
    return client


@pytest.fixture
def one_of_each(db):
    """One row of every registered model, all in one workshop, keyed by model."""
    workshop = WorkshopFactory()
    session = SessionFactory(workshop=workshop, number=1)
    item = AgendaItemFactory(session=session, order=1)
    segment = SegmentFactory(agenda_item=item)
    participant = ParticipantFactory(delegation=DelegationFactory(workshop=workshop))
    question = TriggerQuestionFactory(workshop=workshop, session=session)
    QuestionAssignmentFactory(question=question, country=participant.delegation.country)
    WorkshopPartnerFactory(workshop=workshop)
    rows = {
        User: participant.user,
        Country: participant.delegation.country,
        Organisation: workshop.organiser,
        Delegation: participant.delegation,
        Participant: participant,
        Invitation: InvitationFactory(delegation=participant.delegation),
        Attendance: AttendanceFactory(participant=participant, session=session),
        Workshop: workshop,
        Axis: AxisFactory(workshop=workshop),
        Objective: ObjectiveFactory(workshop=workshop),
        Session: session,
        AgendaItem: item,
        Segment: segment,
        Participation: ParticipationFactory(agenda_item=item),
        TriggerQuestion: question,
        Answer: AnswerFactory(question=question, delegation=participant.delegation),
        Agreement: AgreementFactory(session=session),
        Minutes: MinutesFactory(workshop=workshop),
    }
    rows[Speaker] = rows[Participation].speaker
    return rows


# --- Registry -----------------------------------------------------------------------------------


def test_admin_registers_every_model_of_the_four_apps():
    apps = {"participants", "agenda", "consultations", "agreements"}
    registered = {model for model in admin.site._registry if model._meta.app_label in apps}
    assert registered == {*REGISTERED_MODELS, *READ_ONLY_MODELS}


def test_admin_edits_partners_and_assignments_only_inline():
    workshop_inlines = {inline.model for inline in admin.site._registry[Workshop].inlines}
    question_inlines = {inline.model for inline in admin.site._registry[TriggerQuestion].inlines}
    assert workshop_inlines == {WorkshopPartner, Objective, Axis, Session}
    assert question_inlines == {QuestionAssignment}


# --- Every model: staff in, others out ---------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_admin_changelist_lists_the_row_for_staff(staff_client, one_of_each, model):
    expected_rows = model._default_manager.count()
    response = staff_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected_rows
    assert one_of_each[model].pk in {row.pk for row in response.context["cl"].result_list}


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_admin_add_page_renders_for_staff(staff_client, one_of_each, model):
    response = staff_client.get(admin_url(model, "add"))
    assert response.status_code == 200
    assert response.context["add"] is True


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_admin_change_page_renders_for_staff(staff_client, one_of_each, model):
    row = one_of_each[model]
    response = staff_client.get(admin_url(model, "change", row.pk))
    assert response.status_code == 200
    assert response.context["original"] == row


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_admin_changelist_sends_anonymous_to_login(client, db, model):
    url = admin_url(model, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_admin_changelist_refuses_signed_in_delegate(client, db, model):
    delegate = ParticipantFactory().user
    client.force_login(delegate)
    url = admin_url(model, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"


# --- Times in the reference zone ------------------------------------------------------------


def test_admin_agenda_item_changelist_names_the_reference_zone(staff_client):
    session = SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12))
    AgendaItemFactory(session=session, start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 10, 20))
    response = staff_client.get(admin_url(AgendaItem, "changelist"))
    content = response.content.decode()
    assert "10:00\N{EN DASH}10:20 (America/El_Salvador)" in content
    assert "16:00" not in content  # the UTC wall time is never shown


def test_admin_session_changelist_shows_date_span_and_duration(staff_client):
    SessionFactory(start=local(2022, 6, 15, 10), end=local(2022, 6, 15, 12))
    response = staff_client.get(admin_url(Session, "changelist"))
    content = response.content.decode()
    assert "2022-06-15 10:00\N{EN DASH}12:00 (America/El_Salvador)" in content
    assert "120 min" in content


def test_admin_session_change_form_renders_items_inline_in_reference_zone(staff_client):
    session = SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12))
    AgendaItemFactory(
        session=session,
        order=1,
        title_es="Palabras de apertura",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 10, 10),
    )
    AgendaItemFactory(
        session=session,
        order=2,
        title_es="Diálogo entre países",
        start=local(2022, 6, 14, 10, 10),
        end=local(2022, 6, 14, 11),
    )

    response = staff_client.get(admin_url(Session, "change", session.pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="items-TOTAL_FORMS" value="2"' in content
    assert 'value="Palabras de apertura"' in content
    assert 'value="Diálogo entre países"' in content
    assert 'name="start_1" value="10:00:00"' in content  # 16:00 UTC shown in El Salvador time
    assert 'name="items-1-start_1" value="10:10:00"' in content
    assert "Hora de America/El_Salvador." in content
    assert (
        "Todas las fechas y horas de este formulario están en la zona America/El_Salvador."
        in content
    )


def test_admin_participation_changelist_places_speakers_in_zone(staff_client):
    item = AgendaItemFactory(
        session=SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12)),
        title_es="Apertura",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 10, 10),
    )
    ParticipationFactory(agenda_item=item, speaker__name="Ana Pérez")

    content = staff_client.get(admin_url(Participation, "changelist")).content.decode()

    assert "Ana Pérez" in content
    assert "Apertura, 10:00\N{EN DASH}10:10 (America/El_Salvador)" in content


def agenda_item_post(session, *, start: str, end: str, title: str = "Presentación UNODC") -> dict:
    return {
        "session": session.pk,
        "order": 1,
        "start_0": "2022-06-14",
        "start_1": start,
        "end_0": "2022-06-14",
        "end_1": end,
        "kind": AgendaItem.Kind.PRESENTATION,
        "secondary_kind": "",
        "title_es": title,
        "title_en": "",
        "editor_notes": "",
        "segments-TOTAL_FORMS": "0",
        "segments-INITIAL_FORMS": "0",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
    }


def test_admin_agenda_item_add_outside_session_shows_model_error(staff_client):
    session = SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12))

    response = staff_client.post(
        admin_url(AgendaItem, "add"), agenda_item_post(session, start="09:30", end="10:15")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "start": [
            "El bloque debe caber dentro de la sesión (10:00\N{EN DASH}12:00, America/El_Salvador)."
        ]
    }
    assert AgendaItem.objects.count() == 0


def test_admin_agenda_item_add_reads_times_in_reference_zone(staff_client):
    session = SessionFactory(start=local(2022, 6, 14, 10), end=local(2022, 6, 14, 12))

    response = staff_client.post(
        admin_url(AgendaItem, "add"), agenda_item_post(session, start="10:00", end="10:20")
    )

    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert (item.start, item.end) == (local(2022, 6, 14, 10), local(2022, 6, 14, 10, 20))
    assert item.start.astimezone(dt.UTC).hour == 16


# --- Derived and read-only fields --------------------------------------------------------------


def test_admin_invitation_token_and_status_are_read_only(staff):
    request = RequestFactory().get("/")
    request.user = staff
    readonly = admin.site._registry[Invitation].get_readonly_fields(request)
    assert {"token", "status", "attempts", "last_error"} <= set(readonly)


@pytest.mark.parametrize("model", [Answer, Agreement], ids=["answer", "agreement"])
def test_admin_version_is_read_only(staff, model):
    request = RequestFactory().get("/")
    request.user = staff
    assert "version" in admin.site._registry[model].get_readonly_fields(request)


def agreement_post(agreement, **changes) -> dict:
    data = {
        "workshop": agreement.workshop_id,
        "session": agreement.session_id,
        "agenda_item": "",
        "axis": "",
        "number": agreement.number,
        "text_es": agreement.text_es,
        "text_en": agreement.text_en,
        "term": agreement.term,
        "due_date": "",
        "status": agreement.status,
        "follow_up_status": agreement.follow_up_status,
        "expected_version": agreement.version,
    }
    data.update(changes)
    return data


def test_admin_agreement_save_bumps_version_and_records_editor(staff_client, staff):
    agreement = AgreementFactory(text="Intercambiar información sobre rutas.")

    response = staff_client.post(
        admin_url(Agreement, "change", agreement.pk),
        agreement_post(agreement, status=Agreement.Status.ADOPTED),
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.status, agreement.version, agreement.updated_by) == ("adopted", 2, staff)
    assert agreement.history.count() == 2


def test_admin_agreement_refuses_to_overwrite_a_newer_version(staff_client):
    agreement = AgreementFactory(text="Texto original.")
    opened_at_version = agreement.version
    Agreement.objects.filter(pk=agreement.pk).update(version=2, text_es="Texto del moderador.")

    response = staff_client.post(
        admin_url(Agreement, "change", agreement.pk),
        agreement_post(
            agreement, text_es="Texto de la Secretaría.", expected_version=opened_at_version
        ),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Otra persona guardó este registro mientras lo editaba (versión 2; usted partió de la "
        "1). Vuelva a abrirlo para ver los cambios antes de guardar."
    ]
    agreement.refresh_from_db()
    assert (agreement.text, agreement.version) == ("Texto del moderador.", 2)


# --- Actions and inlines ---------------------------------------------------------------------


def test_admin_approve_action_reviews_pending_registrations(staff_client, staff):
    delegation = DelegationFactory()
    pending = ParticipantFactory.create_batch(2, delegation=delegation)
    already = ParticipantFactory(
        delegation=delegation, registration_status=Participant.RegistrationStatus.APPROVED
    )

    response = staff_client.post(
        admin_url(Participant, "changelist"),
        {
            "action": "approve_registrations",
            "_selected_action": [p.pk for p in [*pending, already]],
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Se aprobaron 2 inscripciones."]
    reviewed = Participant.objects.filter(pk__in=[p.pk for p in pending])
    assert {(p.registration_status, p.reviewed_by) for p in reviewed} == {("approved", staff)}
    already.refresh_from_db()
    assert already.reviewed_by is None


def test_admin_reject_action_records_reviewer(staff_client, staff):
    participant = ParticipantFactory()

    response = staff_client.post(
        admin_url(Participant, "changelist"),
        {"action": "reject_registrations", "_selected_action": [participant.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Se rechazó 1 inscripción."]
    participant.refresh_from_db()
    assert participant.registration_status == "rejected"
    assert participant.reviewed_by == staff
    assert participant.reviewed_at is not None


def test_admin_requeue_action_sends_only_failed_invitations_again(
    staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    failed = InvitationFactory(
        status=Invitation.Status.FAILED, attempts=3, last_error="550", email="ana@example.org"
    )
    sent = InvitationFactory(
        status=Invitation.Status.SENT, sent_at=local(2022, 6, 1, 9), attempts=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            admin_url(Invitation, "changelist"),
            {"action": "requeue_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert [str(m) for m in response.context["messages"]] == [
        "1 invitación fallida vuelve a estar en cola."
    ]
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 1, "")
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert [message.to for message in mailoutbox] == [["ana@example.org"]]


def test_admin_new_invitation_is_sent_and_keeps_its_author(
    staff_client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    delegation = DelegationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            admin_url(Invitation, "add"),
            {
                "workshop": delegation.workshop_id,
                "email": "punto.focal@example.org",
                "full_name": "Punto Focal",
                "role": "delegate",
                "delegation": delegation.pk,
                "organisation": "",
                "profile": "other",
                "language": "es",
            },
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.created_by) == ("sent", staff)
    assert [message.to for message in mailoutbox] == [["punto.focal@example.org"]]


def test_admin_delegation_member_inline_takes_the_delegation_workshop(staff_client):
    delegation = DelegationFactory(country=CountryFactory(iso_code="GT", name_es="Guatemala"))
    user = UserFactory()

    response = staff_client.post(
        admin_url(Delegation, "change", delegation.pk),
        {
            "workshop": delegation.workshop_id,
            "country": "GT",
            "focal_point": "",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-user": user.pk,
            "members-0-role": "delegate",
            "members-0-institution": "Ministerio Público",
            "members-0-position": "Fiscal",
            "members-0-profile": "investigation",
            "members-0-registration_status": "approved",
        },
    )

    assert response.status_code == 302
    member = Participant.objects.get(user=user)
    assert (member.workshop, member.delegation) == (delegation.workshop, delegation)


def test_admin_delegation_member_inline_rejects_second_registration(staff_client):
    delegation = DelegationFactory()
    existing = ParticipantFactory(delegation=delegation)

    response = staff_client.post(
        admin_url(Delegation, "change", delegation.pk),
        {
            "workshop": delegation.workshop_id,
            "country": delegation.country_id,
            "focal_point": "",
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "1",
            "members-0-id": existing.pk,
            "members-0-delegation": delegation.pk,
            "members-0-user": existing.user_id,
            "members-0-role": "delegate",
            "members-0-profile": "other",
            "members-0-registration_status": "pending",
            "members-1-user": existing.user_id,
            "members-1-role": "delegate",
            "members-1-profile": "other",
            "members-1-registration_status": "pending",
        },
    )

    assert response.status_code == 200
    assert Participant.objects.count() == 1


# --- Query counts: changelists do not grow with rows ----------------------------------------------


def changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


def build_sessions(count: int) -> None:
    workshop = Workshop.objects.first() or WorkshopFactory()
    for number in range(1, count + 1):
        SessionFactory(workshop=workshop, number=number)


def build_agenda_items(count: int) -> None:
    session = SessionFactory(start=local(2022, 6, 14, 8), end=local(2022, 6, 14, 18))
    for order in range(1, count + 1):
        start = session.start + dt.timedelta(minutes=10 * (order - 1))
        AgendaItemFactory(
            session=session, order=order, start=start, end=start + dt.timedelta(minutes=10)
        )


def build_participants(count: int) -> None:
    delegation = DelegationFactory()
    ParticipantFactory.create_batch(count, delegation=delegation)


@pytest.mark.parametrize(
    ("model", "build"),
    [
        (Session, build_sessions),
        (AgendaItem, build_agenda_items),
        (Participant, build_participants),
    ],
    ids=["session", "agenda-item", "participant"],
)
def test_admin_changelist_query_count_does_not_grow_with_rows(staff_client, model, build):
    build(1)
    with_one = changelist_queries(staff_client, model)
    model._default_manager.all().delete()

    build(30)
    with_thirty = changelist_queries(staff_client, model)

    assert model._default_manager.count() == 30
    assert with_thirty == with_one


# --- The concept-note workshop (seed_demo) -------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=MODEL_IDS)
def test_admin_changelist_renders_the_demo_workshop(staff_client, demo, model):
    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == model._default_manager.count()


def test_admin_demo_sessions_change_forms_render_with_items(staff_client, demo):
    for session in demo.sessions.all():
        response = staff_client.get(admin_url(Session, "change", session.pk))
        assert response.status_code == 200
        total = f'name="items-TOTAL_FORMS" value="{session.items.count()}"'
        assert total in response.content.decode()


def test_admin_pages_load_the_site_admin_stylesheet(client, db, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get("/admin/").content.decode()

    assert '<link rel="stylesheet" href="/static/css/admin.css">' in html
