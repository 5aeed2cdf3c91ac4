"""Reads for the homes (``/home/``, ``/home/delegation/``) and the staff page (``/staff/``).

Each selector states how many queries it runs; none of them grows with the number of rows
(tests/participants/test_home.py and test_staff_dashboard.py count them with 1 and many).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, QuerySet, Subquery

from agenda.models import Session, Workshop
from agenda.timezones import utc_offset_label
from consultations.models import Answer, TriggerQuestion
from participants.models import Attendance, Delegation, Invitation, Participant

# The officials the concept note expects from every member country.
EXPECTED_PROFILES = (
    Participant.Profile.INVESTIGATION,
    Participant.Profile.MIGRATION_CONTROL,
    Participant.Profile.PROTECTION,
)

APPROVED = Participant.RegistrationStatus.APPROVED
PENDING = Participant.RegistrationStatus.PENDING


def participant_of(*, user, workshop: Workshop) -> Participant | None:
    """``user``'s registration in ``workshop`` with its delegation, country and organisation,
    or ``None`` (1 query)."""
    return (
        Participant.objects.filter(user=user, workshop=workshop)
        .select_related("delegation__country", "delegation__focal_point", "organisation")
        .first()
    )


def sessions_for_participant(*, workshop: Workshop, zone) -> list[Session]:
    """The sessions of ``workshop`` for an approved participant (1 query).

    Each session gets ``conference_link`` (its own link, else the workshop's webinar link,
    else ``""``) and ``zone_offset`` (``UTC−05:00`` in ``zone`` at its start). Only call this
    for approved participants: the link is reserved to them.
    """
    sessions = list(workshop.sessions.order_by("number"))
    for session in sessions:
        session.conference_link = session.conference_url or workshop.webinar_url
        session.zone_offset = utc_offset_label(zone, session.start)
    return sessions


def delegation_questions(*, delegation: Delegation) -> list[TriggerQuestion]:
    """The trigger questions assigned to ``delegation``'s country, in order, each with
    ``answer_status`` (``"draft"``, ``"submitted"`` or ``None`` when nothing is written yet)
    and its session (1 query)."""
    answers = Answer.objects.filter(question=OuterRef("pk"), delegation=delegation)
    return list(
        TriggerQuestion.objects.filter(
            workshop_id=delegation.workshop_id, assignments__country_id=delegation.country_id
        )
        .select_related("session")
        .annotate(answer_status=Subquery(answers.values("status")[:1]))
        .order_by("session__number", "order", "code")
    )


def answer_status_label(status: str | None) -> str:
    """The reader's label for an ``answer_status`` from ``delegation_questions``."""
    from django.utils.translation import gettext as _

    if status is None:
        return _("Sin respuesta")
    return str(Answer.Status(status).label)


def delegation_members(*, delegation: Delegation, approved_only: bool) -> list[Participant]:
    """``delegation``'s members with their accounts, by last name (1 query)."""
    members = delegation.members.select_related("user").order_by(
        "user__last_name", "user__first_name", "pk"
    )
    if approved_only:
        members = members.filter(registration_status=APPROVED)
    return list(members)


def profile_gaps(members: list[Participant], *, country) -> list[tuple[str, str]]:
    """The expected profiles (value, label) that no approved member in ``members`` has;
    none for an observer country, of which the note expects nothing (no query)."""
    if country.crm_status != country.CrmStatus.MEMBER:
        return []
    present = {m.profile for m in members if m.registration_status == APPROVED}
    return [(p.value, str(p.label)) for p in EXPECTED_PROFILES if p not in present]


def workshop_delegations(*, workshop: Workshop) -> QuerySet[Delegation]:
    """``workshop``'s delegations with their country, by country name (1 query when listed)."""
    return workshop.delegations.select_related("country", "focal_point").order_by(
        "country__name_es"
    )


# --- Staff page -----------------------------------------------------------------------------


@dataclass
class CountryRow:
    """One row of the staff page's registrations table."""

    delegation: Delegation
    approved: dict[str, int] = field(default_factory=dict)  # profile → approved members
    pending: dict[str, int] = field(default_factory=dict)  # profile → pending members
    cells: list[dict] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # labels of expected profiles missing
    approved_total: int = 0
    pending_total: int = 0

    @property
    def is_member(self) -> bool:
        return self.delegation.country.crm_status == "member"


def staff_dashboard(*, workshop: Workshop, pending_limit: int = 100) -> dict:
    """Everything ``/staff/`` shows for ``workshop``, always in 6 queries.

    - ``rows``: a ``CountryRow`` per delegation; ``cells`` per profile (all four profiles,
      approved and pending counts, ``gap`` True for an expected profile with no approved
      member in a member country), ``gaps`` as labels.
    - ``profiles``: the four profiles ``(value, label)`` in the table's column order.
    - ``organisation_totals``: approved/pending counts of people outside delegations.
    - ``invitations``: ``(status, label, count)`` for every status, zeros included.
    - ``pending``: up to ``pending_limit`` pending registrations, oldest first;
      ``pending_count``: all of them.
    - ``sessions`` and ``attendance``: attended counts per country and session,
      ``attendance`` as rows ``(country, [count per session], total)``.
    """
    profiles = [(p.value, str(p.label)) for p in Participant.Profile]
    delegations = list(workshop_delegations(workshop=workshop))  # 1
    rows = {d.pk: CountryRow(delegation=d) for d in delegations}

    organisation_totals = {"approved": 0, "pending": 0}
    pending_count = 0
    counts = (
        Participant.objects.filter(workshop=workshop)
        .values("delegation_id", "profile", "registration_status")
        .annotate(n=Count("pk"))
        .order_by()
    )  # 2
    for entry in counts:
        status = entry["registration_status"]
        if status == PENDING:
            pending_count += entry["n"]
        row = rows.get(entry["delegation_id"])
        if row is None:  # observers and moderators of organisations
            if status in organisation_totals:
                organisation_totals[status] += entry["n"]
            continue
        if status == APPROVED:
            row.approved[entry["profile"]] = entry["n"]
            row.approved_total += entry["n"]
        elif status == PENDING:
            row.pending[entry["profile"]] = entry["n"]
            row.pending_total += entry["n"]
    expected = {p.value for p in EXPECTED_PROFILES}
    for row in rows.values():
        for value, label in profiles:
            gap = row.is_member and value in expected and not row.approved.get(value)
            row.cells.append(
                {
                    "profile": value,
                    "label": label,
                    "approved": row.approved.get(value, 0),
                    "pending": row.pending.get(value, 0),
                    "gap": gap,
                }
            )
            if gap:
                row.gaps.append(label)

    by_status = dict(
        Invitation.objects.filter(workshop=workshop)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )  # 3
    invitations = [
        (status.value, str(status.label), by_status.get(status.value, 0))
        for status in Invitation.Status
    ]

    pending_qs = (
        Participant.objects.filter(workshop=workshop, registration_status=PENDING)
        .select_related("user", "delegation__country", "organisation")
        .order_by("registered_at", "pk")
    )
    pending = list(pending_qs[:pending_limit])  # 4

    sessions = list(workshop.sessions.order_by("number"))  # 5
    attended = defaultdict(int)
    for entry in (
        Attendance.objects.filter(attended=True, session__workshop=workshop)
        .values("participant__delegation_id", "session_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):  # 6
        attended[entry["participant__delegation_id"], entry["session_id"]] += entry["n"]
    attendance = []
    for delegation in delegations:
        per_session = [attended.get((delegation.pk, s.pk), 0) for s in sessions]
        attendance.append((delegation.country, per_session, sum(per_session)))
    others = [attended.get((None, s.pk), 0) for s in sessions]
    session_totals = [
        sum(attended.get((d.pk, s.pk), 0) for d in delegations) + other
        for s, other in zip(sessions, others, strict=True)
    ]

    return {
        "profiles": profiles,
        "rows": list(rows.values()),
        "gap_count": sum(len(row.gaps) for row in rows.values()),
        "organisation_totals": organisation_totals,
        "invitations": invitations,
        "pending": pending,
        "pending_count": pending_count,
        "sessions": sessions,
        "attendance": attendance,
        "attendance_others": others,
        "attendance_others_total": sum(others),
        "attendance_session_totals": session_totals,
        "attendance_total": sum(session_totals),
    }
