"""Outbound: an officer's reply becomes an OutboundMessage row in the same transaction; a task
(or ``langnghe outbox_run``) sends due rows with backoff, within Zalo's rate limit."""

import datetime as dt
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from langnghe.core import jobs
from langnghe.core.exceptions import ApplicationError
from langnghe.core.sql import insert_many, update_many
from langnghe.inbox import services as inbox
from langnghe.inbox.models import Delivery, Message

from .. import zalo
from ..models import OutboundMessage, ZaloConnection
from ._common import _outbox_connections
from .connect import token_refresh

log = logging.getLogger("langnghe.connectors.services")  # one logger for the connector

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
    jobs.enqueue("connectors.outbound_send_many", [row.pk for row in rows], on_commit=True)
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
            transaction.on_commit(lambda: _enqueue_later(row))


def _enqueue_later(row: OutboundMessage) -> None:
    """Queue the retry for its time when the task backend can defer; otherwise the periodic
    ``outbox_run`` picks it up."""
    if jobs.can_defer("connectors.outbound_send"):
        jobs.enqueue("connectors.outbound_send", row.pk, run_after=row.next_attempt_at)


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
    if jobs.can_defer("connectors.outbound_send_many"):
        run_after = max(row.next_attempt_at for row in rows)
        jobs.enqueue("connectors.outbound_send_many", [row.pk for row in rows], run_after=run_after)


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
