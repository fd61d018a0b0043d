"""Every write about cases: one function per state change, each in a transaction with an audit
entry, side effects (events to the originating channel) after commit.

Preconditions common to the staff actions: the case is in the actor's scope (else NotFound,
so nothing leaks) and the actor holds a handler role on the case's unit or above (else
PermissionDenied). Audit ``data`` never carries personal data: no names, phones, receipts,
descriptions or message bodies.

The writes live in one module per topic; this package re-exports them, so
``from langnghe.cases.services import case_assign`` and ``services.case_assign`` keep working.
"""

from langnghe.core.exceptions import ApplicationError

from ..selectors import APPROVER_ROLES
from ._common import ACTION_STATUSES, HANDLER_ROLES
from .attachments import (
    attachment_fingerprint,
    case_attachment_add,
    case_attachment_open,
    case_attachment_thumbnail,
)
from .deadlines import case_deadline_extend, cases_escalate_overdue
from .identity import (
    REVEAL_VALID_FOR,
    case_content_open,
    case_identity_reveal,
    case_identity_reveal_decide,
    case_identity_reveal_request,
)
from .intake import (
    MAX_DESCRIPTION,
    MAX_FILES,
    REPORTER_FIELDS,
    TRACKING_ALPHABET,
    TRIAGE_TO_CATEGORY,
    case_create,
    case_create_from_conversation,
    case_record,
)
from .operations import cases_move_open, cases_reseal, open311_client_create
from .workflow import (
    DECLINED_NOTE,
    MAX_MESSAGE,
    MERGED_NOTE,
    RESOLVED_NOTE,
    case_actions_allowed,
    case_assign,
    case_bulk_assign,
    case_classify,
    case_decline,
    case_merge,
    case_note_add,
    case_reply,
    case_reporter_message_add,
    case_resolve,
    case_transfer,
    case_verify_start,
)

__all__ = [
    "ACTION_STATUSES",
    "APPROVER_ROLES",
    "ApplicationError",
    "DECLINED_NOTE",
    "HANDLER_ROLES",
    "MAX_DESCRIPTION",
    "MAX_FILES",
    "MAX_MESSAGE",
    "MERGED_NOTE",
    "REPORTER_FIELDS",
    "RESOLVED_NOTE",
    "REVEAL_VALID_FOR",
    "TRACKING_ALPHABET",
    "TRIAGE_TO_CATEGORY",
    "attachment_fingerprint",
    "case_actions_allowed",
    "case_assign",
    "case_attachment_add",
    "case_attachment_open",
    "case_attachment_thumbnail",
    "case_bulk_assign",
    "case_classify",
    "case_content_open",
    "case_create",
    "case_create_from_conversation",
    "case_deadline_extend",
    "case_decline",
    "case_identity_reveal",
    "case_identity_reveal_decide",
    "case_identity_reveal_request",
    "case_merge",
    "case_note_add",
    "case_record",
    "case_reply",
    "case_reporter_message_add",
    "case_resolve",
    "case_transfer",
    "case_verify_start",
    "cases_escalate_overdue",
    "cases_move_open",
    "cases_reseal",
    "open311_client_create",
]
