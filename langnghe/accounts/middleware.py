"""Second factor: every officer who signs in to the console must pass TOTP before any console
page (and before the API through their session).

No role reaches no personal data: a viewer or an editor reads the facts of every case of
their scope (category, unit, dates, status: crime data, sensitive under Luật BVDLCN
91/2025/QH15) and the survey and desk figures, an admin manages accounts and the Zalo
credentials. So the rule is one line, everyone (docs/security.md, "Hardening (#24)")."""

from django.conf import settings
from django.shortcuts import redirect

OPEN_PATHS = ("/staff/login/", "/staff/logout/", "/staff/2fa/")


def needs_second_factor(user) -> bool:
    return bool(settings.LANGNGHE_REQUIRE_2FA and user.is_authenticated)


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
