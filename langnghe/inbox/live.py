"""Live events for the officer's screen, over the Channels layer (in memory by default, Redis
when REDIS_URL is set so several web processes share them).

An event for a unit goes to the group of that unit and of every unit above it, so a console
subscribes only to the roots of its scope (a handful of groups, not one per unit).
"""

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

# One event loop per process for sending to a shared (Redis) layer. ``async_to_sync`` would start
# a new loop per call, and the Redis layer keeps its connections per loop: every event paid for
# new connections (6 ms of a worker's time per event in a profile of the Zalo drain).
_loop: list[asyncio.AbstractEventLoop] = []
_loop_lock = threading.Lock()


def _sending_loop() -> asyncio.AbstractEventLoop:
    with _loop_lock:
        if not _loop or _loop[0].is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="inbox-live", daemon=True).start()
            _loop[:] = [loop]
        return _loop[0]


async def _send_all(layer, groups: list[str], payload: dict) -> None:
    for group in groups:
        await layer.group_send(group, payload)


def group_name(unit_id: int) -> str:
    return f"inbox.unit.{unit_id}"


def publish(unit, event: dict) -> None:
    """Send ``event`` after the surrounding transaction commits; a failure to publish never
    breaks the write (the screen falls back to reloading)."""
    groups = [group_name(pk) for pk in [*unit.ancestor_ids, unit.pk]]
    payload = {"type": "inbox.event", "event": {**event, "unit": unit.code}}

    def send():
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            if isinstance(layer, InMemoryChannelLayer):  # one process (tests, `make run`)
                async_to_sync(_send_all)(layer, groups, payload)
            else:
                coroutine = _send_all(layer, groups, payload)
                asyncio.run_coroutine_threadsafe(coroutine, _sending_loop()).result(timeout=5)
        except Exception:  # noqa: BLE001 — live updates are best effort
            log.warning("inbox live event not sent", exc_info=True)

    transaction.on_commit(send)
