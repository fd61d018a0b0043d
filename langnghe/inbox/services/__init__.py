"""Every write of the duty desk. Each function is one state change: validation, transaction,
audit entry, and after-commit side effects (live events, the outbox).

The writes live in one module per topic; this package re-exports them, so
``from langnghe.inbox.services import X`` and ``services.X`` keep working.
"""

from .conversations import (
    MAX_LABELS,
    citizen_info_set,
    conversation_assign,
    conversation_labels_set,
    conversation_open,
    conversation_read,
    conversation_status_set,
    conversation_to_case,
    conversations_listed,
)
from .desk import (
    CANNED_ROLES,
    DESK_PROFILE_ROLES,
    canned_reply_create,
    canned_reply_delete,
    desk_move,
    desk_profile_set,
)
from .messages import (
    MAX_NOTE,
    case_news_relay,
    message_delivery_set,
    message_reply,
    message_triage_correct,
    note_add,
)
from .receive import AUTO_REPLY_QUIET, Incoming, incoming_receive, message_receive, messages_receive
from .roster import (
    MAX_AHEAD,
    MAX_SHIFT,
    MAX_SHIFT_NOTE,
    ROSTER_ROLES,
    duty_shift_cancel,
    duty_shift_create,
    duty_week_copy,
)

__all__ = [
    "AUTO_REPLY_QUIET",
    "CANNED_ROLES",
    "DESK_PROFILE_ROLES",
    "Incoming",
    "MAX_AHEAD",
    "MAX_LABELS",
    "MAX_NOTE",
    "MAX_SHIFT",
    "MAX_SHIFT_NOTE",
    "ROSTER_ROLES",
    "canned_reply_create",
    "canned_reply_delete",
    "case_news_relay",
    "citizen_info_set",
    "conversation_assign",
    "conversation_labels_set",
    "conversation_open",
    "conversation_read",
    "conversation_status_set",
    "conversation_to_case",
    "conversations_listed",
    "desk_move",
    "desk_profile_set",
    "duty_shift_cancel",
    "duty_shift_create",
    "duty_week_copy",
    "incoming_receive",
    "message_delivery_set",
    "message_receive",
    "message_reply",
    "message_triage_correct",
    "messages_receive",
    "note_add",
]
