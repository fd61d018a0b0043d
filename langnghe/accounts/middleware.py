"""Second factor: officers whose roles read cases or conversations must pass TOTP before any
console page (and before the API through their session)."""

from django.conf import settings
from django.shortcuts import redirect

from .models import Membership, Role

# Roles that can read cases or conversations (DESIGN.md: crime data is sensitive personal data).
SECOND_FACTOR_ROLES = {Role.ADMIN, Role.SUPERVISOR, Role.DUTY_OFFICER, Role.INVESTIGATOR}
OPEN_PATHS = ("/staff/login/", "/staff/logout/", "/staff/2fa/")


def needs_second_factor(user) -> bool:
    if not settings.LANGNGHE_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()


def require_second_factor(get_response):
    def middleware(request):
        path = request.path
        guarded = path.startswith("/staff/") or path.startswith("/django-admin/")
        if (
            guarded
            and not path.startswith(OPEN_PATHS)
            and request.user.is_authenticated
            and not request.user.is_verified()
            and needs_second_factor(request.user)
        ):
            return redirect(f"/staff/2fa/?next={path}")
        return get_response(request)

    return middleware
