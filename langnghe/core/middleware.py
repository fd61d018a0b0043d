"""The edges of every request: outside text checked once (``refuse_invalid_text``), and the
response headers that Django's SecurityMiddleware does not set (``security_headers``:
Content-Security-Policy, Permissions-Policy, Cache-Control on private answers)."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from langnghe.core.text import all_storable, json_may_need_cleaning, storable

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
INVALID_TEXT_MESSAGE = (
    "Dữ liệu gửi lên chứa ký tự không hợp lệ (không phải văn bản Unicode). "
    "Vui lòng kiểm tra lại nội dung rồi gửi lại."
)
# Signed machine events (Zalo's webhook) are not refused for a broken character: Zalo would
# not correct and resend it, and the citizen's message would be lost. Their parser cleans
# them instead (langnghe.core.text.json_loads_clean: lone surrogates become U+FFFD).
MACHINE_EVENT_PREFIXES = ("/webhooks/",)


def _text_invalid(text: str) -> bool:
    return "\x00" in text or not storable(text)


def _querydict_invalid(querydict) -> bool:
    return any(
        _text_invalid(key) or any(_text_invalid(v) for v in values if isinstance(v, str))
        for key, values in querydict.lists()
    )


def _json_body_invalid(body: bytes) -> bool:
    """A JSON body holding a lone surrogate anywhere (a NUL in JSON is removed by the API's
    parser instead, langnghe.api.CleanParser). A body that is not JSON is its view's concern."""
    if not json_may_need_cleaning(body):
        return False
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):  # not JSON (JSONDecodeError, UnicodeDecodeError)
        return False
    return not all_storable(value)


def request_text_invalid(request) -> bool:
    """True when the query string, form fields, uploaded file names or JSON body hold a NUL
    or text that cannot be written as UTF-8 (a lone surrogate)."""
    if _querydict_invalid(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type in FORM_TYPES:
        return _querydict_invalid(request.POST) or any(
            _text_invalid(upload.name or "") for upload in request.FILES.values()
        )
    if request.path.startswith(MACHINE_EVENT_PREFIXES):
        return False
    return _json_body_invalid(request.body)


def invalid_text_response(request) -> HttpResponse:
    if request.path.startswith(("/api/", "/open311/", "/webhooks/")):
        return JsonResponse(
            {"detail": INVALID_TEXT_MESSAGE, "code": "invalid_characters"},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    # Before the session and authentication middleware: rendered without the request.
    page = render_to_string(
        "core/error.html",
        {"title": "Dữ liệu không hợp lệ", "message": INVALID_TEXT_MESSAGE},
    )
    return HttpResponseBadRequest(page, content_type="text/html; charset=utf-8")


def refuse_invalid_text(get_response):
    """One check of outside text at the boundary, before any view, form or schema runs: a
    request whose query string, form, file names or JSON body holds a NUL or a lone UTF-16
    surrogate is refused with 400 and a Vietnamese message (JSON under /api/, /open311/ and
    /webhooks/, a page elsewhere), so nothing below — the sealing of a case
    (``cases.crypto.seal`` encodes to UTF-8), PostgreSQL (which stores neither) — ever meets
    one. NUL never belongs in text either; in a JSON body it is removed by the API's parser.

    A UTF-8 form cannot carry a surrogate (Django decodes invalid bytes to U+FFFD), but a
    client names the charset of what it sends, and UTF-7 or unicode_escape can; JSON's
    "\\ud800" escape decodes into one in any charset."""

    def middleware(request):
        try:
            invalid = request_text_invalid(request)
        except BadRequest:  # a form in another charset than UTF-8, which Django refuses
            invalid = True
        if invalid:
            return invalid_text_response(request)
        return get_response(request)

    return middleware


# Answers that carry case, chat or identity content, or a signed-in officer's page, are kept
# by no cache — not the browser's (a shared or stolen computer), not a proxy's. Everything
# under these prefixes is ``no-store``: the console and its login, Django's admin, the web
# chat page. API answers (``/api/``, ``/open311/``) are ``no-store`` unless their handler set
# its own Cache-Control (the public QR images); public pages keep their own caching.
NO_STORE_PREFIXES = ("/staff/", "/django-admin/", "/tro-chuyen/")
NO_STORE_UNLESS_SET_PREFIXES = ("/api/", "/open311/")
NO_STORE = "no-store, private"


def websocket_origin(public_url: str) -> str:
    """The websocket origin of the public address: http://host:port → ws://host:port,
    https://… → wss://…; what the console's live socket connects to."""
    parts = urlsplit(public_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc.rpartition('@')[2]}"


def content_security_policy() -> str:
    """settings.LANGNGHE_CSP with its ``{websocket_origin}`` filled from LANGNGHE_PUBLIC_URL:
    scripts may open a websocket to our own address only (``'self'`` covers the same origin
    in browsers of CSP level 3; the explicit origin serves the older ones)."""
    return settings.LANGNGHE_CSP.format(
        websocket_origin=websocket_origin(settings.LANGNGHE_PUBLIC_URL)
    )


def security_headers(get_response):
    csp = content_security_policy()
    permissions = settings.LANGNGHE_PERMISSIONS_POLICY

    def middleware(request):
        response = get_response(request)
        path = request.path
        if path.startswith(NO_STORE_PREFIXES) or (
            path.startswith(NO_STORE_UNLESS_SET_PREFIXES) and "Cache-Control" not in response
        ):
            response.headers["Cache-Control"] = NO_STORE
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


# A database away (PostgreSQL stopped, restarting, out of connections): the 503 with
# Retry-After that langnghe.security.middleware and the machine lane (lanes.py) answer.
UNAVAILABLE_MESSAGE = (
    "Hệ thống tạm thời không kết nối được cơ sở dữ liệu nên chưa ghi nhận được yêu cầu của ông/bà. "
    "Vui lòng thử lại sau ít phút."
)
UNAVAILABLE_RETRY_AFTER = "30"


def unavailable_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": UNAVAILABLE_MESSAGE, "code": "db_unavailable"},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        page = (
            '<!doctype html><html lang="vi"><meta charset="utf-8">'
            "<title>Tạm thời gián đoạn</title><h1>Tạm thời gián đoạn</h1>"
            f"<p>{UNAVAILABLE_MESSAGE}</p></html>"
        )
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = UNAVAILABLE_RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


def method_not_allowed_page(get_response):
    """A page opened at an address that only takes a form's POST (the back button after a
    form, a bookmarked redirect target) gets a page that says so, not the empty body of
    Django's 405. The API and machine clients keep the bare 405 (they do not ask for HTML)."""

    def middleware(request):
        response = get_response(request)
        if (
            response.status_code == 405
            and not response.content
            and request.method == "GET"
            and "text/html" in request.headers.get("Accept", "")
        ):
            page = render(
                request,
                "core/error.html",
                {
                    "title": "Trang này chỉ nhận dữ liệu từ biểu mẫu",
                    "message": "Địa chỉ này dùng để gửi biểu mẫu, không mở trực tiếp được. "
                    "Hãy quay lại trang trước và gửi lại biểu mẫu.",
                },
                status=405,
            )
            page["Allow"] = response.get("Allow", "")
            return page
        return response

    return middleware
