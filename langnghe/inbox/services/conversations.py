"""Conversations: opened on first contact, the citizen's identity sealed into them, assigned,
set to a status, labelled, read (audited) and turned into a case."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.cases import crypto
from langnghe.cases.services import case_create_from_conversation
from langnghe.core.exceptions import ApplicationError

from .. import selectors
from ..models import ChannelKind, Conversation, ConversationStatus, Direction
from ._common import _event, _require_desk

MAX_LABELS = 20


def conversation_open(
    *,
    unit,
    channel: str,
    external_id: str,
    citizen_name: str = "",
    citizen_phone: str = "",
    is_anonymous: bool = False,
) -> Conversation:
    """The citizen's conversation with the unit on that channel, created on first contact."""
    return _conversation(
        unit=unit,
        channel=channel,
        external_id=external_id,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        is_anonymous=is_anonymous,
    )[0]


def _identity_merge(conversation: Conversation, *, name: str = "", phone: str = "") -> bool:
    """Seal what the citizen gave (name, phone) into the conversation, keeping what it already
    holds; never for an anonymous conversation. True when something changed (the caller saves
    ``identity_sealed`` and ``has_identity``)."""
    name, phone = (name or "").strip()[:150], (phone or "").strip()[:30]
    if conversation.is_anonymous or not (name or phone):
        return False
    current = selectors.conversation_identity(conversation)
    merged = {**({"name": name} if name else {}), **({"phone": phone} if phone else {})}
    merged.update(current)  # what was given first is kept
    if merged == current:
        return False
    conversation.identity_sealed = crypto.seal_json(merged, context=conversation.sealing_context())
    conversation.has_identity = True
    return True


def _conversation(
    *,
    unit,
    channel: str,
    external_id: str,
    citizen_name: str = "",
    citizen_phone: str = "",
    is_anonymous: bool = False,
    lock: bool = False,
) -> tuple[Conversation, bool]:
    """(conversation, created). ``lock``: the row is locked to the end of the transaction (read
    with FOR UPDATE, or just inserted by it)."""
    if channel not in ChannelKind.values:
        raise ApplicationError("Kênh không hợp lệ.", code="bad_channel")
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 100:
        raise ApplicationError("Thiếu mã người dân trên kênh.", code="bad_external_id")
    existing = Conversation.objects.filter(unit=unit, channel=channel, external_id=external_id)
    if lock:
        existing = existing.select_for_update()
    found = existing.first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                unit=unit, channel=channel, external_id=external_id, is_anonymous=is_anonymous
            )
            # Sealed with the row's id, so only after the insert (same transaction).
            if _identity_merge(conversation, name=citizen_name, phone=citizen_phone):
                conversation.save(update_fields=["identity_sealed", "has_identity"])
            _opened(conversation)
    except IntegrityError:  # opened by a concurrent message
        return existing.get(), False
    return conversation, True


def _opened(conversation: Conversation) -> None:
    audit_record(
        actor=None,
        action="conversation.open",
        target=conversation,
        unit=conversation.unit,
        data={"channel": conversation.channel},
    )


@transaction.atomic
def conversation_assign(*, conversation: Conversation, assignee, by) -> Conversation:
    _require_desk(by, conversation)
    if assignee is not None and not (
        assignee.is_active and selectors.can_answer(assignee, conversation)
    ):
        raise ApplicationError(
            "Chỉ giao được cho cán bộ trực ban hoặc chỉ huy của đơn vị này.",
            code="bad_assignee",
            field="assignee",
        )
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])
    audit_record(
        actor=by,
        action="conversation.assign",
        target=conversation,
        unit=conversation.unit,
        data={"assignee": assignee.pk if assignee else None},
    )
    _event(conversation, "assign", assignee=assignee.pk if assignee else None)
    return conversation


@transaction.atomic
def conversation_status_set(*, conversation: Conversation, status: str, by) -> Conversation:
    _require_desk(by, conversation)
    if status not in ConversationStatus.values:
        raise ApplicationError("Trạng thái không hợp lệ.", code="bad_status", field="status")
    conversation.status = status
    conversation.resolved_at = timezone.now() if status == ConversationStatus.RESOLVED else None
    if status == ConversationStatus.RESOLVED:
        conversation.unread_count = 0
    conversation.save(update_fields=["status", "resolved_at", "unread_count"])
    audit_record(
        actor=by,
        action=f"conversation.{status}",
        target=conversation,
        unit=conversation.unit,
    )
    _event(conversation, "status")
    return conversation


@transaction.atomic
def conversation_labels_set(*, conversation: Conversation, labels: list[str], by):
    _require_desk(by, conversation)
    clean = sorted({(label or "").strip()[:40] for label in labels if (label or "").strip()})
    if len(clean) > MAX_LABELS:
        raise ApplicationError(f"Tối đa {MAX_LABELS} nhãn.", code="too_many", field="labels")
    conversation.labels = clean
    conversation.save(update_fields=["labels"])
    audit_record(
        actor=by, action="conversation.labels_set", target=conversation, unit=conversation.unit
    )
    return conversation


@transaction.atomic
def conversation_read(*, conversation: Conversation, by, identity: bool = True) -> dict:
    """``by`` opens the conversation (``selectors.conversation_for`` said READ): the reading
    is audited, as a tip's is (``case.content_open``), and the citizen's name and phone are
    returned unsealed when ``identity``. Only an officer answering it clears its unread count
    (one who may answer, and it is theirs or nobody's yet): a supervisor looking over a
    colleague's conversation, or an investigator reading the one behind their case, leaves it
    unread for the officer who must answer."""
    answering = selectors.can_answer(by, conversation) and conversation.assignee_id in (
        None,
        by.pk,
    )
    shown = identity and conversation.has_identity
    audit_record(
        actor=by,
        action="conversation.read",
        target=conversation,
        unit=conversation.unit,
        data={"identity": shown, "cleared_unread": bool(answering and conversation.unread_count)},
    )
    if answering and conversation.unread_count:
        Conversation.objects.filter(pk=conversation.pk).update(unread_count=0)
        conversation.unread_count = 0
        _event(conversation, "read")
    return selectors.conversation_identity(conversation) if shown else {}


def conversations_listed(*, conversations: list[Conversation], by) -> None:
    """A list with the first words of each conversation was shown to ``by``: one audit entry
    names them (a list is a read of content too)."""
    if conversations:
        audit_record(
            actor=by,
            action="conversation.list_read",
            data={"conversations": [c.pk for c in conversations]},
        )


@transaction.atomic
def citizen_info_set(*, conversation: Conversation, name: str = "", phone: str = ""):
    """What the citizen chose to share (Zalo's user_submit_info, the web chat form), sealed;
    nothing for a conversation the citizen keeps anonymous."""
    if _identity_merge(conversation, name=name, phone=phone):
        conversation.save(update_fields=["identity_sealed", "has_identity"])
        audit_record(
            actor=None,
            action="conversation.citizen_info_set",
            target=conversation,
            unit=conversation.unit,
        )
    return conversation


@transaction.atomic
def conversation_to_case(
    *,
    conversation: Conversation,
    by,
    message_ids: list[int] | None = None,
    category: str = "",
):
    """Turn the conversation (or some of its messages) into a case with the cases service,
    keeping the link both ways (``conversation.case_id``; the case's channel reference is the
    conversation, so its status changes come back here). An empty ``category`` is filled in by
    the triage classifier from the messages."""
    _require_desk(by, conversation)
    if conversation.case_id:
        raise ApplicationError("Hội thoại này đã có vụ việc.", code="already_linked", status=409)
    messages = conversation.messages.filter(direction=Direction.IN).order_by("sent_at", "id")
    if message_ids:
        messages = messages.filter(pk__in=message_ids)
    texts = [m.text for m in messages if m.text.strip()]
    if not texts:
        raise ApplicationError(
            "Chưa có tin nhắn nào của công dân để tạo vụ việc.", code="no_messages"
        )
    # The citizen's choice goes with the tip: an anonymous chat makes an anonymous case; a name
    # and phone move sealed into the case, under its reveal approval (Luật Tố cáo 2018 Điều 56;
    # BLTTHS 2015 Điều 484–486), without being shown to the officer who makes it.
    reporter = selectors.conversation_identity(conversation)
    case, _receipt = case_create_from_conversation(
        conversation_id=str(conversation.pk),
        category_code=category,
        description="\n".join(texts),
        by=by,
        unit=conversation.unit,
        reporter=reporter or None,
        is_anonymous=conversation.is_anonymous,
        is_urgent=conversation.is_urgent,
    )
    conversation.case_id = case.pk
    conversation.save(update_fields=["case_id"])
    audit_record(
        actor=by,
        action="conversation.to_case",
        target=conversation,
        unit=conversation.unit,
        data={"case": case.pk},
    )
    return case
