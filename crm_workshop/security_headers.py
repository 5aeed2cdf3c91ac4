"""django-csp's middleware with the site-wide policy built once instead of on every response.

``csp.middleware.CSPMiddleware`` rebuilds the header from the settings for every response
(a dataclass copy and a sort of every directive, twice: policy and report-only), which was a
sixth of the CPU time of a cached public page (``bench/README.md``). Almost every response
uses the settings' policy unchanged, so that header is built once per settings and reused.
A response that changes its policy (django-csp's ``@csp_update``/``@csp_replace``/
``@csp`` decorators), a request that used a nonce, ``DEBUG`` or ``EXCLUDE_URL_PREFIXES``
go through django-csp's own code, untouched.
"""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
# key -> (the settings objects, kept so their ids cannot be reused while cached; headers)
_headers: dict[tuple, tuple[tuple, tuple[tuple[str, str], ...] | None]] = {}


def site_policy_headers() -> tuple[tuple[str, str], ...] | None:
    """``((header, value), ...)`` of the settings' policy, or None when it cannot be shared
    (``DEBUG`` or URL prefixes excluded: django-csp then decides per request).

    Kept per settings objects (by identity), so a test that overrides or deletes a policy
    setting, with or without a ``setting_changed`` signal, never sees a stale header.
    """
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    key = (id(policy), id(report_only), settings.DEBUG)
    if key not in _headers:
        if settings.DEBUG or any(
            (config or {}).get("EXCLUDE_URL_PREFIXES") for config in (policy, report_only)
        ):
            headers = None
        else:
            pairs = ((HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True)))
            headers = tuple((name, value) for name, value in pairs if value)
        _headers.clear()  # one entry: settings do not change outside tests
        _headers[key] = ((policy, report_only), headers)
    return _headers[key][1]


class CSPMiddleware(DjangoCSPMiddleware):
    """Same headers as django-csp's middleware; the common case costs a dictionary lookup."""

    def process_response(self, request, response):
        headers = site_policy_headers()
        if (
            headers is None
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _PER_RESPONSE)
        ):
            return super().process_response(request, response)
        for name, value in headers:
            if name not in response:
                response[name] = value
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
