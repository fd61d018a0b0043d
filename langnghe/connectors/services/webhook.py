"""Inbound: the webhook stores the raw event (unique per unit and msg_id) before answering 200,
then a drain task processes the stored events in batches (or the periodic sweep, those missed)."""

import datetime as dt
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from langnghe.audit.services import audit_batch
from langnghe.cases import crypto
from langnghe.core import jobs
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.sql import insert_ignore
from langnghe.core.text import json_loads_clean

from .. import zalo
from ..models import WebhookEvent, ZaloConnection
from ._common import _unit, _webhook_connections
from .events import _dispatch, _is_message, _messages_in_bulk

log = logging.getLogger("langnghe.connectors.services")  # one logger for the connector

# A signed event older than this is refused (replay). Zalo retries a failed delivery for up to
# about 2 h (30 s … 1 h ladder, reference §1), so the window must cover the ladder. [U]
WEBHOOK_MAX_AGE = dt.timedelta(hours=3)
WEBHOOK_MAX_SKEW = dt.timedelta(minutes=5)
MAX_WEBHOOK_BODY = 256 * 1024

# --- Webhook ---------------------------------------------------------------------------------


def _event_key(event: dict, body: bytes) -> str:
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    name = str(event.get("event_name", ""))[:40]
    if message.get("msg_id"):
        return f"{name}:{str(message['msg_id'])[:70]}"
    return f"{name}:{hashlib.sha256(body).hexdigest()[:64]}"


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
        jobs.enqueue("connectors.webhook_events_drain", on_commit=True)


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
            jobs.enqueue("connectors.webhook_events_drain")  # the flag stays set for the next drain
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
