from django.http import HttpResponse
from django.shortcuts import render


def healthz(request):
    """Liveness probe: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "title": "Không tìm thấy trang",
            "message": "Trang bạn tìm không tồn tại hoặc đã được chuyển.",
        },
        status=404,
    )


def server_error(request):
    return render(
        request,
        "core/error.html",
        {"title": "Có lỗi xảy ra", "message": "Hệ thống gặp sự cố. Vui lòng thử lại sau ít phút."},
        status=500,
    )
