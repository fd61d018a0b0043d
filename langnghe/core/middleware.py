"""Response headers that Django's SecurityMiddleware does not set: Content-Security-Policy and
Permissions-Policy. Scripts only from our own origin (no inline scripts or handlers)."""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_MESSAGE = "Dữ liệu gửi lên chứa ký tự không hợp lệ."


def _has_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values if isinstance(v, str))
        for key, values in querydict.lists()
    )


def refuse_nul_characters(get_response):
    """Query strings and forms with a NUL character are refused with 400 before any view runs:
    NUL never belongs in text, and PostgreSQL cannot store it (JSON bodies are cleaned by the
    API's parser instead)."""

    def middleware(request):
        suspicious = _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in FORM_TYPES
            and _has_nul(request.POST)
        )
        if suspicious:
            if request.path.startswith("/api/") or request.path.startswith("/open311/"):
                return JsonResponse(
                    {"detail": NUL_MESSAGE, "code": "invalid_characters"}, status=400
                )
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


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
        if (
            not response.streaming
            and response.status_code not in (204, 304)
            and "Content-Length" not in response.headers
        ):
            # Without it the server sends the body chunked: a third write (the closing chunk)
            # and more bytes on every answer, the machine lane's and the page cache's included.
            response.headers["Content-Length"] = str(len(response.content))
        return response

    return middleware
