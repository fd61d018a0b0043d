"""A closed unit's desk goes to its successor (``units.reorganize``, through discovery): open
conversations, duty shifts not yet over, saved answers."""

from django.utils import timezone

from .models import Conversation, ConversationStatus, DutyShift
from .services import desk_move

ORDER = 20


def running_work(unit) -> dict[str, int]:
    return {
        "hội thoại đang mở": Conversation.objects.filter(unit=unit)
        .exclude(status=ConversationStatus.RESOLVED)
        .count(),
        "ca trực sắp tới": DutyShift.objects.filter(unit=unit, ends_at__gt=timezone.now()).count(),
    }


def hand_over(*, from_unit, to_unit, note: str) -> None:
    desk_move(from_unit=from_unit, to_unit=to_unit)
