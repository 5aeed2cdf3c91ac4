"""The Secretaría's page (``/staff/``): registrations, invitations, approvals, attendance.

Staff only: anonymous readers are sent to sign in, other accounts get 403. The second
factor is asked for by ``AdminMFAMiddleware``, as for the admin.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agenda.selectors import current_workshop
from participants import selectors


def staff_required(view):
    """Anonymous → sign-in page; signed in but not active staff → 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@staff_required
def dashboard(request):
    workshop = current_workshop()
    data = selectors.staff_dashboard(workshop=workshop)
    invitations_url = reverse("admin:participants_invitation_changelist")
    participants_url = reverse("admin:participants_participant_changelist")
    invitations = [
        {
            "status": status,
            "label": label,
            "count": count,
            "url": f"{invitations_url}?{urlencode({'status__exact': status})}",
        }
        for status, label, count in data["invitations"]
    ]
    return render(
        request,
        "staff/dashboard.html",
        {
            **data,
            "page_title": _("Panel de la Secretaría"),
            "workshop": workshop,
            "invitation_rows": invitations,
            "invitations_total": sum(row["count"] for row in invitations),
            "invitations_url": invitations_url,
            "pending_url": f"{participants_url}?"
            + urlencode({"registration_status__exact": "pending"}),
            "participants_url": participants_url,
        },
    )
