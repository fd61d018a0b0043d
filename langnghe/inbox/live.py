"""Live events for the officer's screen, over the Channels layer (in memory by default, Redis
when REDIS_URL is set so several web processes share them).

An event for a unit goes to the group of that unit and of every unit above it, so a console
subscribes only to the roots of its scope (a handful of groups, not one per unit).
"""

import asyncio
import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

# One event loop per process for sending to a shared (Redis) layer, fed through a queue. The
# Redis layer keeps its connections per loop (``async_to_sync`` would start a loop, and new
# connections, per event), and the sender does not wait for Redis: a worker draining Zalo events
# spent a good part of each event waiting for those round trips. One consumer sends in order, so
# a citizen's message reaches the screens before the automatic answer to it. At most
# MAX_QUEUED events wait; beyond that (Redis not answering) new ones are dropped with a warning.
MAX_QUEUED = 1000
SEND_AT_ONCE = 200  # taken off the queue at a time by the consumer
_loop: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = []
_loop_lock = threading.Lock()


def _sending_queue() -> tuple[asyncio.AbstractEventLoop, asyncio.Queue]:
    with _loop_lock:
        if not _loop or _loop[0][0].is_closed():
            loop = asyncio.new_event_loop()
            queue: asyncio.Queue = asyncio.Queue(MAX_QUEUED)
            threading.Thread(target=loop.run_forever, name="inbox-live", daemon=True).start()
            loop.call_soon_threadsafe(lambda: loop.create_task(_consume(queue)))
            _loop[:] = [(loop, queue)]
        return _loop[0]


async def _consume(queue: asyncio.Queue) -> None:
    while True:
        waiting = [await queue.get()]
        while not queue.empty() and len(waiting) < SEND_AT_ONCE:
            waiting.append(queue.get_nowait())
        # One conversation's events in order; different conversations side by side, so a burst
        # is not sent one round trip at a time.
        by_conversation: dict = {}
        for layer, groups, payload in waiting:
            key = payload.get("event", {}).get("conversation")  # None: a batch of events
            by_conversation.setdefault(key, []).append((layer, groups, payload))
        await asyncio.gather(*(_send_in_order(items) for items in by_conversation.values()))


async def _send_in_order(items: list) -> None:
    for layer, groups, payload in items:
        try:
            await _send_all(layer, groups, payload)
        except Exception:  # noqa: BLE001 — live updates are best effort
            log.warning("inbox live event not sent", exc_info=True)


_dropped = {"count": 0, "logged": 0.0}


def _put(queue: asyncio.Queue, item: tuple) -> None:
    try:
        queue.put_nowait(item)
    except asyncio.QueueFull:
        # Counted, and told at most every 10 s: a flood must not also flood the log.
        _dropped["count"] += 1
        now = time.monotonic()
        if now - _dropped["logged"] >= 10:
            log.warning(
                "inbox live events dropped: %d (more than %d waiting to be sent)",
                _dropped["count"],
                MAX_QUEUED,
            )
            _dropped.update(count=0, logged=now)


async def _send_all(layer, groups: list[str], payload: dict) -> None:
    for group in groups:
        await layer.group_send(group, payload)


def group_name(unit_id: int) -> str:
    return f"inbox.unit.{unit_id}"


def user_group_name(user_id: int) -> str:
    """Every live socket of one officer (to close them at logout)."""
    return f"inbox.user.{user_id}"


def user_sockets_close(user_id: int, code: int = 4401) -> None:
    """Close every live socket of ``user_id`` now (after commit when in a transaction)."""

    def send():
        layer = get_channel_layer()
        if layer is None:
            return
        payload = {"type": "inbox.revoke", "code": code}
        try:
            async_to_sync(_send_all)(layer, [user_group_name(user_id)], payload)
        except Exception:  # noqa: BLE001 — the periodic check closes it within seconds anyway
            log.warning("inbox live sockets not told to close", exc_info=True)

    transaction.on_commit(send)


def publish(unit, event: dict) -> None:
    """Send ``event`` after the surrounding transaction commits; a failure to publish never
    breaks the write (the screen falls back to reloading)."""
    _publish(
        unit,
        {"type": "inbox.event", "event": {**event, "unit": unit.code, "unit_name": unit.name}},
    )


def publish_many(unit, events: list[dict]) -> None:
    """Send several events of one unit, in order, as one message to each group (a drain
    batch's messages and answers): one round of sends instead of one per event — the sends
    were four tenths of a drained event's CPU. The consumer hands them to the screen one by
    one, as if sent apart."""
    if events:
        _publish(
            unit,
            {
                "type": "inbox.events",
                "events": [{**e, "unit": unit.code, "unit_name": unit.name} for e in events],
            },
        )


def _publish(unit, payload: dict) -> None:
    groups = [group_name(pk) for pk in [*unit.ancestor_ids, unit.pk]]

    def send():
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            if isinstance(layer, InMemoryChannelLayer):  # one process (tests, `make run`)
                async_to_sync(_send_all)(layer, groups, payload)
            else:
                loop, queue = _sending_queue()
                loop.call_soon_threadsafe(_put, queue, (layer, groups, payload))
        except Exception:  # noqa: BLE001 — live updates are best effort
            log.warning("inbox live event not sent", exc_info=True)

    transaction.on_commit(send)
