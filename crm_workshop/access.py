"""View decorators shared by the apps' pages: who gets in, and what the others see."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def signed_in(view):
    """Anonymous visitors go to the sign-in page; the view decides the rest."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def allowed_or_404(predicate: Callable[[object], bool]):
    """Only people for whom ``predicate(user)`` holds; anonymous visitors sign in, other
    signed-in people get 404 (the page is not revealed)."""

    def decorator(view):
        @signed_in
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
