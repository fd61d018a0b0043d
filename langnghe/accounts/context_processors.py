from langnghe.discovery import console_nav

from .console import current_unit, switcher_units


def staff(request):
    """Console context, computed only on console pages for a signed-in officer."""
    if not request.path.startswith("/staff/") or not request.user.is_authenticated:
        return {}
    return {
        "current_unit": current_unit(request),
        "switcher_units": switcher_units(request.user),
        "console_nav": console_nav(),
    }
