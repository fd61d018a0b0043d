from django.conf import settings


def site(request):
    return {"public_url": settings.LANGNGHE_PUBLIC_URL, "site_name": "Lắng Nghe"}
