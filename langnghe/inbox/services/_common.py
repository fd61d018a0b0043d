"""What the desk's writes share: text checks, the live events told to the officers' screens,
the desk-role check."""

from langnghe.core.exceptions import ApplicationError, PermissionDenied

from .. import live, selectors
from ..models import Conversation, Message


def _clean_text(
    text: str, *, limit: int = Message.MAX_TEXT, what: str = "Tin nhắn", field: str = "text"
) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(f"{what} không được để trống.", code="empty", field=field)
    if len(text) > limit:
        advice = " Hãy tách thành nhiều tin." if what == "Tin nhắn" else ""
        raise ApplicationError(
            f"{what} dài {len(text)} ký tự, vượt quá giới hạn {limit} ký tự.{advice}",
            code="too_long",
            field=field,
        )
    return text


def _event(conversation: Conversation, kind: str, **extra) -> None:
    live.publish(conversation.unit, _event_payload(conversation, kind, **extra))


def _event_payload(conversation: Conversation, kind: str, **extra) -> dict:
    """What the officers' screens are told, with the conversation as it is now."""
    return {
        "kind": kind,
        "conversation": conversation.pk,
        "status": conversation.status,
        "urgent": conversation.is_urgent,
        "unread": conversation.unread_count,
        **extra,
    }


def _message_event(message: Message) -> dict:
    return {
        "message": {
            "id": message.pk,
            "direction": message.direction,
            "text": message.text,
            "sent_at": message.sent_at.isoformat(),
            "delivery": message.delivery,
            "automatic": message.is_automatic,
        }
    }


def _require_desk(by, conversation: Conversation) -> None:
    """An officer's action on a conversation needs a desk role on its unit or above (the rule
    of ``selectors.conversation_for``, checked again where the write happens). ``by=None`` is
    the system (an automatic answer, the roster)."""
    if by is not None and not selectors.can_answer(by, conversation):
        raise PermissionDenied(selectors.DESK_REFUSAL, code="desk_role_required")
