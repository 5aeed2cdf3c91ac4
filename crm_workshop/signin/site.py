"""The admin site of the Secretaría, without a login form of its own."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def safe_next_url(request: HttpRequest, default: str) -> str:
    """The ``next`` of the request when it stays on this site, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def admin_login(request: HttpRequest) -> HttpResponseRedirect:
    """What ``/admin/login/`` does instead of Django's username/password form.

    It never reads a password, whatever the method: an anonymous visitor goes to allauth's
    login (rate limits, MFA stage) and comes back to ``next``; signed-in staff go straight to
    ``next``; anyone else signed in (a moderator, a delegate) is refused with 403, as
    allauth's own ``secure_admin_login`` does, and keeps the session they had.
    """
    next_url = safe_next_url(request, default=reverse("admin:index"))
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    if user.is_active and user.is_staff:
        return HttpResponseRedirect(next_url)
    raise PermissionDenied


class OneDoorAdminSite(admin.AdminSite):
    """``django.contrib.admin.site`` for this project: Django's admin with allauth's door."""

    def login(self, request, extra_context=None):
        return admin_login(request)
