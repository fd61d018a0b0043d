"""Citizens' messages arriving, one at a time or a unit's batch at once: stored, triaged,
answered automatically out of hours or in an emergency, told to the officers' screens."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.core.sql import insert_ignore_many, insert_many
from langnghe.procedures import selectors as procedure_selectors
from langnghe.triage.selectors import triage_text

from .. import channels, live, rules
from ..models import (
    ChannelKind,
    Conversation,
    ConversationStatus,
    Delivery,
    Direction,
    Message,
    Note,
)
from ._common import _clean_text, _event, _event_payload, _message_event
from .conversations import _identity_merge, _opened
from .roster import _on_duty_line

# At most one out-of-hours auto-reply per conversation in this period (avoid answering every
# message of a burst).
AUTO_REPLY_QUIET = dt.timedelta(hours=6)


@dataclass
class Incoming:
    """A citizen's message as a channel delivered it, for ``messages_receive``. The citizen's
    name and phone (web chat asks for them) are sealed into the conversation; ``is_anonymous``
    holds for a conversation this message opens."""

    external_id: str  # the citizen on the channel
    text: str
    kind: str = "text"
    payload: dict = field(default_factory=dict)
    external_message_id: str = ""
    sent_at: dt.datetime | None = None
    citizen_name: str = ""
    citizen_phone: str = ""
    is_anonymous: bool = False


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
    least once): a message delivered twice returns the stored one. Reopens a resolved
    conversation, answers emergencies and out-of-hours messages automatically, and tells the
    officers' screens — ``messages_receive`` of this one message, refused with an error where
    the batch would leave it."""
    item = Incoming(
        external_id=external_id,
        text=text,
        kind=kind,
        payload=payload or {},
        external_message_id=external_message_id,
        sent_at=sent_at,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        is_anonymous=is_anonymous,
    )
    if not (text or "").strip() and not payload:
        raise ApplicationError("Tin nhắn trống.", code="empty", field="text")
    if channel not in ChannelKind.values:
        raise ApplicationError("Kênh không hợp lệ.", code="bad_channel")
    left, received = _receive(unit=unit, channel=channel, items=[item])
    if left:  # the only other thing the batch leaves
        raise ApplicationError("Thiếu mã người dân trên kênh.", code="bad_external_id")
    if received[0] is not None:
        return received[0]
    return Message.objects.filter(  # delivered twice: the stored one
        conversation__unit=unit,
        conversation__channel=channel,
        conversation__external_id=item.external_id.strip(),
        external_id=external_message_id,
    ).first()


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
        citizen_name=item.citizen_name,
        citizen_phone=item.citizen_phone,
        is_anonymous=item.is_anonymous,
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
    left for ``message_receive`` (which refuses them with the error they deserve)."""
    return _receive(unit=unit, channel=channel, items=items)[0]


def _receive(
    *, unit, channel: str, items: list[Incoming]
) -> tuple[list[int], list[Message | None]]:
    """The receiving of ``messages_receive`` and ``message_receive``: (the indexes of ``items``
    left, each item's stored message — None for one left or delivered twice)."""
    now = timezone.now()
    received: list[Message | None] = [None] * len(items)
    keys, prepared, left_keys = [], [], set()
    for index, item in enumerate(items):
        key = (item.external_id or "").strip()
        text = (item.text or "").strip()[: Message.MAX_TEXT * 2]
        triage = triage_text(text) if text else None
        urgency = rules.classify_urgency(text, triage=triage) if triage else None
        if not key or len(key) > 100 or (not text and not item.payload):
            left_keys.add(key)
        prepared.append((index, item, key, text, triage, urgency))
        keys.append(key)
    left = [i for i, key in enumerate(keys) if key in left_keys]
    work = [p for p in prepared if p[2] not in left_keys]
    if not work:
        return left, received
    if channel not in ChannelKind.values:
        raise ApplicationError("Kênh không hợp lệ.", code="bad_channel")
    sender = channels.channel_for(channel)
    wanted = sorted({p[2] for p in work})
    anonymous = {}  # a conversation the batch opens is anonymous as its first message asks
    for _index, item, key, *_ in reversed(work):
        anonymous[key] = item.is_anonymous
    found = {
        c.external_id: c
        for c in Conversation.objects.select_for_update()
        .filter(unit=unit, channel=channel, external_id__in=wanted)
        .order_by("pk")
    }
    missing = [key for key in wanted if key not in found]
    if missing:
        new = [
            Conversation(unit=unit, channel=channel, external_id=key, is_anonymous=anonymous[key])
            for key in missing
        ]
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
    message_ids = [p[1].external_message_id for p in work if p[1].external_message_id]
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
    # In order, each with the screens' event as the conversation stood after it (an alarm has
    # no message of its own).
    stored: list[tuple[Message | None, Conversation, dict]] = []
    changed: set[int] = set()
    identified: set[int] = set()  # the conversations whose citizen's identity was sealed
    notes: list[Note] = []
    alarms: list[tuple[dict, Message]] = []  # each alarm's event names its message, once stored
    urgent_in: set[int] = set()  # the emergencies among the batch's messages (by object)
    urgent_conversations: dict[int, Conversation] = {}
    duty = None  # (the note's on-duty line, the officer an emergency goes to), when needed
    for index, item, key, text, triage, urgency in work:
        conversation = found[key]
        if item.external_message_id:
            if (conversation.pk, item.external_message_id) in seen:
                continue  # delivered twice: already stored, nothing changes
            seen.add((conversation.pk, item.external_message_id))
        if _identity_merge(conversation, name=item.citizen_name, phone=item.citizen_phone):
            identified.add(conversation.pk)
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
        received[index] = message
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
                delivery=sender.stored_delivery,
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
            delivery=sender.stored_delivery,
        )
        stored.append((answer, conversation, _event_payload(conversation, "message")))
    if not stored:
        return left, received
    messages = [m for m, _, _ in stored if m is not None]
    insert_many(messages)
    answers = [m for m in messages if m.direction == Direction.OUT]
    if answers:
        sender.send_many(answers)
    if notes:
        insert_many(notes)
    _conversations_save([conversations[pk] for pk in sorted(changed)])
    for pk in sorted(identified):
        c = conversations[pk]
        Conversation.objects.filter(pk=pk).update(
            identity_sealed=c.identity_sealed, has_identity=c.has_identity
        )
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
    return left, received


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
    answer = procedure_selectors.procedure_answer(text)
    if answer is None:
        # No police procedure fits; a question about another agency's is told where to go.
        try:
            other = procedure_selectors.procedure_search_assessed(q=text, limit=1).elsewhere
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
