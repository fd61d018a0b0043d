"""Response headers that Django's SecurityMiddleware does not set: Content-Security-Policy and
Permissions-Policy. Scripts only from our own origin (no inline scripts or handlers)."""

from django.conf import settings


def security_headers(get_response):
    csp = settings.LANGNGHE_CSP
    permissions = settings.LANGNGHE_PERMISSIONS_POLICY

    def middleware(request):
        # Some servers (a unix socket, a test harness) give no client address; rate limits
        # keyed on it then count those requests together instead of failing.
        request.META.setdefault("REMOTE_ADDR", "0.0.0.0")  # noqa: S104
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Permissions-Policy", permissions)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    return middleware
