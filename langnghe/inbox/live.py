"""Live events for the officer's screen, over the Channels layer (in memory by default, Redis
when REDIS_URL is set so several web processes share them).

An event for a unit goes to the group of that unit and of every unit above it, so a console
subscribes only to the roots of its scope (a handful of groups, not one per unit).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


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
            for group in groups:
                async_to_sync(layer.group_send)(group, payload)
        except Exception:  # noqa: BLE001 — live updates are best effort
            log.warning("inbox live event not sent", exc_info=True)

    transaction.on_commit(send)
