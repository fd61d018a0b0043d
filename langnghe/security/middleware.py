"""When the database is away: a clear 503 instead of a server error.

A view that hits ``OperationalError`` / ``InterfaceError`` (PostgreSQL stopped, restarting,
out of connections) answers 503 with ``Retry-After``: JSON ``{"detail", "code":
"db_unavailable"}`` under /api/, a short Vietnamese page elsewhere. Nothing was stored (the
transaction failed), so the client may safely retry — survey responses carry a client_id,
so a retry is never counted twice.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

log = logging.getLogger("langnghe.security")

MESSAGE = (
    "Hệ thống tạm thời không kết nối được cơ sở dữ liệu nên chưa ghi nhận được yêu cầu của ông/bà. "
    "Vui lòng thử lại sau ít phút."
)
RETRY_AFTER = "30"


def unavailable_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": MESSAGE, "code": "db_unavailable"},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        page = (
            '<!doctype html><html lang="vi"><meta charset="utf-8">'
            "<title>Tạm thời gián đoạn</title><h1>Tạm thời gián đoạn</h1>"
            f"<p>{MESSAGE}</p></html>"
        )
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(get_response):
    def middleware(request):
        return get_response(request)

    def process_exception(request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            log.error("database unavailable: %s", type(exception).__name__)
            return unavailable_response(request)
        return None

    middleware.process_exception = process_exception
    return middleware
