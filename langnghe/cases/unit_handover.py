"""A closed unit's open cases go to its successor (``units.reorganize``, through discovery)."""

from .models import OPEN_STATUSES, Case
from .services import cases_move_open

ORDER = 10  # first, as the reorganisation has always moved them


def running_work(unit) -> dict[str, int]:
    return {"vụ việc đang mở": Case.objects.filter(unit=unit, status__in=OPEN_STATUSES).count()}


def hand_over(*, from_unit, to_unit, note: str) -> None:
    cases_move_open(from_unit=from_unit, to_unit=to_unit, note=note)
