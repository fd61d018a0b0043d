"""A closed unit's survey template goes to its successor (``units.reorganize``, through
discovery)."""

from .models import SurveyAssignment
from .services import survey_assignment_move

ORDER = 50


def running_work(unit) -> dict[str, int]:
    return {"mẫu phiếu khảo sát": SurveyAssignment.objects.filter(unit=unit).count()}


def hand_over(*, from_unit, to_unit, note: str) -> None:
    survey_assignment_move(from_unit=from_unit, to_unit=to_unit)
