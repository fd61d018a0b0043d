import json

from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


def healthz(request):
    """Liveness probe: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "title": "Không tìm thấy trang",
            "message": "Trang ông/bà tìm không tồn tại hoặc đã được chuyển.",
        },
        status=404,
    )


def csrf_failure(request, reason=""):
    """A form sent without its security token (cookies blocked, a page left open for days, or
    another site's form): said in Vietnamese, instead of Django's English page."""
    return render(
        request,
        "core/error.html",
        {
            "title": "Không gửi được biểu mẫu",
            "message": "Trang đã mở quá lâu hoặc trình duyệt đang chặn cookie. Hãy tải lại "
            "trang rồi gửi lại.",
        },
        status=403,
    )


def server_error(request):
    return render(
        request,
        "core/error.html",
        {"title": "Có lỗi xảy ra", "message": "Hệ thống gặp sự cố. Vui lòng thử lại sau ít phút."},
        status=500,
    )


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico on every page that names no icon (and some that do); the
    file itself is a static file, served by WhiteNoise."""
    return HttpResponsePermanentRedirect(static("langnghe/icons/favicon.ico"))


@require_safe
@cache_control(public=True, max_age=86400)
def web_manifest(request):
    """The web app manifest: a citizen who adds the site to their phone's home screen gets its
    name and icon (https://www.w3.org/TR/appmanifest/)."""
    manifest = {
        "name": "Lắng Nghe — kênh tiếp nhận của Công an",
        "short_name": "Lắng Nghe",
        "description": "Thủ tục hành chính, gửi tin báo, phản ánh, tra cứu và nhắn tin cho "
        "trực ban Công an.",
        "lang": "vi",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#0b4f8a",
        "background_color": "#f6f7f9",
        "icons": [
            {
                "src": static(f"langnghe/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ]
        + [{"src": static("langnghe/icons/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(
        json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json"
    )
