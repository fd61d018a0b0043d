"""A closed unit's staff go to its successor (``units.reorganize``, through discovery)."""

from .models import Membership
from .services import memberships_move

ORDER = 30


def running_work(unit) -> dict[str, int]:
    return {"cán bộ": Membership.objects.filter(unit=unit).count()}


def hand_over(*, from_unit, to_unit, note: str) -> None:
    memberships_move(from_unit=from_unit, to_unit=to_unit)
