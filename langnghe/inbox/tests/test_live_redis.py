"""Live events through a real Redis channel layer (skipped when no Redis answers on 6379): the
sender does not wait for Redis, yet every event arrives, in the order it was published, in the
group of the unit and of each unit above it."""

import asyncio
import socket

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from django.test import override_settings

from langnghe.inbox import live


def _redis() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not _redis(), reason="no Redis on 127.0.0.1:6379"),
]

REDIS_LAYER = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:6379/9"]},
    }
}


def test_events_reach_the_unit_and_its_ancestors_in_order(unit, django_capture_on_commit_callbacks):
    commune = unit("BG-X07201")
    groups = [live.group_name(commune.ancestor_ids[0]), live.group_name(commune.pk)]

    def publish_five():  # each is handed to the sending loop as its transaction commits
        for n in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                live.publish(commune, {"kind": "message", "n": n})

    async def scenario(layer):
        channels = []
        for group in groups:
            channel = await layer.new_channel()
            await layer.group_add(group, channel)
            channels.append(channel)
        await sync_to_async(publish_five)()
        return [
            [(await asyncio.wait_for(layer.receive(c), 10))["event"]["n"] for _ in range(5)]
            for c in channels
        ]

    with override_settings(CHANNEL_LAYERS=REDIS_LAYER):
        channel_layers.backends.clear()
        try:
            got = async_to_sync(scenario)(channel_layers["default"])
        finally:
            channel_layers.backends.clear()
    assert got == [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]


def test_a_batch_of_events_is_one_message_and_reaches_the_screen_one_by_one(
    unit, django_capture_on_commit_callbacks
):
    from unittest import mock

    from langnghe.inbox.consumers import InboxConsumer

    commune = unit("BG-X07201")

    def publish_batch():
        with django_capture_on_commit_callbacks(execute=True):
            live.publish_many(commune, [{"kind": "message", "n": n} for n in range(3)])

    async def scenario(layer):
        channel = await layer.new_channel()
        await layer.group_add(live.group_name(commune.pk), channel)
        await sync_to_async(publish_batch)()
        return await asyncio.wait_for(layer.receive(channel), 10)

    with override_settings(CHANNEL_LAYERS=REDIS_LAYER):
        channel_layers.backends.clear()
        try:
            message = async_to_sync(scenario)(channel_layers["default"])
        finally:
            channel_layers.backends.clear()
    assert message["type"] == "inbox.events" and [e["n"] for e in message["events"]] == [0, 1, 2]
    import time

    consumer = InboxConsumer()
    consumer.checked_at = time.monotonic()  # as a socket whose access was checked just now
    consumer.send_json = mock.AsyncMock()
    async_to_sync(consumer.inbox_events)(message)
    assert [c.args[0]["n"] for c in consumer.send_json.await_args_list] == [0, 1, 2]
    assert all(c.args[0]["unit"] == "BG-X07201" for c in consumer.send_json.await_args_list)
