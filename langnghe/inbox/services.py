"""Every write of the duty desk. Each function is one state change: validation, transaction,
audit entry, and after-commit side effects (live events, the outbox)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied
from langnghe.core.sql import insert_ignore_many, insert_many
from langnghe.triage.selectors import triage_text

from . import live, rules, selectors
from .models import (
    ChannelKind,
    Conversation,
    ConversationStatus,
    Delivery,
    Direction,
    Message,
    Note,
)

# At most one out-of-hours auto-reply per conversation in this period (avoid answering every
# message of a burst).
AUTO_REPLY_QUIET = dt.timedelta(hours=6)
MAX_NOTE = 5000
MAX_LABELS = 20


def _clean_text(text: str, *, limit: int = Message.MAX_TEXT, what: str = "Tin nhắn") -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(f"{what} không được để trống.", code="empty", field="text")
    if len(text) > limit:
        raise ApplicationError(
            f"{what} dài {len(text)} ký tự, vượt quá giới hạn {limit} ký tự. "
            "Hãy tách thành nhiều tin.",
            code="too_long",
            field="text",
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
    from langnghe.cases import crypto

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
def message_receive(
    *,
    unit,
    channel: str,
    external_id: str,
    text: str,
    kind: str = "text",
    payload: dict | None = None,
    external_message_id: str = "",
    sent_at: dt.datetime | None = None,
    citizen_name: str = "",
    citizen_phone: str = "",
    is_anonymous: bool = False,
) -> Message:
    """A citizen's message arrives. Idempotent on ``external_message_id`` (channels deliver at
    least once). Reopens a resolved conversation, answers emergencies and out-of-hours messages
    automatically, and tells the officers' screens."""
    text = (text or "").strip()[: Message.MAX_TEXT * 2]
    if not text and not payload:
        raise ApplicationError("Tin nhắn trống.", code="empty", field="text")
    conversation, _created = _conversation(
        unit=unit,
        channel=channel,
        external_id=external_id,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        is_anonymous=is_anonymous,
        lock=True,
    )
    if external_message_id:
        duplicate = conversation.messages.filter(external_id=external_message_id).first()
        if duplicate is not None:
            return duplicate
    now = timezone.now()
    triage = triage_text(text) if text else None
    message = Message.objects.create(
        conversation=conversation,
        direction=Direction.IN,
        kind=kind,
        triage_category=triage.category if triage else "",
        text=text,
        payload=payload or {},
        external_id=external_message_id,
        sent_at=sent_at or now,
        delivery=Delivery.RECEIVED,
    )
    urgency = rules.classify_urgency(text, triage=triage) if triage else rules.Urgency(False)
    updates = {
        "last_message_at": now,
        "last_incoming_at": now,
        "unread_count": F("unread_count") + 1,
    }
    if conversation.status != ConversationStatus.OPEN:
        updates.update(status=ConversationStatus.OPEN, resolved_at=None)
    if urgency.is_urgent:
        updates["is_urgent"] = True
    if _identity_merge(conversation, name=citizen_name, phone=citizen_phone):
        updates.update(
            identity_sealed=conversation.identity_sealed, has_identity=conversation.has_identity
        )
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    # The row is locked by this transaction: what it now holds is known without reading it.
    updates["unread_count"] = conversation.unread_count + 1
    for name, value in updates.items():
        setattr(conversation, name, value)
    audit_record(
        actor=None,
        action="conversation.message_receive",
        target=conversation,
        unit=unit,
        data={"message": message.pk, "kind": kind, "urgent": urgency.is_urgent},
    )
    _event(conversation, "message", **_message_event(message))
    if urgency.is_urgent:
        _urgent_alert(conversation=conversation, message=message, urgency=urgency)
    elif not rules.is_on_duty(unit, now):
        recent_auto = conversation.messages.filter(
            is_automatic=True, sent_at__gte=now - AUTO_REPLY_QUIET
        ).exists()
        if not recent_auto:
            reply = rules.out_of_hours_reply(unit)
            if triage and triage.category == "procedure_question":
                # No officer until morning: answer a procedure question from the catalogue now.
                reply = f"{reply}\n\n{_self_service_answer(text)}".rstrip()
            _automatic_reply(conversation=conversation, text=_clean_text(reply))
    elif (ack := rules.on_duty_reply(unit, now)) and not conversation.messages.filter(
        direction=Direction.OUT
    ).exists():
        _automatic_reply(conversation=conversation, text=ack)
    return message


@dataclass
class Incoming:
    """A citizen's message as a channel delivered it, for ``messages_receive``."""

    external_id: str  # the citizen on the channel
    text: str
    kind: str = "text"
    payload: dict = field(default_factory=dict)
    external_message_id: str = ""
    sent_at: dt.datetime | None = None


def incoming_receive(*, unit, channel: str, item: Incoming) -> Message:
    """``message_receive`` of one ``Incoming``."""
    return message_receive(
        unit=unit,
        channel=channel,
        external_id=item.external_id,
        text=item.text,
        kind=item.kind,
        payload=item.payload,
        external_message_id=item.external_message_id,
        sent_at=item.sent_at,
    )


def messages_receive(*, unit, channel: str, items: list[Incoming]) -> list[int]:
    """``message_receive`` for a batch of one unit's messages on one channel (the Zalo drain),
    with a handful of statements for the whole batch instead of a dozen per message.

    Call it inside the batch's transaction. The same outcome as receiving the messages one by
    one, in order — the same rows, counts, automatic answers (one per conversation per
    AUTO_REPLY_QUIET), outbox rows, audit actions and live events: the conversations are locked
    in one statement (in id order, so two batches cannot deadlock on them), new ones opened in
    one insert, duplicates found in one read, messages stored in one insert, the conversations
    updated in one statement. An emergency is answered as ``message_receive`` answers it (the
    emergency number at once, a note, the screens' alarm), in the same statements. What it does
    not do in bulk — an empty message or an invalid citizen id — it leaves, with every other
    message of the same conversation so their order holds: it returns the indexes of ``items``
    left for ``message_receive``."""
    now = timezone.now()
    keys, prepared, left_keys = [], [], set()
    for item in items:
        key = (item.external_id or "").strip()
        text = (item.text or "").strip()[: Message.MAX_TEXT * 2]
        triage = triage_text(text) if text else None
        urgency = rules.classify_urgency(text, triage=triage) if triage else None
        if not key or len(key) > 100 or (not text and not item.payload):
            left_keys.add(key)
        prepared.append((item, key, text, triage, urgency))
        keys.append(key)
    left = [i for i, key in enumerate(keys) if key in left_keys]
    work = [p for p in prepared if p[1] not in left_keys]
    if not work:
        return left
    if channel not in ChannelKind.values:
        raise ApplicationError("Kênh không hợp lệ.", code="bad_channel")
    wanted = sorted({p[1] for p in work})
    found = {
        c.external_id: c
        for c in Conversation.objects.select_for_update()
        .filter(unit=unit, channel=channel, external_id__in=wanted)
        .order_by("pk")
    }
    missing = [key for key in wanted if key not in found]
    if missing:
        new = [Conversation(unit=unit, channel=channel, external_id=key) for key in missing]
        opened = insert_ignore_many(new, "external_id")
        for conversation in new:
            if conversation.external_id in opened:  # ours, locked until commit
                found[conversation.external_id] = conversation
                _opened(conversation)
        raced = [key for key in missing if key not in found]  # opened meanwhile by another
        if raced:
            for c in Conversation.objects.select_for_update().filter(
                unit=unit, channel=channel, external_id__in=raced
            ):
                found[c.external_id] = c
    conversations = {c.pk: c for c in found.values()}
    message_ids = [p[0].external_message_id for p in work if p[0].external_message_id]
    seen = (
        set(
            Message.objects.filter(
                conversation__in=list(conversations), external_id__in=message_ids
            ).values_list("conversation_id", "external_id")
        )
        if message_ids
        else set()
    )
    on_duty = rules.is_on_duty(unit, now)
    answered = (
        set(  # on duty: one acknowledgement per conversation (rules.on_duty_reply)
            Message.objects.filter(
                conversation__in=list(conversations), direction=Direction.OUT
            ).values_list("conversation_id", flat=True)
        )
        if on_duty
        else set(
            Message.objects.filter(
                conversation__in=list(conversations),
                is_automatic=True,
                sent_at__gte=now - AUTO_REPLY_QUIET,
            ).values_list("conversation_id", flat=True)
        )
    )
    is_web = channel == ChannelKind.WEB
    # In order, each with the screens' event as the conversation stood after it (an alarm has
    # no message of its own).
    stored: list[tuple[Message | None, Conversation, dict]] = []
    changed: set[int] = set()
    notes: list[Note] = []
    alarms: list[tuple[dict, Message]] = []  # each alarm's event names its message, once stored
    urgent_in: set[int] = set()  # the emergencies among the batch's messages (by object)
    urgent_conversations: dict[int, Conversation] = {}
    duty = None  # (the note's on-duty line, the officer an emergency goes to), when needed
    for item, key, text, triage, urgency in work:
        conversation = found[key]
        if item.external_message_id:
            if (conversation.pk, item.external_message_id) in seen:
                continue  # delivered twice: already stored, nothing changes
            seen.add((conversation.pk, item.external_message_id))
        message = Message(
            conversation=conversation,
            direction=Direction.IN,
            kind=item.kind,
            triage_category=triage.category if triage else "",
            text=text,
            payload=item.payload or {},
            external_id=item.external_message_id,
            sent_at=item.sent_at or now,
            delivery=Delivery.RECEIVED,
        )
        conversation.last_message_at = conversation.last_incoming_at = now
        conversation.unread_count += 1
        if conversation.status != ConversationStatus.OPEN:
            conversation.status, conversation.resolved_at = ConversationStatus.OPEN, None
        urgent = urgency is not None and urgency.is_urgent
        if urgent:
            conversation.is_urgent = True
        changed.add(conversation.pk)
        stored.append((message, conversation, _event_payload(conversation, "message")))
        if urgent:
            # As _urgent_alert: the number to call at once, a note, every console's alarm.
            answer = Message(
                conversation=conversation,
                direction=Direction.OUT,
                text=rules.emergency_reply(urgency),
                author=None,
                is_automatic=True,
                sent_at=now,
                delivery=Delivery.SENT if is_web else Delivery.PENDING,
            )
            stored.append((answer, conversation, _event_payload(conversation, "message")))
            if duty is None:  # who is on duty, read once for the batch's emergencies
                duty = _on_duty_line(unit, now)
            notes.append(
                Note(
                    conversation=conversation,
                    text=rules.emergency_note(urgency) + duty[0],
                )
            )
            urgent_conversations[conversation.pk] = conversation
            alarm = _event_payload(conversation, "urgent", number=urgency.number)
            stored.append((None, conversation, alarm))
            alarms.append((alarm, message))
            urgent_in.add(id(message))
            answered.add(conversation.pk)  # its automatic answer for the quiet window
            continue
        if conversation.pk in answered:
            continue
        answered.add(conversation.pk)
        reply = rules.on_duty_reply(unit, now) if on_duty else rules.out_of_hours_reply(unit)
        if not reply:
            continue
        if not on_duty and triage and triage.category == "procedure_question":
            reply = f"{reply}\n\n{_self_service_answer(text)}".rstrip()
        answer = Message(
            conversation=conversation,
            direction=Direction.OUT,
            text=_clean_text(reply),
            author=None,
            is_automatic=True,
            sent_at=now,
            delivery=Delivery.SENT if is_web else Delivery.PENDING,
        )
        stored.append((answer, conversation, _event_payload(conversation, "message")))
    if not stored:
        return left
    messages = [m for m, _, _ in stored if m is not None]
    insert_many(messages)
    if channel == ChannelKind.ZALO:
        from langnghe.connectors.services import outbound_enqueue_many

        outbound_enqueue_many([m for m in messages if m.direction == Direction.OUT])
    if notes:
        insert_many(notes)
    _conversations_save([conversations[pk] for pk in sorted(changed)])
    for message, conversation, _ in stored:
        if message is not None and message.direction == Direction.IN:
            audit_record(
                actor=None,
                action="conversation.message_receive",
                target=conversation,
                unit=unit,
                data={
                    "message": message.pk,
                    "kind": message.kind,
                    "urgent": id(message) in urgent_in,
                },
            )
    for alarm, message in alarms:
        alarm["message_id"] = message.pk
    live.publish_many(
        unit,
        [{**event, **_message_event(m)} if m is not None else event for m, _, event in stored],
    )
    if duty is not None:
        _urgent_assign(unit, list(urgent_conversations.values()), duty[1])
    return left


def _conversations_save(conversations: list[Conversation]) -> None:
    """Write what a batch changed in each conversation (the rows are locked by the batch)."""
    fields = [
        "last_message_at",
        "last_incoming_at",
        "unread_count",
        "status",
        "resolved_at",
        "is_urgent",
    ]
    if connection.vendor != "postgresql" or len(conversations) == 1:
        for c in conversations:
            Conversation.objects.filter(pk=c.pk).update(**{f: getattr(c, f) for f in fields})
        return
    table = Conversation._meta.db_table
    rows = ", ".join(
        ["(%s::bigint, %s::timestamptz, %s::integer, %s, %s::timestamptz, %s::boolean)"]
        * len(conversations)
    )
    params = []
    for c in conversations:
        params += [c.pk, c.last_message_at, c.unread_count, c.status, c.resolved_at, c.is_urgent]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET last_message_at = v.at, last_incoming_at = v.at, "  # noqa: S608
            "unread_count = v.unread, status = v.status, resolved_at = v.resolved, "
            "is_urgent = v.urgent "
            f"FROM (VALUES {rows}) AS v(id, at, unread, status, resolved, urgent) "
            "WHERE c.id = v.id",
            params,
        )


def _self_service_answer(text: str) -> str:
    from langnghe.procedures.selectors import procedure_answer, procedure_search_assessed

    answer = procedure_answer(text)
    if answer is None:
        # No police procedure fits; a question about another agency's is told where to go.
        try:
            other = procedure_search_assessed(q=text, limit=1).elsewhere
        except ApplicationError:
            return ""
        if other is None:
            return ""
        return (
            "Thông tin tham khảo (tự động): Chúng tôi chưa tìm thấy thủ tục của Công an phù "
            f"hợp với câu hỏi này. Việc này do {other.agency} giải quyết ({other.title}): "
            f"{other.url}"
        )
    return f"Thông tin tham khảo (tự động): {answer.text}"  # its text ends with the link


def _urgent_alert(*, conversation: Conversation, message: Message, urgency) -> None:
    """Answer at once with the right number and alert every officer on duty: the live event
    carries ``urgent`` so each open console plays its alarm, the note names who is on duty
    (the roster), and a conversation nobody holds goes to the officer leading the shift."""
    _automatic_reply(conversation=conversation, text=rules.emergency_reply(urgency))
    on_duty, officer = _on_duty_line(conversation.unit, timezone.now())
    Note.objects.create(
        conversation=conversation,
        text=rules.emergency_note(urgency) + on_duty,
    )
    _event(conversation, "urgent", number=urgency.number, message_id=message.pk)
    _urgent_assign(conversation.unit, [conversation], officer)


def _automatic_reply(*, conversation: Conversation, text: str) -> Message:
    return _reply(conversation=conversation, by=None, text=text, is_automatic=True)


def _reply(*, conversation: Conversation, by, text: str, is_automatic: bool) -> Message:
    now = timezone.now()
    is_web = conversation.channel == ChannelKind.WEB
    message = Message.objects.create(
        conversation=conversation,
        direction=Direction.OUT,
        text=text,
        author=by,
        is_automatic=is_automatic,
        sent_at=now,
        # Web chat: the citizen's page reads the message from us, so it is sent once stored.
        delivery=Delivery.SENT if is_web else Delivery.PENDING,
    )
    if conversation.channel == ChannelKind.ZALO:
        from langnghe.connectors.services import outbound_enqueue

        outbound_enqueue(message=message)
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
    from langnghe.triage.services import triage_correct

    message = conversation.messages.filter(pk=message_id, direction=Direction.IN).first()
    if message is None or not message.text.strip():
        raise NotFound("Không tìm thấy tin nhắn của người dân.", code="message_not_found")
    correction = triage_correct(
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


def _require_desk(by, conversation: Conversation) -> None:
    """An officer's action on a conversation needs a desk role on its unit or above (the rule
    of ``selectors.conversation_for``, checked again where the write happens). ``by=None`` is
    the system (an automatic answer, the roster)."""
    if by is not None and not selectors.can_answer(by, conversation):
        raise PermissionDenied(selectors.DESK_REFUSAL, code="desk_role_required")


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
    from langnghe.cases.services import case_create_from_conversation

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


def case_news_relay(*, conversation_id: int, public_note: str, new_status: str) -> None:
    """Tell the citizen, in the conversation their case came from, that it moved on (the cases
    app announces it after commit; see ``langnghe.cases.events``)."""
    from langnghe.cases.models import Status

    conversation = Conversation.objects.filter(pk=conversation_id).select_related("unit").first()
    if conversation is None or conversation.purged_at is not None:
        return  # deleted by retention: nobody to tell there any more
    text = public_note or f"Vụ việc của bạn đã chuyển sang trạng thái: {Status(new_status).label}."
    with transaction.atomic():
        _automatic_reply(conversation=conversation, text=_clean_text(text))


CANNED_ROLES = {"admin", "supervisor", "editor"}


@transaction.atomic
def canned_reply_create(*, unit, title: str, text: str, by):
    """A saved answer for ``unit`` and the units below it (supervisors, editors, admins)."""
    from langnghe.accounts.selectors import has_role
    from langnghe.core.exceptions import PermissionDenied

    from .models import CannedReply

    if not has_role(by, unit, CANNED_ROLES):
        raise PermissionDenied("Chỉ chỉ huy, biên tập viên hoặc quản trị mới lưu được mẫu trả lời.")
    title = _clean_text(title, limit=100, what="Tên mẫu")
    text = _clean_text(text)
    reply = CannedReply.objects.create(unit=unit, title=title, text=text)
    audit_record(actor=by, action="canned_reply.create", target=reply, unit=unit)
    return reply


@transaction.atomic
def canned_reply_delete(*, reply, by) -> None:
    from langnghe.accounts.selectors import has_role
    from langnghe.core.exceptions import PermissionDenied

    if not has_role(by, reply.unit, CANNED_ROLES):
        raise PermissionDenied("Bạn không xóa được mẫu trả lời này.")
    audit_record(
        actor=by,
        action="canned_reply.delete",
        target=reply,
        unit=reply.unit,
        data={"title": reply.title},
    )
    reply.delete()


DESK_PROFILE_ROLES = ("admin", "supervisor")


@transaction.atomic
def desk_profile_set(*, unit, signature: str, desk_name: str = "", by):
    """How ``unit``'s desk signs its answers on the citizen's chat page: the answering
    officer's name (their full name, never a username) or the desk's name. Commanders and
    administrators of the unit or above."""
    from langnghe.accounts.selectors import has_role

    from .models import DeskProfile, ReplySignature

    if not has_role(by, unit, DESK_PROFILE_ROLES):
        raise PermissionDenied("Chỉ chỉ huy hoặc quản trị của đơn vị mới đổi được cách ký tên.")
    if signature not in ReplySignature.values:
        raise ApplicationError("Cách ký tên không hợp lệ.", code="bad_signature", field="signature")
    desk_name = (desk_name or "").strip()
    if len(desk_name) > 150:
        raise ApplicationError(
            "Tên bộ phận trực ban dài quá 150 ký tự.", code="too_long", field="desk_name"
        )
    profile, _ = DeskProfile.objects.update_or_create(
        unit=unit, defaults={"signature": signature, "desk_name": desk_name}
    )
    audit_record(
        actor=by,
        action="desk_profile.set",
        target=profile,
        unit=unit,
        data={"signature": signature},
    )
    return profile


# --- Duty roster (lịch trực ban) ---------------------------------------------------------------

# Who plans a unit's roster: its commanders and administrators (or those of a unit above it).
ROSTER_ROLES = ("admin", "supervisor")
MAX_SHIFT = dt.timedelta(hours=24)  # the police duty desk's longest shift: one day and night
MAX_AHEAD = dt.timedelta(days=92)  # a quarter ahead at most
MAX_SHIFT_NOTE = 200


def _local_text(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%H:%M %d/%m/%Y}"


def _roster_may_plan(by, unit) -> None:
    from langnghe.accounts.selectors import has_role
    from langnghe.core.exceptions import PermissionDenied

    if not has_role(by, unit, ROSTER_ROLES):
        raise PermissionDenied("Chỉ chỉ huy hoặc quản trị của đơn vị mới lập được lịch trực.")


@transaction.atomic
def duty_shift_create(
    *, unit, officer, starts_at: dt.datetime, ends_at: dt.datetime, is_lead=False, note="", by
):
    """Put ``officer`` on ``unit``'s desk from ``starts_at`` to ``ends_at`` (naive times are the
    local time). Refused, nothing stored: a planner without the role, an officer with no desk
    role on the unit, a shift not after its start, over 24 hours, already over, more than a
    quarter ahead, or overlapping another shift of the same officer (anywhere: one person
    keeps one desk at a time)."""
    from django.contrib.auth import get_user_model

    from langnghe.accounts.selectors import has_role

    from .models import DutyShift
    from .selectors import DESK_ROLES

    _roster_may_plan(by, unit)
    if officer is None or not officer.is_active or not has_role(officer, unit, DESK_ROLES):
        raise ApplicationError(
            "Cán bộ này không trực ban được ở đơn vị: cần vai trò trực ban, chỉ huy hoặc quản "
            "trị của đơn vị hoặc đơn vị cấp trên.",
            code="bad_officer",
            field="officer",
        )
    starts_at, ends_at = (
        t if timezone.is_aware(t) else timezone.make_aware(t) for t in (starts_at, ends_at)
    )
    if ends_at <= starts_at:
        raise ApplicationError(
            "Giờ kết thúc phải sau giờ bắt đầu.", code="bad_times", field="ends_at"
        )
    if ends_at - starts_at > MAX_SHIFT:
        raise ApplicationError(
            "Một ca trực dài tối đa 24 giờ; hãy chia thành nhiều ca.",
            code="shift_too_long",
            field="ends_at",
        )
    now = timezone.now()
    if ends_at <= now:
        raise ApplicationError(
            "Ca trực này đã kết thúc: chỉ lập được ca đang diễn ra hoặc sắp tới.",
            code="shift_past",
            field="ends_at",
        )
    if starts_at > now + MAX_AHEAD:
        raise ApplicationError(
            "Chỉ lập được lịch trực trước tối đa 92 ngày.", code="too_far", field="starts_at"
        )
    note = (note or "").strip()
    if len(note) > MAX_SHIFT_NOTE:
        raise ApplicationError(
            f"Ghi chú dài tối đa {MAX_SHIFT_NOTE} ký tự.", code="too_long", field="note"
        )
    # One planner at a time per officer: two overlapping shifts of the same person cannot both
    # pass the check below.
    get_user_model().objects.select_for_update().filter(pk=officer.pk).first()
    clash = (
        DutyShift.objects.filter(officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("unit")
        .first()
    )
    if clash is not None:
        raise ApplicationError(
            f"{officer} đã có ca trực {_local_text(clash.starts_at)} – "
            f"{_local_text(clash.ends_at)} ở {clash.unit.name}.",
            code="shift_overlap",
            status=409,
            field="starts_at",
        )
    shift = DutyShift.objects.create(
        unit=unit,
        officer=officer,
        starts_at=starts_at,
        ends_at=ends_at,
        is_lead=bool(is_lead),
        note=note,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="duty_shift.create",
        target=shift,
        unit=unit,
        data={
            "officer": officer.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "lead": shift.is_lead,
        },
    )
    return shift


@transaction.atomic
def duty_shift_cancel(*, shift, by) -> str:
    """Take a shift off the roster: one still to come is deleted; one running ends now (the
    part served stays on record); one already over stays as it is (refused). Returns
    "deleted" or "ended"."""
    _roster_may_plan(by, shift.unit)
    now = timezone.now()
    if shift.ends_at <= now:
        raise ApplicationError(
            "Ca trực đã qua được giữ làm hồ sơ, không hủy được.", code="shift_past", status=409
        )
    data = {"officer": shift.officer_id, "starts_at": shift.starts_at.isoformat()}
    if shift.starts_at <= now:
        shift.ends_at = now
        shift.save(update_fields=["ends_at"])
        audit_record(actor=by, action="duty_shift.end", target=shift, unit=shift.unit, data=data)
        return "ended"
    audit_record(actor=by, action="duty_shift.delete", target=shift, unit=shift.unit, data=data)
    shift.delete()
    return "deleted"


def duty_week_copy(*, unit, week_start: dt.date, by) -> tuple[int, int]:
    """Repeat the roster of the seven days before ``week_start`` in the seven days from it: the
    same officers at the same times a week later. A shift that would clash, be over already
    or no longer be allowed is skipped. Returns (copied, skipped). ``week_start`` is a Monday
    of ROSTER_YEARS."""
    from .models import DutyShift
    from .selectors import ROSTER_YEARS

    _roster_may_plan(by, unit)
    if week_start.weekday() != 0 or not ROSTER_YEARS[0] <= week_start.year <= ROSTER_YEARS[1]:
        raise ApplicationError(
            "Tuần nhận lịch phải bắt đầu từ một thứ Hai, từ năm "
            f"{ROSTER_YEARS[0]} đến năm {ROSTER_YEARS[1]}.",
            code="bad_date",
            field="week_start",
        )
    begin = timezone.make_aware(dt.datetime.combine(week_start, dt.time()))
    week = dt.timedelta(days=7)
    copied = skipped = 0
    source = DutyShift.objects.filter(
        unit=unit, starts_at__gte=begin - week, starts_at__lt=begin
    ).select_related("officer")
    for shift in source.order_by("starts_at", "id"):
        try:
            duty_shift_create(
                unit=unit,
                officer=shift.officer,
                starts_at=shift.starts_at + week,
                ends_at=shift.ends_at + week,
                is_lead=shift.is_lead,
                note=shift.note,
                by=by,
            )
        except ApplicationError:
            skipped += 1
        else:
            copied += 1
    return copied, skipped


def _on_duty_line(unit, at) -> tuple[str, object]:
    """The note's line on who is on duty, and the officer an emergency goes to (or None)."""
    from .selectors import roster_now

    staffed, running = roster_now(unit, at)
    if running:
        names = ", ".join(f"{s.officer}{' (trực chính)' if s.is_lead else ''}" for s in running)
        return f" Đang trực: {names}.", running[0].officer
    if staffed is False:
        return " Lịch trực không có ai lúc này: báo ngay chỉ huy đơn vị.", None
    return "", None


def _urgent_assign(unit, conversations: list[Conversation], officer) -> None:
    """``conversation_assign`` for a batch's emergencies: ``unit``'s urgent conversations that
    nobody holds yet go to ``officer`` (on its roster, so within its scope) in one UPDATE — a
    drain batch's statements must not grow with its emergencies — with an audit entry and a live
    event each, as ``conversation_assign`` writes them, marked as the roster's."""
    if officer is None:
        return
    free = [c for c in conversations if c.assignee_id is None]
    if not free:
        return
    taken = set(
        Conversation.objects.filter(pk__in=[c.pk for c in free], assignee__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Conversation.objects.filter(pk__in=taken).update(assignee=officer)
    for conversation in free:
        if conversation.pk not in taken:
            continue
        conversation.assignee, conversation.unit = officer, unit
        audit_record(
            actor=None,
            action="conversation.assign",
            target=conversation,
            unit=unit,
            data={"assignee": officer.pk, "by": "duty_roster"},
        )
        _event(conversation, "assign", assignee=officer.pk)


def desk_move(*, from_unit, to_unit) -> None:
    """A unit that ends hands its desk to its successor: conversations not yet resolved, duty
    shifts not yet over, saved answers. Resolved conversations stay as its history."""
    from .models import CannedReply, DutyShift

    Conversation.objects.filter(unit=from_unit).exclude(status=ConversationStatus.RESOLVED).update(
        unit=to_unit
    )
    DutyShift.objects.filter(unit=from_unit, ends_at__gt=timezone.now()).update(unit=to_unit)
    CannedReply.objects.filter(unit=from_unit).update(unit=to_unit)
