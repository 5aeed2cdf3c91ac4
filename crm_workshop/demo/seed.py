"""Load the concept-note workshop (June 2022) and the demo accounts.

The data lives in ``crm_workshop/demo/data/concept_note_2022.json``, a subset of the project's
seed data that the models can hold (``*_es`` is the note's wording). Loading is idempotent:
every row is found by its natural key and brought in line with the data, so a second run
changes nothing.
"""

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
from consultations.models import QuestionAssignment, TriggerQuestion
from participants.models import Country, Delegation, Organisation, Participant
from participants.rules import secretariat_permissions

CONCEPT_NOTE_PATH = Path(__file__).resolve().parent / "data" / "concept_note_2022.json"

DEMO_PASSWORD = "demo-crm-2022"  # noqa: S105 - documented demo password, refused without DEBUG/--force
STAFF_GROUP_NAME = "Secretaría Ejecutiva"

# The demo cast besides the two staff accounts, in the order the summary prints them.
# Labels are marked for translation here and translated when printed.
DEMO_PARTICIPANTS = [
    {
        "label": gettext_noop("Moderador/a (sesión 1)"),
        "email": "moderador@crm-workshop.test",
        "first_name": "Moderador",
        "last_name": "(demo)",
        "role": Participant.Role.MODERATOR,
        "organisation": "CRM-PPT",
        "moderates": [1],
    },
    {
        "label": gettext_noop("Delegado, El Salvador (punto focal)"),
        "email": "delegado.sv@crm-workshop.test",
        "first_name": "Delegado",
        "last_name": "El Salvador (demo)",
        "role": Participant.Role.DELEGATE,
        "country": "SV",
        "profile": Participant.Profile.INVESTIGATION,
        "focal_point": True,
    },
    {
        "label": gettext_noop("Delegada, El Salvador (redacta con el punto focal)"),
        "email": "delegada.sv@crm-workshop.test",
        "first_name": "Delegada",
        "last_name": "El Salvador (demo)",
        "role": Participant.Role.DELEGATE,
        "country": "SV",
        "profile": Participant.Profile.OTHER,
    },
    {
        "label": gettext_noop("Delegada, México"),
        "email": "delegada.mx@crm-workshop.test",
        "first_name": "Delegada",
        "last_name": "México (demo)",
        "role": Participant.Role.DELEGATE,
        "country": "MX",
        "profile": Participant.Profile.MIGRATION_CONTROL,
    },
    {
        "label": gettext_noop("Observador/a, RROCM"),
        "email": "observador@crm-workshop.test",
        "first_name": "Observador",
        "last_name": "RROCM (demo)",
        "role": Participant.Role.OBSERVER,
        "organisation": "RROCM",
    },
]

# The seed's organisation ``type`` is finer than Organisation.Kind; an unknown type is an error.
ORGANISATION_KINDS = {
    "regional_consultative_process": Organisation.Kind.REGIONAL_PROCESS,
    "rotating_chair": Organisation.Kind.REGIONAL_PROCESS,
    "secretariat": Organisation.Kind.REGIONAL_PROCESS,
    "working_group": Organisation.Kind.REGIONAL_PROCESS,
    "international_organisation": Organisation.Kind.INTERNATIONAL,
    "regional_office": Organisation.Kind.INTERNATIONAL,
    "government_agency": Organisation.Kind.GOVERNMENT,
    "prosecutors_network": Organisation.Kind.NETWORK,
    "association": Organisation.Kind.NETWORK,
    "civil_society_network": Organisation.Kind.CIVIL_SOCIETY,
}


def concept_note_data() -> dict:
    """The shipped concept-note data as a dict."""
    return json.loads(CONCEPT_NOTE_PATH.read_text(encoding="utf-8"))


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]):
    """Find the row by ``lookup`` (or start a new one), set ``values``, validate, save.

    ``full_clean()`` runs on every row, so model rules (IANA zones, an agenda block inside its
    session, constraints) hold for seeded data exactly as for data typed in the admin. The row
    is written only when something differs, so a second run leaves it untouched.
    """
    obj = model.objects.filter(**lookup).order_by("pk").first()
    if obj is None:
        obj = model(**lookup, **values)
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            return obj
        for name in changed:
            setattr(obj, name, values[name])
    obj.full_clean()
    obj.save()
    return obj


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model) or value is None:
        field = obj._meta.get_field(name)
        if field.is_relation:
            return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _aware(day: dt.date, clock: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The wall-clock ``HH:MM`` on ``day`` in ``zone`` as an aware datetime."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=zone)


# The note's questions are illustrations, not the organisers' questions: their own text says so,
# wherever it appears (the delegation's page, e-mails, exports, the PDF compendium).
EXAMPLE_PREFIX_ES = "[Pregunta de ejemplo]"
EXAMPLE_PREFIX_EN = "[Example question]"
DEMO_DEADLINE_DAYS = 21


def _example_text(text: str, is_example: bool, prefix: str) -> str:
    if not is_example or not text or text.startswith(prefix):
        return text
    return f"{prefix} {text}"


def _demo_deadline(zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """18:00 in the workshop's zone, ``DEMO_DEADLINE_DAYS`` days from today."""
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=DEMO_DEADLINE_DAYS)
    return _aware(day, "18:00", zone)


def _countries(rows: list[dict]) -> dict[str, Country]:
    return {
        row["iso_alpha2"]: _upsert(
            Country,
            {"iso_code": row["iso_alpha2"]},
            {
                "name_es": row["name_es"],
                "name_en": row["name_en"],
                "time_zone": row["iana_time_zone"],
                "working_language": row["working_language"],
                "crm_status": row["crm_status"],
            },
        )
        for row in rows
    }


def _organisations(rows: list[dict], countries: dict[str, Country]) -> dict[str, Organisation]:
    """Upsert organisations parents first (the data lists REDTRAM before its parent AIAMP)."""
    done: dict[str, Organisation] = {}
    pending = list(rows)
    while pending:
        ready = [row for row in pending if row["parent"] is None or row["parent"] in done]
        if not ready:
            raise ValueError("Organisation parents form a cycle or name an unknown code.")
        for row in ready:
            done[row["id"]] = _upsert(
                Organisation,
                {"code": row["id"]},
                {
                    "acronym_es": row["acronym_es"] or "",
                    "acronym_en": row["acronym_en"] or "",
                    "name_es": row["name_es"],
                    "name_en": row["name_en"],
                    "kind": ORGANISATION_KINDS[row["type"]],
                    "parent": done[row["parent"]] if row["parent"] else None,
                    "country": countries[row["country"]] if row["country"] else None,
                },
            )
            pending.remove(row)
    return done


def _speaker(person: dict, organisations: dict[str, Organisation]) -> Speaker | None:
    """One Speaker per distinct (name, organisation, position); None when nobody is stated."""
    if person["status"] == Participation.Status.NOT_STATED and not (
        person.get("name") or person.get("organisation")
    ):
        return None
    organisation = organisations[person["organisation"]] if person.get("organisation") else None
    representing = organisations[person["representing"]] if person.get("representing") else None
    return _upsert(
        Speaker,
        {
            "name": person.get("name") or "",
            "organisation": organisation,
            "position_es": person.get("role_es") or "",
        },
        {"position_en": person.get("role_en") or "", "representing": representing},
    )


def _participations(
    *,
    container: dict[str, Any],
    people: list[tuple[str, dict]],
    organisations: dict[str, Organisation],
) -> None:
    """Make the container's participations exactly ``people`` (role, person), in that order."""
    kept = []
    for order, (role, person) in enumerate(people, start=1):
        participation = _upsert(
            Participation,
            {**container, "order": order},
            {
                "role": role,
                "speaker": _speaker(person, organisations),
                "status": person["status"],
            },
        )
        kept.append(participation.pk)
    Participation.objects.filter(**container).exclude(pk__in=kept).delete()


def _agenda_item(
    *,
    session: Session,
    row: dict,
    day: dt.date,
    zone: zoneinfo.ZoneInfo,
    organisations: dict[str, Organisation],
    countries: dict[str, Country],
) -> AgendaItem:
    also_kinds = row["also_kinds"]
    if len(also_kinds) > 1:
        raise ValueError(f"{row['id']}: the model holds one secondary kind, got {also_kinds}.")
    item = _upsert(
        AgendaItem,
        {"session": session, "order": row["order"]},
        {
            "start": _aware(day, row["start"], zone),
            "end": _aware(day, row["end"], zone),
            "kind": row["kind"],
            "secondary_kind": also_kinds[0] if also_kinds else "",
            "title_es": row["title_es"],
            "title_en": row["title_en"],
            "editor_notes": "\n".join(row["notes"]),
        },
    )
    people = [("moderator", row["moderator"])] if row["moderator"] else []
    people += [("speaker", person) for person in row["speakers"]]
    _participations(
        container={"agenda_item": item, "segment": None},
        people=people,
        organisations=organisations,
    )
    kept = []
    for segment_row in row["segments"]:
        segment = _upsert(
            Segment,
            {"agenda_item": item, "order": segment_row["order"]},
            {
                "title_es": segment_row["title_es"],
                "title_en": segment_row["title_en"],
                "duration_minutes": segment_row["duration_minutes_stated"],
            },
        )
        segment.countries.set([countries[code] for code in segment_row["countries"]])
        _participations(
            container={"agenda_item": None, "segment": segment},
            people=[("presenter", person) for person in segment_row["presenters"]],
            organisations=organisations,
        )
        kept.append(segment.pk)
    item.segments.exclude(pk__in=kept).delete()
    return item


@transaction.atomic
def seed_concept_note(*, data: dict) -> Workshop:
    """Create or update the concept-note workshop from ``data`` (see ``concept_note_data()``).

    Guarantees: all or nothing (one transaction); rows are matched by natural keys
    (Country.iso_code, Organisation.code, Workshop.slug, Axis/Session number, item/segment
    order, question code), so running it again with the same data changes nothing; every
    agenda block passes ``full_clean()`` and therefore lies inside its session.
    """
    countries = _countries(data["countries"])
    organisations = _organisations(data["organisations"], countries)
    zone_name = data["timezone"]["proposed"]
    zone = zoneinfo.ZoneInfo(zone_name)
    info = data["workshop"]

    workshop = _upsert(
        Workshop,
        {"slug": info["slug"]},
        {
            "title_es": info["title_es"],
            "title_en": info["title_en"],
            "organiser": organisations[info["organiser"]],
            "modality": info["modality"],
            "format_es": info["format_es"],
            "format_en": info["format_en"],
            "methodology_es": info["methodology_es"],
            "methodology_en": info["methodology_en"],
            "target_audience_es": info["target_audience_es"],
            "target_audience_en": info["target_audience_en"],
            "expected_outcome_es": info["expected_outcome_es"],
            "expected_outcome_en": info["expected_outcome_en"],
            "time_zone": zone_name,
            "time_zone_confirmed": data["timezone"]["stated_in_note"] is not None,
            "agenda_status": info["agenda_status"],
        },
    )
    for order, partner in enumerate(info["partners"], start=1):
        _upsert(
            WorkshopPartner,
            {"workshop": workshop, "organisation": organisations[partner["organisation"]]},
            {"role_es": partner["role_es"], "role_en": partner["role_en"], "order": order},
        )

    axes = {
        row["number"]: _upsert(
            Axis,
            {"workshop": workshop, "number": row["number"]},
            {
                "title_es": row["title_es"],
                "title_en": row["title_en"],
                "prioritised": row["most_prioritised_by_countries"],
            },
        )
        for row in info["axes"]
    }
    for row in info["objectives"]:
        objective = _upsert(
            Objective,
            {"workshop": workshop, "order": row["order"]},
            {"text_es": row["text_es"], "text_en": row["text_en"]},
        )
        objective.axes.set([axes[number] for number in row["related_axes"]])

    sessions = {}
    for row in data["sessions"]:
        day = dt.date.fromisoformat(row["date"])
        session = _upsert(
            Session,
            {"workshop": workshop, "number": row["number"]},
            {
                "label_es": row["label_es"],
                "label_en": row["label_en"],
                "title_es": row["title_es"],
                "title_en": row["title_en"],
                "start": _aware(day, row["start"], zone),
                "end": _aware(day, row["end"], zone),
            },
        )
        session.axes.set([axes[number] for number in row["axes"]])
        for item_row in row["agenda_items"]:
            _agenda_item(
                session=session,
                row=item_row,
                day=day,
                zone=zone,
                organisations=organisations,
                countries=countries,
            )
        sessions[row["number"]] = session

    for country in countries.values():
        _upsert(Delegation, {"workshop": workshop, "country": country}, {})

    for row in data["example_trigger_questions"]:
        existing = TriggerQuestion.objects.filter(workshop=workshop, code=row["id"]).first()
        question = _upsert(
            TriggerQuestion,
            {"workshop": workshop, "code": row["id"]},
            {
                "session": sessions[row["session"]],
                "axis": axes[row["axis"]],
                "order": row["order"],
                "text_es": _example_text(row["text_es"], row["is_example"], EXAMPLE_PREFIX_ES),
                "text_en": _example_text(row["text_en"], row["is_example"], EXAMPLE_PREFIX_EN),
                "is_example": row["is_example"],
                # The note gives no deadline. The demo needs one ahead of today to be usable,
                # so the first load sets one and later loads keep whatever is there.
                "deadline": existing.deadline
                if existing is not None and existing.deadline is not None
                else _demo_deadline(zone),
            },
        )
        for country in countries.values():
            QuestionAssignment.objects.get_or_create(question=question, country=country)
    return workshop


def _demo_user(*, email: str, first_name: str, last_name: str, **flags: bool):
    """The demo user with ``email``: fixed password, verified primary address, own zone empty."""
    user_model = get_user_model()
    user = _upsert_user(
        user_model,
        email=email,
        values={"username": email, "first_name": first_name, "last_name": last_name, **flags},
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
            primary=False
        )
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user


def _upsert_user(user_model, *, email: str, values: dict[str, Any]):
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_model(email=email, **values)
        user.set_unusable_password()
        user.save()
        return user
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    if changed:
        for name in changed:
            setattr(user, name, values[name])
        user.save(update_fields=changed)
    return user


def _staff_group() -> Group:
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP_NAME)
    group.permissions.set(secretariat_permissions())  # no account powers: participants.rules
    return group


def _registration(
    *,
    user,
    workshop: Workshop,
    role: str,
    reviewer,
    delegation: Delegation | None = None,
    organisation: Organisation | None = None,
    profile: str = Participant.Profile.OTHER,
) -> Participant:
    values = {
        "role": role,
        "delegation": delegation,
        "organisation": organisation,
        "profile": profile,
        "registration_status": Participant.RegistrationStatus.APPROVED,
    }
    participant = Participant.objects.filter(user=user, workshop=workshop).first()
    if participant is None:
        participant = Participant(
            user=user,
            workshop=workshop,
            reviewed_by=reviewer,
            reviewed_at=timezone.now(),
            **values,
        )
    elif all(not _differs(participant, name, value) for name, value in values.items()):
        return participant
    else:
        for name, value in values.items():
            setattr(participant, name, value)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def seed_demo_accounts(*, workshop: Workshop) -> list[tuple[str, str, str]]:
    """One demo account per role, as (role, e-mail, password) rows in a fixed order.

    Needs the workshop's delegations and organisations (``seed_concept_note`` first). The
    accounts can log in under mandatory e-mail verification; a second run changes nothing
    (the password is only rehashed when it no longer matches).
    """
    admin = _demo_user(
        email="admin@crm-workshop.test",
        first_name="Administración",
        last_name="(demo)",
        is_staff=True,
        is_superuser=True,
    )
    staff = _demo_user(
        email="secretaria@crm-workshop.test",
        first_name="Secretaría Ejecutiva",
        last_name="(demo)",
        is_staff=True,
        is_superuser=False,
    )
    staff.groups.add(_staff_group())

    delegations = {delegation.country_id: delegation for delegation in workshop.delegations.all()}
    rows = []
    for account in DEMO_PARTICIPANTS:
        user = _demo_user(
            email=account["email"],
            first_name=account["first_name"],
            last_name=account["last_name"],
            is_staff=False,
            is_superuser=False,
        )
        delegation = delegations[account["country"]] if "country" in account else None
        _registration(
            user=user,
            workshop=workshop,
            role=account["role"],
            reviewer=staff,
            delegation=delegation,
            organisation=(
                Organisation.objects.get(code=account["organisation"])
                if "organisation" in account
                else None
            ),
            profile=account.get("profile", Participant.Profile.OTHER),
        )
        for number in account.get("moderates", ()):
            workshop.sessions.get(number=number).moderators.add(user)
        if account.get("focal_point") and delegation.focal_point_id != user.pk:
            delegation.focal_point = user
            delegation.save(update_fields=["focal_point"])
        rows.append((_(account["label"]), user.email, DEMO_PASSWORD))

    return [
        (_("Superusuario (administración)"), admin.email, DEMO_PASSWORD),
        (_("Secretaría Ejecutiva (staff)"), staff.email, DEMO_PASSWORD),
        *rows,
    ]
