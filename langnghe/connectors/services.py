"""Every write of the Zalo connector: connecting an OA, receiving webhook events, the outbox.

Inbound: the webhook stores the raw event (unique per unit and msg_id) before answering 200,
then a task processes it once. Outbound: an officer's reply becomes an OutboundMessage row in
the same transaction; a task (or ``langnghe outbox_run``) sends due rows with backoff.
"""

import datetime as dt
import hashlib
import logging
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from langnghe.audit.services import audit_batch, audit_record
from langnghe.cases import crypto
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.memo import ProcessMemo
from langnghe.core.sql import insert_ignore, insert_many, update_many
from langnghe.core.text import json_loads_clean
from langnghe.inbox import services as inbox
from langnghe.inbox.models import ChannelKind, Delivery, Message
from langnghe.units.models import Unit

from . import zalo
from .models import Follower, OutboundMessage, WebhookEvent, ZaloConnection

log = logging.getLogger(__name__)

# A signed event older than this is refused (replay). Zalo retries a failed delivery for up to
# about 2 h (30 s … 1 h ladder, reference §1), so the window must cover the ladder. [U]
WEBHOOK_MAX_AGE = dt.timedelta(hours=3)
WEBHOOK_MAX_SKEW = dt.timedelta(minutes=5)
MAX_WEBHOOK_BODY = 256 * 1024

# Zalo's rate limit is 4,000 requests/minute per OA (reference §2); keep a margin.
RATE_PER_MINUTE = 3800
RATE_RESERVE = 25  # sends a batch takes from the minute's budget at a time
MAX_ATTEMPTS = 10
BACKOFF_BASE = 30  # seconds; doubles each attempt
BACKOFF_CAP = 3600
TOKEN_REFRESH_MARGIN = dt.timedelta(minutes=10)

NOT_FOLLOWER_NOTE = (
    "Người dân chưa quan tâm (follow) Zalo OA của đơn vị nên không nhận được tin. "
    "Hãy gọi lại theo số điện thoại nếu có, hoặc đề nghị người dân quan tâm OA."
)
WINDOW_NOTE = (
    "Đã quá thời hạn được trả lời qua Zalo (người dân không tương tác trong 7 ngày). "
    "Hãy liên hệ qua điện thoại, hoặc chờ người dân nhắn lại."
)


# --- Connecting an OA ------------------------------------------------------------------------


def sandbox_address(address: str, *, field: str | None = None) -> str:
    """The address to use instead of Zalo's hosts, or "" for Zalo's own. Another address (the
    simulator) is accepted only when the operator declared a sandbox (LANGNGHE_ZALO_SANDBOX=1):
    otherwise the app secret and every token would go to whoever that address names."""
    address = (address or "").strip().rstrip("/")
    if not address or address in (zalo.API_BASE, zalo.OAUTH_BASE):
        return ""
    if not zalo.sandbox():
        raise ApplicationError(
            "Chỉ kết nối được với máy chủ Zalo chính thức. Địa chỉ khác (trình giả lập) chỉ dùng "
            "được khi máy chủ chạy ở chế độ thử nghiệm (LANGNGHE_ZALO_SANDBOX=1).",
            code="zalo_address",
            field=field,
        )
    if not zalo.address_allowed(address):
        raise ApplicationError(
            "Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https://.", code="bad_url", field=field
        )
    return address


@transaction.atomic
def zalo_connect(
    *,
    unit: Unit,
    app_id: str,
    oa_id: str,
    secret_key: str,
    access_token: str,
    refresh_token: str,
    app_secret: str = "",
    api_base: str = "",
    expires_in: int = 90000,
    by=None,
) -> ZaloConnection:
    """Connect (or reconnect) a unit's OA; secrets are sealed before they touch the database.
    ``api_base`` points both the Open API and OAuth at one host (the simulator), only in a
    declared sandbox (``sandbox_address``); empty means Zalo's own hosts."""
    for name, value in (("app_id", app_id), ("oa_id", oa_id), ("secret_key", secret_key)):
        if not (value or "").strip():
            raise ApplicationError(f"Thiếu {name}.", code="missing", field=name)
    api_base = sandbox_address(api_base)
    connection = ZaloConnection.objects.filter(unit=unit).first() or ZaloConnection(unit=unit)
    connection.app_id = app_id.strip()
    connection.oa_id = oa_id.strip()
    connection.set_secret("secret_key", secret_key.strip())
    connection.set_secret("app_secret", (app_secret or secret_key).strip())
    connection.set_secret("access_token", (access_token or "").strip())
    connection.set_secret("refresh_token", (refresh_token or "").strip())
    connection.access_token_expires_at = timezone.now() + dt.timedelta(seconds=expires_in)
    # Always written: reconnecting to Zalo itself drops an earlier simulator address.
    connection.api_base = api_base or zalo.API_BASE
    connection.oauth_base = api_base or zalo.OAUTH_BASE
    connection.is_active = True
    connection.save()
    _webhook_connections.clear()  # now, and again once committed (a request in between)
    _units.clear()
    _outbox_connections.clear()
    transaction.on_commit(_webhook_connections.clear)
    audit_record(
        actor=by,
        action="zalo.connect",
        target=connection,
        unit=unit,
        data={"oa_id": connection.oa_id, "app_id": connection.app_id},
    )
    return connection


# --- Webhook ---------------------------------------------------------------------------------


def _event_key(event: dict, body: bytes) -> str:
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    name = str(event.get("event_name", ""))[:40]
    if message.get("msg_id"):
        return f"{name}:{str(message['msg_id'])[:70]}"
    return f"{name}:{hashlib.sha256(body).hexdigest()[:64]}"


# A unit's webhook connection (unit id, app id, unsealed secret), kept per process for
# CONNECTION_TTL seconds: an event then costs no query and no unsealing to check. A reconnect
# (zalo_connect) reaches this process at once and the others within the TTL, as does a connection
# switched off in the admin.
CONNECTION_TTL = 10.0
_webhook_connections = ProcessMemo(CONNECTION_TTL)


def _webhook_connection(unit_code: str) -> tuple[int, str, str]:
    def load():
        connection = ZaloConnection.objects.filter(unit__code=unit_code, is_active=True).first()
        if connection is None:
            raise NotFound("Đơn vị chưa kết nối Zalo OA.", code="not_connected")
        return connection.unit_id, connection.app_id, connection.secret("secret_key")

    return _webhook_connections.get(unit_code, load)


def webhook_receive(*, unit_code: str, body: bytes, signature: str, now=None) -> WebhookEvent:
    """Check and store one webhook delivery. Raises ApplicationError with the HTTP status for
    every refusal (nothing is stored then). A redelivery returns the stored event.

    The intake is one INSERT (a single commit): no task row per event. The workers are woken by
    ``_drain_soon`` and take stored events in batches (``webhook_events_drain``)."""
    unit_id, app_id, secret_key = _webhook_connection(unit_code)
    if len(body) > MAX_WEBHOOK_BODY:
        raise ApplicationError("Sự kiện quá lớn.", code="too_large", status=413)
    try:
        event = json_loads_clean(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApplicationError("Nội dung không phải JSON hợp lệ.", code="bad_json") from exc
    if not isinstance(event, dict):
        raise ApplicationError("Nội dung không phải JSON hợp lệ.", code="bad_json")
    timestamp = str(event.get("timestamp", ""))
    if not zalo.signature_valid(
        signature, app_id=app_id, body=body, timestamp=timestamp, secret_key=secret_key
    ):
        log.warning("zalo webhook: bad signature for unit %s", unit_code)
        raise ApplicationError("Chữ ký không hợp lệ.", code="bad_signature", status=401)
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp) / 1000, tz=dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ApplicationError("Thiếu thời điểm sự kiện.", code="bad_timestamp") from exc
    now = now or timezone.now()
    if sent < now - WEBHOOK_MAX_AGE or sent > now + WEBHOOK_MAX_SKEW:
        raise ApplicationError("Sự kiện đã quá hạn.", code="stale", status=401)
    key = _event_key(event, body)
    stored = WebhookEvent(
        unit_id=unit_id,
        event_name=str(event.get("event_name", ""))[:60],
        event_key=key,
        body_sealed=crypto.seal(body.decode(), context=f"webhook:{unit_id}:{key}"),
        received_at=now,
    )
    if insert_ignore(stored, prepared=True) is None:  # Zalo's redelivery of an event we have
        return WebhookEvent.objects.get(unit_id=unit_id, event_key=key)
    _drain_soon()
    return stored


# Waking the workers: one drain task at a time, flagged in the shared cache. The web process
# asks (SET NX) on an event unless it asked a moment ago (``_drain_soon``); a running drain
# holds the flag and lingers DRAIN_LINGER seconds after its last event, then drops the flag and
# looks once more, so an event stored while the flag was held is always seen by the drain that
# held it (the drain renews the flag while it works). The web process sets the flag for no
# longer than a drain lingers: without a shared cache (`make run`: the worker cannot see the web
# process's flag) an event that found the flag set came less than a linger after the event that
# queued a drain, and that drain — or the one that took its event — is still looking.
DRAIN_FLAG = "connectors:webhook-drain"
# Events per transaction: one commit and one audit append for all of them, yet short enough
# that an officer replying in a conversation the batch holds waits a fraction of a second (a
# batch of 100 takes about 0.1 s of a worker). A batch's own statements (about twenty, whatever
# its size) weigh on each event less the more events share them: `bench/cpu.py drain 3000`,
# per event, this process + its PostgreSQL backend, two alternating runs each: 25 a batch
# 1.06–1.11 + 0.34–0.36 ms, 50 0.89–0.91 + 0.24–0.25 ms, 100 0.75–0.80 + 0.26–0.28 ms.
DRAIN_BATCH = 100


def _drain_linger() -> float:
    return getattr(settings, "LANGNGHE_WEBHOOK_DRAIN_LINGER", 2.0)


def _drain_soon() -> None:
    """Wake a drain unless one is running or queued (called once the event is stored). A
    process that set or found the flag less than a quarter of a linger ago does not ask again:
    the drain holding it takes that earlier event no sooner than it was stored, then lingers a
    whole linger after the last event it takes, so it is still looking when this one is."""
    linger = _drain_linger()
    now = time.monotonic()
    if now - _flag_seen[0] < linger / 4:
        return
    _flag_seen[0] = now
    if cache.add(DRAIN_FLAG, 1, max(1, int(linger))):
        from .tasks import webhook_events_drain_task

        transaction.on_commit(webhook_events_drain_task.enqueue)


_flag_seen = [float("-inf")]  # when this process last set or found the drain's flag


def _drain_batch(limit: int = DRAIN_BATCH) -> int:
    """Process up to ``limit`` of the oldest received events nobody else holds, in one
    transaction; returns how many were taken.

    The rows stay locked until the commit, so two workers never take the same event (SKIP
    LOCKED on PostgreSQL). The citizens' messages go first, each unit's in bulk
    (``_messages_in_bulk``, in a savepoint: if it fails, its events go one by one); the rest
    run one by one, each in its own savepoint: one that fails is marked failed and the others
    stand. The batch's audit entries join the chain together at the end
    (audit.services.audit_batch): one commit and one turn of the chain's lock per batch, and
    two workers' batches run side by side. Two batches that lock the same two conversations in
    opposite order deadlock; PostgreSQL breaks the cycle by failing one statement, whose event
    (and any later one from the same sender in that batch, to keep their order) is left for
    the next batch rather than failed."""
    with transaction.atomic(), audit_batch() as entries:
        events = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(status=WebhookEvent.Status.RECEIVED)
            .order_by("id")[:limit]
        )
        held_back: set[str] = set()
        done: list[WebhookEvent] = []  # their new status is written together at the end
        parsed: list[tuple[WebhookEvent, dict | None]] = []
        for stored in events:
            try:
                event = json_loads_clean(stored.body())
            except (ValueError, TypeError):
                event = None
            parsed.append((stored, event if isinstance(event, dict) else None))
        # Citizens' messages first, a unit's at a time in bulk (inbox.messages_receive); what
        # that leaves, and every other event, one by one below. A bulk step that fails is rolled
        # back and its events go one by one too.
        by_unit: dict[int, list[tuple[WebhookEvent, dict]]] = {}
        for stored, event in parsed:
            if event is not None and stored.status == WebhookEvent.Status.RECEIVED:
                if _is_message(event):
                    by_unit.setdefault(stored.unit_id, []).append((stored, event))
        in_bulk: set[int] = set()
        for unit_id, batch in by_unit.items():
            mark = len(entries)
            try:
                with transaction.atomic():
                    handled = _messages_in_bulk(unit_id, batch)
            except Exception:  # noqa: BLE001 — retried one by one, where failures are kept
                del entries[mark:]
                log.warning("zalo webhook: bulk step failed, one by one", exc_info=True)
                continue
            done += handled
            in_bulk.update(stored.pk for stored in handled)
        for stored, event in parsed:
            if stored.pk in in_bulk:
                continue
            sender = _sender(event) if event is not None else ""
            if sender and sender in held_back:
                continue
            mark = len(entries)
            try:
                with transaction.atomic():
                    _event_process_locked(stored, event=event, save=False)
                done.append(stored)
            except DatabaseError as exc:
                del entries[mark:]
                if getattr(exc.__cause__, "sqlstate", None) not in LOCK_CONFLICTS:
                    _event_failed(stored)
                elif sender:
                    held_back.add(sender)
            except Exception:  # noqa: BLE001 — one bad event must not hold back the others
                del entries[mark:]
                _event_failed(stored)
        _statuses_save(done)
    return len(events)


def _statuses_save(events: list[WebhookEvent]) -> None:
    """One UPDATE per outcome (most batches: one), stamped with the batch's end."""
    outcomes: dict[tuple[str, str], list[int]] = {}
    for stored in events:
        outcomes.setdefault((stored.status, stored.error), []).append(stored.pk)
    now = timezone.now()
    for (status, error), ids in outcomes.items():
        WebhookEvent.objects.filter(pk__in=ids).update(status=status, error=error, processed_at=now)


# Lock conflicts between two workers' batches: the event waits for the next batch.
LOCK_CONFLICTS = {"40P01", "55P03"}  # deadlock_detected, lock_not_available


def _sender(event: dict) -> str:
    for key in ("sender", "follower"):
        if isinstance(event.get(key), dict) and event[key].get("id"):
            return str(event[key]["id"])
    return ""


def _event_failed(stored: WebhookEvent) -> None:
    log.exception("zalo webhook: event %s failed", stored.pk)
    WebhookEvent.objects.filter(pk=stored.pk).update(
        status=WebhookEvent.Status.FAILED,
        error="Lỗi hệ thống khi xử lý sự kiện.",
        processed_at=timezone.now(),
    )


# A drain task hands over to a fresh one after this long, so a worker asked to stop (SIGTERM:
# it finishes the task in hand) stops within seconds even with a long queue.
DRAIN_MAX_SECONDS = 10.0


def webhook_events_drain(*, linger: float | None = None) -> int:
    """Process stored events until none has come for ``linger`` seconds; returns how many."""
    linger = _drain_linger() if linger is None else linger
    done, started = 0, time.monotonic()
    idle_since = started
    while True:
        cache.set(DRAIN_FLAG, 1, int(linger) + 1)  # still running
        taken = _drain_batch()
        done += taken
        if taken and time.monotonic() - started > DRAIN_MAX_SECONDS:
            from .tasks import webhook_events_drain_task

            webhook_events_drain_task.enqueue()  # the flag stays set for the next drain
            return done
        if taken:
            idle_since = time.monotonic()
            continue
        # Linger only after work: a drain queued while another one ran finds nothing and ends
        # at once (with the same last look), instead of idling a worker.
        if done and time.monotonic() - idle_since < linger:
            time.sleep(0.05)
            continue
        cache.delete(DRAIN_FLAG)
        taken = _drain_batch()  # an event stored while the flag was still held
        done += taken
        if not taken:
            return done
        idle_since = time.monotonic()


def webhook_event_process(*, event_id: int) -> str:
    """Process a stored event once (a second call sees it processed and does nothing)."""
    with transaction.atomic():
        stored = WebhookEvent.objects.select_for_update().filter(pk=event_id).first()
        if stored is None:
            return "skipped"
        return _event_process_locked(stored)


def _event_process_locked(
    stored: WebhookEvent, *, event: dict | None = None, save: bool = True
) -> str:
    if stored.status != WebhookEvent.Status.RECEIVED:
        return "skipped"
    if event is None:
        event = json_loads_clean(stored.body())
    unit = _unit(stored.unit_id)
    try:
        handled = _dispatch(unit, event)
    except ApplicationError as exc:
        stored.status, stored.error = WebhookEvent.Status.FAILED, exc.message[:300]
    else:
        stored.status = WebhookEvent.Status.PROCESSED if handled else WebhookEvent.Status.IGNORED
    stored.processed_at = timezone.now()
    if save:
        stored.save(update_fields=["status", "error", "processed_at"])
    return stored.status


_units = ProcessMemo(CONNECTION_TTL)
# The active connection of a unit that answers on Zalo (its id, for the outbox rows), kept as
# the webhook's: a reconnect shows at once here, a connection switched off within the TTL.
_outbox_connections = ProcessMemo(CONNECTION_TTL)


def _unit(unit_id: int) -> Unit:
    """The event's unit, kept per process for CONNECTION_TTL seconds (a burst is for a few)."""
    return _units.get(unit_id, lambda: Unit.objects.get(pk=unit_id))


# A stored event still "received" this long after arrival was missed by the drains (a worker
# died mid-batch, the flag was lost with Redis): the periodic sweep processes it.
SWEEP_AFTER = dt.timedelta(seconds=60)


def webhook_events_sweep(*, now=None, limit: int = 500) -> int:
    """Process stored events that no drain took. Idempotent: processing skips done events."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    ids = list(
        WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED, received_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for event_id in ids:
        webhook_event_process(event_id=event_id)
    return len(ids)


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


# --- Outbox ----------------------------------------------------------------------------------


def outbound_enqueue(*, message: Message) -> OutboundMessage:
    """Called inside the reply's transaction: the row commits with the message or not at all;
    the send task is queued after commit."""
    return outbound_enqueue_many([message])[0]


def outbound_enqueue_many(messages: list[Message]) -> list[OutboundMessage]:
    """``outbound_enqueue`` for several messages of one unit (a drain batch's automatic
    answers, inbox.messages_receive): one read of the connection, one insert, one send task."""
    if not messages:
        return []
    unit_id = messages[0].conversation.unit_id
    connection_id = _outbox_connections.get(
        unit_id,
        lambda: (
            ZaloConnection.objects.filter(unit_id=unit_id, is_active=True)
            .values_list("pk", flat=True)
            .first()
        ),
    )
    if connection_id is None:
        raise ApplicationError(
            "Đơn vị chưa kết nối Zalo OA, không gửi được tin.", code="not_connected", status=409
        )
    now = timezone.now()
    rows = insert_many(
        [
            OutboundMessage(
                connection_id=connection_id,
                message=message,
                recipient_user_id=message.conversation.external_id,
                payload={"text": message.text},
                next_attempt_at=now,
            )
            for message in messages
        ]
    )
    from .tasks import outbound_send_many_task

    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: outbound_send_many_task.enqueue(ids))
    return rows


def _backoff(attempts: int, base: int | None = None) -> dt.timedelta:
    """The wait before the next attempt, which is also the lease of a claimed row: a worker
    that dies mid-send leaves the row to be retried after it. LANGNGHE_OUTBOX_BACKOFF_BASE
    shortens it (tests)."""
    if base is None:
        base = getattr(settings, "LANGNGHE_OUTBOX_BACKOFF_BASE", BACKOFF_BASE)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), BACKOFF_CAP))


def _rate_allows(connection: ZaloConnection, now) -> bool:
    """Whether one more send fits in this minute's budget of the connection (counted in the
    cache, across processes). A batch of sends reserves RATE_RESERVE at a time and gives back
    what it did not use at its end: three cache round trips per reservation instead of per
    send."""
    key = f"zalo-rate:{connection.pk}:{now.strftime('%Y%m%d%H%M')}"
    reserved = getattr(_sending, "reserved", None)
    if reserved is not None and reserved.get(key, 0) > 0:
        reserved[key] -= 1
        return True
    ask = RATE_RESERVE if reserved is not None else 1
    cache.add(key, 0, timeout=90)
    try:
        total = cache.incr(key, ask)
    except ValueError:
        return True
    granted = max(0, min(ask, RATE_PER_MINUTE - (total - ask)))
    if reserved is not None:
        reserved[key] = max(0, granted - 1)
        if granted < ask:  # the budget is spent: what was over it is given back at once
            _rate_give_back(key, ask - granted)
    return granted > 0


def _rate_give_back(key: str, n: int) -> None:
    if n > 0:
        try:
            cache.decr(key, n)
        except ValueError:  # the minute's key has expired: nothing to give back
            pass


def _claim(outbound_id: int, now) -> OutboundMessage | None:
    """Take a due row: one attempt more, and a lease (the next attempt time) so a worker that
    dies mid-send leaves a row that is simply retried later. SKIP LOCKED on PostgreSQL."""
    with transaction.atomic():
        row = (
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=outbound_id, status=OutboundMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + _backoff(row.attempts)
        row.save(update_fields=["attempts", "next_attempt_at"])
        return row


# The fields a send's outcome writes (and, for a retry, its time).
FINISH_FIELDS = ["status", "last_error_code", "last_error", "zalo_message_id", "sent_at"]


def _finish(row: OutboundMessage, *, status: str, code=None, error="", delivery="", note=""):
    row.status = status
    row.last_error_code = code
    row.last_error = (error or "")[:300]
    retries = getattr(_sending, "retries", None)
    if status == OutboundMessage.Status.PENDING and retries is not None:
        retries.append(row)  # a batch of sends: saved and queued together at its end
        return
    with transaction.atomic():
        fields = FINISH_FIELDS
        if status == OutboundMessage.Status.PENDING:
            fields = [*FINISH_FIELDS, "next_attempt_at"]
        row.save(update_fields=fields)
        if row.message_id and delivery:
            message = Message.objects.get(pk=row.message_id)
            if row.zalo_message_id and not message.external_id:
                Message.objects.filter(pk=message.pk).update(external_id=row.zalo_message_id)
            inbox.message_delivery_set(message=message, delivery=delivery, note=note)
        if status == OutboundMessage.Status.PENDING:
            from .tasks import outbound_send_task

            transaction.on_commit(lambda: _enqueue_later(outbound_send_task, row))


def _enqueue_later(task, row: OutboundMessage) -> None:
    """Queue the retry for its time when the task backend can defer; otherwise the periodic
    ``outbox_run`` picks it up."""
    if getattr(task.get_backend(), "supports_defer", False):
        task.using(run_after=row.next_attempt_at).enqueue(row.pk)


def outbound_send(*, outbound_id: int, now=None) -> str:
    """One attempt to send a due outbox row. Returns the row's status afterwards, or "skipped"
    when it was not due or another worker holds it."""
    now = now or timezone.now()
    row = _claim(outbound_id, now)
    if row is None:
        return "skipped"
    return _send_claimed(row, now)


def _claim_many(outbound_ids: list[int], now) -> list[OutboundMessage]:
    """``_claim`` for a batch: the due rows among ``outbound_ids`` that nobody else holds, in
    the order given, each with one attempt more and its lease — one read and one write."""
    with transaction.atomic():
        rows = {
            row.pk: row
            for row in OutboundMessage.objects.select_for_update(skip_locked=True).filter(
                pk__in=outbound_ids,
                status=OutboundMessage.Status.PENDING,
                next_attempt_at__lte=now,
            )
        }
        for row in rows.values():
            row.attempts += 1
            row.next_attempt_at = now + _backoff(row.attempts)
        update_many(list(rows.values()), ["attempts", "next_attempt_at"])
    return [rows[pk] for pk in dict.fromkeys(outbound_ids) if pk in rows]


def _send_claimed(row: OutboundMessage, now) -> str:
    connection = _send_connection(row.connection_id)
    if not _rate_allows(connection, now):
        row.attempts -= 1  # not Zalo's fault: do not count it
        row.next_attempt_at = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        OutboundMessage.objects.filter(pk=row.pk).update(
            attempts=row.attempts, next_attempt_at=row.next_attempt_at
        )
        return row.status
    if connection.access_token_expires_at and (
        connection.access_token_expires_at < now + TOKEN_REFRESH_MARGIN
    ):
        try:
            connection = _send_connection_keep(
                token_refresh(
                    connection_id=connection.pk, stale_token=connection.secret("access_token")
                )
            )
        except (ApplicationError, zalo.ZaloUnavailable):
            log.warning("zalo: proactive token refresh failed for %s", connection.pk)
    refreshed = False
    while True:
        token = connection.secret("access_token")
        try:
            result = zalo.send_consultation(
                connection.api_base,
                access_token=token,
                user_id=row.recipient_user_id,
                message={"text": row.payload.get("text", "")},
            )
        except zalo.ZaloUnavailable as exc:
            return _retry_or_fail(row, code=None, error=f"Zalo không phản hồi: {exc}")
        code = result.get("error")
        if code == 0:
            data = result.get("data") or {}
            row.zalo_message_id = str(data.get("message_id", ""))[:100]
            row.sent_at = timezone.now()
            _finish(row, status=OutboundMessage.Status.SENT, delivery=Delivery.SENT)
            return row.status
        if code in (zalo.TOKEN_INVALID, zalo.TOKEN_EXPIRED) and not refreshed:
            refreshed = True
            try:
                connection = _send_connection_keep(
                    token_refresh(connection_id=connection.pk, stale_token=token)
                )
            except (ApplicationError, zalo.ZaloUnavailable) as exc:
                return _retry_or_fail(row, code=code, error=f"Không làm mới được mã: {exc}")
            continue
        break
    error = str(result.get("message", ""))[:200]
    if code == zalo.NOT_FOLLOWER:
        _finish(
            row,
            status=OutboundMessage.Status.FAILED,
            code=code,
            error=error,
            delivery=Delivery.FAILED,
            note=NOT_FOLLOWER_NOTE,
        )
    elif code in zalo.OUTSIDE_WINDOW:
        _finish(
            row,
            status=OutboundMessage.Status.FAILED,
            code=code,
            error=error,
            delivery=Delivery.FAILED,
            note=WINDOW_NOTE,
        )
    elif code == zalo.RATE_LIMITED:
        # Zalo asked us to slow down: twice the usual wait.
        row.next_attempt_at = now + _backoff(
            row.attempts, base=2 * settings.LANGNGHE_OUTBOX_BACKOFF_BASE
        )
        return _retry_or_fail(row, code=code, error=error, keep_time=True)
    elif code == zalo.FIELD_INVALID:
        _finish(
            row,
            status=OutboundMessage.Status.FAILED,
            code=code,
            error=error,
            delivery=Delivery.FAILED,
            note=f"Zalo từ chối nội dung tin ({code}: {error}).",
        )
    else:
        return _retry_or_fail(row, code=code, error=error)
    return row.status


def _retry_or_fail(row: OutboundMessage, *, code, error: str, keep_time: bool = False) -> str:
    if row.attempts >= MAX_ATTEMPTS:
        _finish(
            row,
            status=OutboundMessage.Status.FAILED,
            code=code,
            error=error,
            delivery=Delivery.FAILED,
            note=f"Đã thử gửi {row.attempts} lần nhưng không được ({error}).",
        )
    else:
        if not keep_time:
            row.next_attempt_at = timezone.now() + _backoff(row.attempts)
        _finish(row, status=OutboundMessage.Status.PENDING, code=code, error=error)
    return row.status


def outbox_run(*, limit: int = 500, now=None) -> dict:
    """Send every due row (oldest first). For `langnghe outbox_run` and periodic retries."""
    now = now or timezone.now()
    due = list(
        OutboundMessage.objects.filter(
            status=OutboundMessage.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return outbound_send_many(outbound_ids=due, now=now)


def outbound_send_many(*, outbound_ids: list[int], now=None) -> dict:
    """Send rows in the order given (a drain batch's automatic answers, the periodic retries);
    ``{status: how many}``. Each row is sent as ``outbound_send`` sends one, but the batch
    claims its rows in one statement, reads each connection once, and saves the rows to try
    again (Zalo down during an incident: all of them) in one statement and queues them as one
    deferred task at its end, instead of a write and a task each."""
    now = now or timezone.now()
    claimed = _claim_many(outbound_ids, now)
    counts: dict[str, int] = {"skipped": len(outbound_ids) - len(claimed)} if outbound_ids else {}
    with _sends_batched():
        for row in claimed:
            status = _send_claimed(row, now)
            counts[status] = counts.get(status, 0) + 1
    return {status: n for status, n in counts.items() if n}


# A batch of sends in this thread (``_sends_batched``): the connections it read, the rows to try
# again, and the sends reserved in each minute's budget and not used yet. None outside a batch.
_sending = threading.local()


@contextmanager
def _sends_batched():
    if getattr(_sending, "retries", None) is not None:  # nested: the outer batch queues them
        yield
        return
    _sending.retries, _sending.connections, _sending.reserved = [], {}, {}
    try:
        yield
        retries = _sending.retries
    finally:
        for key, unused in _sending.reserved.items():
            _rate_give_back(key, unused)
        _sending.retries = _sending.connections = _sending.reserved = None
    if retries:
        update_many(retries, [*FINISH_FIELDS, "next_attempt_at"])
        transaction.on_commit(lambda: _enqueue_retries(retries))


def _enqueue_retries(rows: list[OutboundMessage]) -> None:
    """One task for the rows of a batch to try again, when the latest of them is due (the
    earlier ones wait a little longer; the periodic ``outbox_run`` takes any row that is due
    and still waiting, so none is lost)."""
    from .tasks import outbound_send_many_task

    if getattr(outbound_send_many_task.get_backend(), "supports_defer", False):
        run_after = max(row.next_attempt_at for row in rows)
        outbound_send_many_task.using(run_after=run_after).enqueue([row.pk for row in rows])


def _send_connection(connection_id: int) -> ZaloConnection:
    known = getattr(_sending, "connections", None)
    if known is None:
        return ZaloConnection.objects.get(pk=connection_id)
    if connection_id not in known:
        known[connection_id] = ZaloConnection.objects.get(pk=connection_id)
    return known[connection_id]


def _send_connection_keep(connection: ZaloConnection) -> ZaloConnection:
    """A connection whose token was just refreshed: the rest of the batch uses it."""
    known = getattr(_sending, "connections", None)
    if known is not None:
        known[connection.pk] = connection
    return connection


def token_refresh(*, connection_id: int, stale_token: str | None = None) -> ZaloConnection:
    """Exchange the refresh token for a new pair. One refresh at a time: the connection row is
    locked (SELECT … FOR UPDATE) for the whole exchange, because Zalo's refresh token is single
    use; a caller that waited and finds the token already changed just uses the new one."""
    with transaction.atomic():
        connection = ZaloConnection.objects.select_for_update().get(pk=connection_id)
        if stale_token is not None and connection.secret("access_token") != stale_token:
            return connection
        refresh = connection.secret("refresh_token")
        if not refresh:
            raise ApplicationError("Chưa có mã làm mới (refresh token).", code="no_refresh")
        result = zalo.token_refresh(
            connection.oauth_base,
            app_id=connection.app_id,
            app_secret=connection.secret("app_secret"),
            refresh_token=refresh,
        )
        if not result.get("access_token") or not result.get("refresh_token"):
            raise ApplicationError(
                f"Zalo từ chối làm mới mã ({result.get('error')}: {result.get('message', '')}).",
                code="refresh_failed",
            )
        now = timezone.now()
        connection.set_secret("access_token", result["access_token"])
        connection.set_secret("refresh_token", result["refresh_token"])
        try:
            seconds = int(result.get("expires_in", 90000))
        except (TypeError, ValueError):
            seconds = 90000
        connection.access_token_expires_at = now + dt.timedelta(seconds=seconds)
        connection.token_refreshed_at = now
        connection.save()
        audit_record(
            actor=None, action="zalo.token_refresh", target=connection, unit=connection.unit
        )
        return connection


def zalo_move(*, from_unit: Unit, to_unit: Unit) -> None:
    """A unit that ends hands its Zalo OA and followers to its successor, unless the successor
    has its own OA (then they stay with the closed unit, listed for the commander). The secrets
    are sealed again: a seal is bound to its unit."""
    connection = ZaloConnection.objects.filter(unit=from_unit).first()
    if connection is None or ZaloConnection.objects.filter(unit=to_unit).exists():
        return
    fields = ("secret_key", "app_secret", "access_token", "refresh_token")
    secrets = {name: connection.secret(name) for name in fields}
    connection.unit = to_unit
    for name, value in secrets.items():
        connection.set_secret(name, value)
    connection.save()
    known = set(Follower.objects.filter(unit=to_unit).values_list("user_id", flat=True))
    Follower.objects.filter(unit=from_unit).exclude(user_id__in=known).update(unit=to_unit)
