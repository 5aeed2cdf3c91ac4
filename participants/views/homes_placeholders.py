"""Stand-ins for routes built by other helpers, so the homes can link to them.

Dropped at merge: ``participants:calendar`` ("attend") and ``participants:registration``
("signup") replace them.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def calendar(request):
    return HttpResponse("calendar placeholder", content_type="text/plain")


@login_required
def registration(request):
    return HttpResponse("registration placeholder", content_type="text/plain")
