"""What a stored webhook event does: a citizen's message goes to the inbox, a follow or
unfollow to the followers, a delivery or seen receipt to the message's delivery."""

import datetime as dt

from django.utils import timezone

from langnghe.core.exceptions import ApplicationError
from langnghe.inbox import services as inbox
from langnghe.inbox.models import ChannelKind, Delivery, Message

from ..models import Follower, WebhookEvent
from ._common import _unit


def _attachment_text(kind: str, message: dict) -> tuple[str, dict]:
    attachments = message.get("attachments") or []
    payload = attachments[0].get("payload", {}) if attachments else {}
    labels = {
        "image": "Hình ảnh",
        "gif": "Ảnh động",
        "file": "Tệp",
        "sticker": "Nhãn dán",
        "link": "Liên kết",
        "location": "Vị trí",
        "audio": "Ghi âm",
        "video": "Video",
        "business_card": "Danh thiếp",
    }
    label = labels.get(kind, kind)
    detail = ""
    if kind == "location" and isinstance(payload.get("coordinates"), dict):
        c = payload["coordinates"]
        detail = f"{c.get('latitude')}, {c.get('longitude')}"
    elif payload.get("name"):
        detail = str(payload["name"])
    elif payload.get("url"):
        detail = str(payload["url"])
    text = (message.get("text") or "").strip()
    summary = f"[{label}{': ' + detail if detail else ''}]"
    return (f"{text}\n{summary}" if text else summary), {"attachments": attachments}


def _ms(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _follower_touch(unit, user_id: str, *, at, following: bool | None = None) -> None:
    """Record an interaction (and a follow or unfollow) in one upsert on (unit, user_id)."""
    follower = Follower(unit=unit, user_id=user_id, last_interaction_at=at)
    changed = ["last_interaction_at"]
    if following is True:
        follower.is_following, follower.followed_at = True, at
        changed += ["is_following", "followed_at"]
    elif following is False:
        follower.is_following, follower.unfollowed_at = False, at
        changed += ["is_following", "unfollowed_at"]
    Follower.objects.bulk_create(
        [follower], update_conflicts=True, unique_fields=["unit", "user_id"], update_fields=changed
    )


def _is_message(event: dict) -> bool:
    name = str(event.get("event_name", ""))
    return name.startswith("user_send_") and "_group_" not in name


def _incoming(event: dict) -> inbox.Incoming:
    """A citizen's message event (``_is_message``) as the inbox takes it."""
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    user_id = str(sender.get("id", ""))
    if not user_id:
        raise ApplicationError("Sự kiện thiếu người gửi.", code="bad_event")
    kind = str(event.get("event_name", "")).removeprefix("user_send_")
    if kind == "text":
        text, payload = str(message.get("text", "")), {}
    else:
        text, payload = _attachment_text(kind, message)
    return inbox.Incoming(
        external_id=user_id,
        text=text,
        kind=kind,
        payload=payload,
        external_message_id=str(message.get("msg_id", ""))[:100],
        sent_at=_ms(event.get("timestamp")) or timezone.now(),
    )


def _messages_in_bulk(unit_id: int, batch: list[tuple[WebhookEvent, dict]]) -> list[WebhookEvent]:
    """The citizens' messages of one unit's events in a drain batch, through the inbox's bulk
    path; returns the events it processed (those it left go one by one)."""
    unit = _unit(unit_id)
    pairs = []
    for stored, event in batch:
        try:
            pairs.append((stored, _incoming(event)))
        except ApplicationError:
            continue  # a malformed event: failed with its message, one by one
    items = [item for _, item in pairs]
    left = set(inbox.messages_receive(unit=unit, channel=ChannelKind.ZALO, items=items))
    handled = [(stored, item) for i, (stored, item) in enumerate(pairs) if i not in left]
    latest = {item.external_id: item.sent_at for _, item in handled}  # the last one wins
    if latest:
        Follower.objects.bulk_create(
            [Follower(unit=unit, user_id=u, last_interaction_at=at) for u, at in latest.items()],
            update_conflicts=True,
            unique_fields=["unit", "user_id"],
            update_fields=["last_interaction_at"],
        )
    for stored, _ in handled:
        stored.status, stored.error = WebhookEvent.Status.PROCESSED, ""
    return [stored for stored, _ in handled]


def _dispatch(unit, event: dict) -> bool:
    name = str(event.get("event_name", ""))
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    at = _ms(event.get("timestamp")) or timezone.now()
    if _is_message(event):
        item = _incoming(event)
        _follower_touch(unit, item.external_id, at=item.sent_at)
        inbox.incoming_receive(unit=unit, channel=ChannelKind.ZALO, item=item)
        return True
    if name in ("follow", "unfollow"):
        follower = event.get("follower") if isinstance(event.get("follower"), dict) else {}
        user_id = str(follower.get("id", ""))
        if not user_id:
            raise ApplicationError("Sự kiện thiếu người quan tâm.", code="bad_event")
        _follower_touch(unit, user_id, at=at, following=name == "follow")
        return True
    if name in ("user_received_message", "user_seen_message"):
        ids = message.get("msg_ids") or ([message["msg_id"]] if message.get("msg_id") else [])
        delivery = Delivery.DELIVERED if name == "user_received_message" else Delivery.SEEN
        for msg in Message.objects.filter(
            conversation__unit=unit,
            conversation__channel=ChannelKind.ZALO,
            direction="out",
            external_id__in=[str(i) for i in ids][:100],
        ):
            inbox.message_delivery_set(message=msg, delivery=delivery)
        return True
    if name == "user_submit_info":
        user_id = str(sender.get("id", ""))
        info = event.get("info") if isinstance(event.get("info"), dict) else {}
        conversation = inbox.conversation_open(
            unit=unit, channel=ChannelKind.ZALO, external_id=user_id
        )
        inbox.citizen_info_set(
            conversation=conversation,
            name=str(info.get("name", "")),
            phone=str(info.get("phone", "")),
        )
        return True
    return False  # oa_send_* echoes, tags, group events…: stored, not acted on
