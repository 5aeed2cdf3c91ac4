"""The ceiling for bench/public_pages.sh: bare Django serving a 10 KB page.

One view returning a fixed 10 KB ``HttpResponse``, no database, no templates, two
middlewares (SecurityMiddleware and CommonMiddleware), DEBUG off. Served by the same
gunicorn (2 sync workers) as the site, it is the most the machine can give a Django
response in the same run: the public pages are measured as a percentage of it.

Run: .venv/bin/gunicorn --chdir bench ceiling:application -w 2 -b 127.0.0.1:8766
"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="ceiling-bench-only",  # noqa: S106 - a throwaway app on loopback
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

BODY = ("<p>" + "x" * 96 + "</p>\n").encode() * 100  # 10,400 bytes of HTML


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
application = get_wsgi_application()
