"""crm_workshop.security_headers.CSPMiddleware gives exactly django-csp's headers."""

import pytest
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from crm_workshop.security_headers import CSPMiddleware

HEADER = "Content-Security-Policy"
REPORT_ONLY = "Content-Security-Policy-Report-Only"


def respond(middleware_class, *, prepare=lambda response: None, nonce_seen=None, status=200):
    def view(request):
        response = HttpResponse("ok", status=status)
        prepare(response)
        return response

    middleware = middleware_class(view)
    request = RequestFactory().get("/agenda/")
    middleware.process_request(request)
    if nonce_seen is not None:
        nonce_seen.append(str(request.csp_nonce))
    return middleware.process_response(request, view(request))


def directives(value: str) -> dict[str, list[str]]:
    parts = (part.split() for part in value.split(";"))
    return {words[0]: sorted(words[1:]) for words in parts if words}


def test_site_policy_is_django_csps():
    ours, theirs = respond(CSPMiddleware), respond(DjangoCSPMiddleware)

    assert directives(ours[HEADER]) == directives(theirs[HEADER])
    assert directives(ours[HEADER])["script-src"] == ["'self'"]
    assert REPORT_ONLY not in ours


def test_changed_settings_change_the_header(settings):
    respond(CSPMiddleware)  # the site policy is built and kept
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    response, reference = respond(CSPMiddleware), respond(DjangoCSPMiddleware)

    assert response[HEADER] == "default-src 'none'"
    assert directives(response[REPORT_ONLY]) == directives(reference[REPORT_ONLY])
    assert directives(response[REPORT_ONLY])["img-src"] == ["'self'"]


def test_response_with_its_own_policy_update_gets_it():
    def update(response):
        response._csp_update = {"img-src": ["https://maps.example.org"]}

    response = respond(CSPMiddleware, prepare=update)

    assert directives(response[HEADER])["img-src"] == [
        "'self'",
        "data:",
        "https://maps.example.org",
    ]


def test_exempt_response_gets_no_header():
    def exempt(response):
        response._csp_exempt = True

    assert HEADER not in respond(CSPMiddleware, prepare=exempt)


def test_header_set_by_the_view_is_kept():
    def own(response):
        response[HEADER] = "default-src 'self'"

    assert respond(CSPMiddleware, prepare=own)[HEADER] == "default-src 'self'"


def test_request_that_used_a_nonce_gets_it_in_the_header(settings):
    from csp.constants import NONCE, SELF

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    seen = []

    response = respond(CSPMiddleware, nonce_seen=seen)

    assert directives(response[HEADER])["script-src"] == sorted(["'self'", f"'nonce-{seen[0]}'"])


def test_nonce_asked_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/")
    middleware = CSPMiddleware(lambda request: HttpResponse("ok"))
    middleware.process_request(request)
    middleware.process_response(request, HttpResponse("ok"))

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_debug_and_excluded_prefixes_are_left_to_django_csp(settings):
    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/agenda/"],
        "DIRECTIVES": {"default-src": ["'self'"]},
    }

    assert HEADER not in respond(CSPMiddleware)


def test_debug_error_pages_are_left_without_policy_as_django_csp_does(settings):
    settings.DEBUG = True  # Django's technical 404 page has inline styles

    assert HEADER not in respond(CSPMiddleware, status=404)
    assert HEADER in respond(CSPMiddleware, status=200)


def test_site_policy_is_built_once_and_reused_by_every_response():
    from crm_workshop.security_headers import site_policy_headers

    first, second = respond(CSPMiddleware), respond(CSPMiddleware)

    ((name, value),) = site_policy_headers()
    assert site_policy_headers() is site_policy_headers()
    assert name == HEADER
    # The very string built once, not an equal one built again for each response.
    assert first.headers[HEADER] is value
    assert second.headers[HEADER] is value


def test_report_only_excluded_prefixes_are_left_to_django_csp(settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "EXCLUDE_URL_PREFIXES": ["/agenda/"],
        "DIRECTIVES": {"img-src": ["'self'"]},
    }

    response = respond(CSPMiddleware)

    assert REPORT_ONLY not in response
    assert directives(response[HEADER])["script-src"] == ["'self'"]


def test_no_policy_setting_means_no_header(settings):
    del settings.CONTENT_SECURITY_POLICY

    assert HEADER not in respond(CSPMiddleware)


def test_report_only_policy_added_alone_reaches_the_header(settings):
    respond(CSPMiddleware)  # the site policy without report-only is built and kept
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    response, reference = respond(CSPMiddleware), respond(DjangoCSPMiddleware)

    assert directives(response[REPORT_ONLY]) == directives(reference[REPORT_ONLY])
    assert directives(response[REPORT_ONLY])["img-src"] == ["'self'"]
