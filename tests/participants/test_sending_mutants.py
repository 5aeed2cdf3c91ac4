"""participants.sending.invitation_progress: the counts behind the "send invitations" panel,
asked directly (the admin tests see it only through one batch of sent invitations)."""

from django.utils import timezone

from participants.models import Invitation
from participants.sending import invitation_progress
from tests.admin_factories import DelegationFactory, InvitationFactory


def _invitations(statuses, delegation=None):
    delegation = delegation or DelegationFactory()
    now = timezone.now()
    return [
        InvitationFactory(
            delegation=delegation,
            status=status,
            sent_at=now if status in ("sent", "accepted") else None,
            accepted_at=now if status == "accepted" else None,
        )
        for status in statuses
    ]


def test_batch_counts_only_its_invitations_by_status(db):
    batch = _invitations(["queued", "sent", "sent", "failed", "accepted", "draft", "queued"])
    _invitations(["sent", "queued"], delegation=batch[0].delegation)  # same workshop, not asked

    progress = invitation_progress(batch=[i.pk for i in batch], workshop=batch[0].workshop)

    assert progress == {
        "scope": "batch",
        "counts": {"draft": 1, "queued": 2, "sent": 2, "failed": 1, "accepted": 1},
        "total": 7,
        "done": 4,
        "percent": 57,  # 4 of 7 = 57.14 %, rounded
        "waiting": 2,
    }


def test_percent_is_rounded_to_the_nearest_whole(db):
    batch = _invitations(["sent", "sent", "queued"])

    progress = invitation_progress(batch=[i.pk for i in batch], workshop=None)

    assert (progress["done"], progress["total"], progress["percent"]) == (2, 3, 67)


def test_without_a_batch_counts_only_that_workshop(db):
    mine = _invitations(["draft", "sent", "failed"])
    _invitations(["sent", "sent"])  # another workshop

    progress = invitation_progress(batch=None, workshop=mine[0].workshop)

    assert progress == {
        "scope": "workshop",
        "counts": {"draft": 1, "queued": 0, "sent": 1, "failed": 1, "accepted": 0},
        "total": 3,
        "done": 2,
        "percent": 67,
        "waiting": 0,
    }


def test_an_empty_batch_falls_back_to_the_workshop(db):
    mine = _invitations(["queued"])

    progress = invitation_progress(batch=[], workshop=mine[0].workshop)

    assert (progress["scope"], progress["total"], progress["waiting"]) == ("workshop", 1, 1)


def test_neither_batch_nor_workshop_counts_nothing_and_is_complete(db):
    _invitations(["queued", "sent"])

    progress = invitation_progress(batch=None, workshop=None)

    assert progress == {
        "scope": "workshop",
        "counts": {"draft": 0, "queued": 0, "sent": 0, "failed": 0, "accepted": 0},
        "total": 0,
        "done": 0,
        "percent": 100,
        "waiting": 0,
    }
    assert Invitation.objects.count() == 2
