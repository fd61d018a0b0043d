"""Reads of the duty desk, always through the scope check (visible_units)."""

from django.db.models import Count, Q, QuerySet, Sum

from langnghe.accounts.selectors import visible_unit_get, visible_units
from langnghe.core.exceptions import NotFound

from .models import Conversation, ConversationStatus


def conversation_list(
    *,
    user,
    unit: str | None = None,
    status: str | None = None,
    assignee: int | str | None = None,
) -> QuerySet[Conversation]:
    """Conversations of the units the user may see; ``unit`` narrows to that unit's subtree,
    ``assignee`` is a user id or "me" / "none"."""
    qs = Conversation.objects.filter(unit__in=visible_units(user))
    if unit:
        root = visible_unit_get(user=user, code=unit)
        qs = qs.filter(unit__path__startswith=root.path)
    if status:
        qs = qs.filter(status=status)
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee not in (None, ""):
        try:
            qs = qs.filter(assignee_id=int(assignee))
        except (TypeError, ValueError):
            qs = qs.none()
    return qs.select_related("unit", "assignee").order_by("-is_urgent", "-last_message_at", "-id")


def conversation_get(*, user, conversation_id: int) -> Conversation:
    """One conversation, or "not found" when it is outside the user's scope."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id, unit__in=visible_units(user))
        .select_related("unit", "unit__kind", "assignee")
        .first()
    )
    if conversation is None:
        raise NotFound("Không tìm thấy hội thoại.", code="conversation_not_found")
    return conversation


def unread_counts(*, user) -> list[dict]:
    """New-message counts per unit, for the console's badges (open conversations only)."""
    rows = (
        Conversation.objects.filter(unit__in=visible_units(user))
        .exclude(status=ConversationStatus.RESOLVED)
        .values("unit__code", "unit__name")
        .annotate(
            unread=Sum("unread_count"),
            conversations=Count("id"),
            urgent=Count("id", filter=Q(is_urgent=True)),
        )
        .order_by("unit__code")
    )
    return [
        {
            "unit": r["unit__code"],
            "name": r["unit__name"],
            "unread": r["unread"] or 0,
            "conversations": r["conversations"],
            "urgent": r["urgent"],
        }
        for r in rows
    ]


def procedure_suggestion(conversation: Conversation) -> dict | None:
    """The catalogue's best answer to the citizen's last question, if the procedures app
    offers one (``procedures.selectors.procedure_answer(question)``)."""
    from django.apps import apps

    if not apps.is_installed("langnghe.procedures"):
        return None
    try:
        from langnghe.procedures.selectors import procedure_answer
    except ImportError:
        return None
    last = (
        conversation.messages.filter(direction="in").exclude(text="").order_by("-sent_at").first()
    )
    if last is None:
        return None
    try:
        answer = procedure_answer(last.text)
    except Exception:  # noqa: BLE001 — a suggestion must never break the desk
        return None
    if not answer:
        return None
    procedure = getattr(answer, "procedure", None)
    return {
        "text": getattr(answer, "text", str(answer)),
        "url": getattr(answer, "url", ""),
        "procedure": getattr(procedure, "name", ""),
    }


def canned_replies_for(unit) -> list:
    """Saved answers usable at ``unit``: its own and those of the units above it."""
    from .models import CannedReply

    if unit is None:
        return []
    return list(
        CannedReply.objects.filter(unit_id__in=[*unit.ancestor_ids, unit.pk])
        .select_related("unit")
        .order_by("title")
    )
