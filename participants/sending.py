"""Reads for the "send invitations" progress panel."""

from __future__ import annotations

from django.db.models import Count

from participants.models import Invitation

STATUSES = ("draft", "queued", "sent", "failed", "accepted")


def invitation_progress(*, batch: list[int] | None, workshop) -> dict:
    """Counts by status of the invitations in ``batch`` (ids of the last send), or of the
    whole ``workshop`` when there is no batch: always one query.

    ``done`` counts those no longer waiting (sent, failed or accepted); ``percent`` is
    ``done`` of ``total``, 0–100 (100 for an empty set).
    """
    invitations = Invitation.objects.all()
    if batch:
        invitations = invitations.filter(pk__in=batch)
        scope = "batch"
    elif workshop is not None:
        invitations = invitations.filter(workshop=workshop)
        scope = "workshop"
    else:
        invitations = invitations.none()
        scope = "workshop"
    counts = dict.fromkeys(STATUSES, 0)
    for row in invitations.order_by().values("status").annotate(total=Count("pk")):
        counts[row["status"]] = row["total"]
    total = sum(counts.values())
    done = counts["sent"] + counts["failed"] + counts["accepted"]
    return {
        "scope": scope,
        "counts": counts,
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
        "waiting": counts["queued"],
    }
