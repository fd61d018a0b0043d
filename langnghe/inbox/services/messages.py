"""The desk's side of a conversation: answers (an officer's or automatic), their delivery,
triage corrections, notes, and news of the case a conversation became."""

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.cases.models import Status as CaseStatus
from langnghe.core.exceptions import NotFound
from langnghe.triage import services as triage_services

from .. import channels
from ..models import (
    Conversation,
    ConversationStatus,
    Delivery,
    Direction,
    Message,
    Note,
)
from ._common import _clean_text, _event, _message_event, _require_desk

MAX_NOTE = 5000


def _automatic_reply(*, conversation: Conversation, text: str) -> Message:
    return _reply(conversation=conversation, by=None, text=text, is_automatic=True)


def _reply(*, conversation: Conversation, by, text: str, is_automatic: bool) -> Message:
    now = timezone.now()
    channel = channels.channel_for(conversation.channel)
    message = Message.objects.create(
        conversation=conversation,
        direction=Direction.OUT,
        text=text,
        author=by,
        is_automatic=is_automatic,
        sent_at=now,
        delivery=channel.stored_delivery,  # web chat: sent once stored (the page reads it)
    )
    channel.send(message)
    updates: dict = {"last_message_at": now}
    if not is_automatic:
        updates["unread_count"] = 0
        if conversation.first_response_at is None:
            updates["first_response_at"] = now
        if conversation.status == ConversationStatus.OPEN:
            updates["status"] = ConversationStatus.WAITING
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    for key, value in updates.items():
        setattr(conversation, key, value)
    _event(conversation, "message", **_message_event(message))
    return message


@transaction.atomic
def message_triage_correct(
    *, conversation: Conversation, message_id: int, by, category: str, urgent: bool, hotline=None
):
    """An officer's label for one of the citizen's messages in ``conversation``: the message's
    category is set and the label kept as a triage training example (``triage_correct``).

    Precondition: ``conversation`` came from ``conversation_for(..., action=ANSWER)`` — only the
    desk roles of its unit correct what its citizens wrote."""
    message = conversation.messages.filter(pk=message_id, direction=Direction.IN).first()
    if message is None or not message.text.strip():
        raise NotFound("Không tìm thấy tin nhắn của người dân.", code="message_not_found")
    correction = triage_services.triage_correct(
        by=by,
        obj=message,
        unit=conversation.unit,
        category=category,
        urgent=urgent,
        hotline=hotline,
    )
    message.triage_category = correction.category
    message.save(update_fields=["triage_category"])
    return correction


@transaction.atomic
def message_reply(*, conversation: Conversation, by, text: str) -> Message:
    """An officer answers. Zalo replies go through the durable outbox; the message's
    ``delivery`` follows what happens to them (pending → sent → delivered → seen, or failed)."""
    _require_desk(by, conversation)
    text = _clean_text(text)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    message = _reply(conversation=conversation, by=by, text=text, is_automatic=False)
    audit_record(
        actor=by,
        action="conversation.reply",
        target=conversation,
        unit=conversation.unit,
        data={"message": message.pk},
    )
    return message


@transaction.atomic
def message_delivery_set(*, message: Message, delivery: str, note: str = "") -> Message:
    """What the channel reports about an outgoing message. Never goes backwards (a late
    "delivered" after "seen" is ignored)."""
    order = [Delivery.PENDING, Delivery.SENT, Delivery.DELIVERED, Delivery.SEEN]
    message = Message.objects.select_for_update().get(pk=message.pk)
    if delivery in order and message.delivery in order:
        if order.index(delivery) <= order.index(message.delivery):
            return message
    elif message.delivery == delivery:
        return message
    message.delivery = delivery
    message.delivery_note = (note or "")[:300]
    message.save(update_fields=["delivery", "delivery_note"])
    conversation = message.conversation
    if delivery == Delivery.FAILED and note:
        Note.objects.create(conversation=conversation, text=f"Không gửi được: {note}")
    _event(conversation, "delivery", message_id=message.pk, delivery=delivery, note=note)
    return message


@transaction.atomic
def note_add(*, conversation: Conversation, by, text: str) -> Note:
    _require_desk(by, conversation)
    text = _clean_text(text, limit=MAX_NOTE, what="Ghi chú")
    note = Note.objects.create(conversation=conversation, author=by, text=text)
    audit_record(
        actor=by, action="conversation.note_add", target=conversation, unit=conversation.unit
    )
    _event(conversation, "note", note_id=note.pk)
    return note


def case_news_relay(*, conversation_id: int, public_note: str, new_status: str) -> None:
    """Tell the citizen, in the conversation their case came from, that it moved on (the cases
    app announces it after commit; see ``langnghe.cases.events``)."""
    conversation = Conversation.objects.filter(pk=conversation_id).select_related("unit").first()
    if conversation is None or conversation.purged_at is not None:
        return  # deleted by retention: nobody to tell there any more
    text = (
        public_note or f"Vụ việc của bạn đã chuyển sang trạng thái: {CaseStatus(new_status).label}."
    )
    with transaction.atomic():
        _automatic_reply(conversation=conversation, text=_clean_text(text))
