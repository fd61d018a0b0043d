"""The staff console's shared state: which unit the officer is working in."""

from django.db.models import QuerySet

from langnghe.units.models import Unit

from .selectors import can_see_unit, visible_units

# The console's home ("Tổng quan") is always first in the menu; accounts adds no other entry.
NAV: list[tuple[str, str]] = []

SESSION_KEY = "staff_unit"
SWITCHER_LIMIT = 500


def switcher_units(user) -> QuerySet[Unit]:
    # Open units only: a closed unit's figures are read under its successor.
    return (
        visible_units(user)
        .filter(is_active=True)
        .select_related("kind")
        .order_by("path")[:SWITCHER_LIMIT]
    )


def current_unit(request) -> Unit | None:
    """The unit chosen in the switcher, always re-checked against the scope."""
    user = request.user
    code = request.session.get(SESSION_KEY)
    if code:
        unit = Unit.objects.select_related("kind").filter(code=code).first()
        if unit is not None and can_see_unit(user, unit):
            return unit
    return (
        visible_units(user).filter(is_active=True).select_related("kind").order_by("path").first()
    )
