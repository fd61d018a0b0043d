"""The REST API under /api/v1/: one NinjaAPI, one router per domain app (found by discovery).

Errors are JSON: ``{"detail": "<Vietnamese message>", "code": "..."}``; validation errors are
422 with the failing fields. Nothing here knows about a domain.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from langnghe.core.exceptions import ApplicationError
from langnghe.core.text import without_nul
from langnghe.discovery import api_routers


class UnicodeJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class CleanParser(Parser):
    """JSON bodies and query parameters without NUL characters (see core.text.without_nul)."""

    def parse_body(self, request):
        return without_nul(super().parse_body(request))

    def parse_querydict(self, data, list_fields, request):
        return without_nul(super().parse_querydict(data, list_fields, request))


api = NinjaAPI(
    renderer=UnicodeJSONRenderer(),
    parser=CleanParser(),
    title="Lắng Nghe API",
    version="1",
    description="API của nền tảng Lắng Nghe: đơn vị, thủ tục, khảo sát, vụ việc, trực ban.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_body(), status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(
        request, {"detail": "Không tìm thấy.", "code": "not_found"}, status=404
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {
            "detail": "Cần đăng nhập hoặc mã truy cập (Bearer token) hợp lệ.",
            "code": "unauthenticated",
        },
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    return api.create_response(
        request,
        {
            "detail": "Dữ liệu gửi lên không hợp lệ.",
            "code": "validation_error",
            "errors": exc.errors,
        },
        status=422,
    )


# django-ninja's own refusals, said in Vietnamese (others keep their text).
NINJA_MESSAGES = {
    "Cannot parse request body": (
        "Không đọc được nội dung gửi lên: cần một đối tượng JSON hợp lệ.",
        "bad_json",
    ),
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    detail, code = NINJA_MESSAGES.get(str(exc), (str(exc), "error"))
    return api.create_response(request, {"detail": detail, "code": code}, status=exc.status_code)


for _label, _router in api_routers():
    api.add_router(getattr(_router, "prefix", f"/{_label}"), _router)
