from functools import cache
from importlib import metadata

from django.conf import settings


@cache
def app_version() -> str:
    """The installed package's version (pyproject.toml), shown in the staff footer."""
    try:
        return metadata.version("langnghe")
    except metadata.PackageNotFoundError:
        return ""


def site(request):
    return {
        "public_url": settings.LANGNGHE_PUBLIC_URL,
        "site_name": "Lắng Nghe",
        "app_version": app_version(),
        "support_contact": settings.LANGNGHE_SUPPORT_CONTACT,
    }
