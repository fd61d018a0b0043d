from langnghe.discovery import console_nav

from .console import current_unit, switcher_units
from .models import Membership


def _menu(user) -> list[tuple[str, str]]:
    """The console menu of this officer: the entries of use to one of the roles they hold
    somewhere (a page still decides access itself, per unit, through its access function)."""
    roles = (
        None
        if user.is_superuser
        else set(Membership.objects.filter(user=user).values_list("role", flat=True))
    )
    return [
        (label, url)
        for label, url, wanted in console_nav()
        if wanted is None or roles is None or roles & set(wanted)
    ]


def staff(request):
    """Console context, computed only on console pages for a signed-in officer."""
    if not request.path.startswith("/staff/") or not request.user.is_authenticated:
        return {}
    return {
        "current_unit": current_unit(request),
        "switcher_units": switcher_units(request.user),
        "console_nav": _menu(request.user),
    }
