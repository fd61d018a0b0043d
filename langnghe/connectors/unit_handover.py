"""A closed unit's Zalo OA and followers go to its successor (``units.reorganize``, through
discovery)."""

from .models import Follower, ZaloConnection
from .services import zalo_move

ORDER = 40


def running_work(unit) -> dict[str, int]:
    return {
        "kết nối Zalo": ZaloConnection.objects.filter(unit=unit).count(),
        "người quan tâm Zalo": Follower.objects.filter(unit=unit).count(),
    }


def hand_over(*, from_unit, to_unit, note: str) -> None:
    zalo_move(from_unit=from_unit, to_unit=to_unit)
