"""The officer's live feed: one websocket per console tab, joined to the groups of the roots of
the officer's scope (events are published to a unit and every unit above it, see live.py)."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import live


@database_sync_to_async
def _root_unit_ids(user) -> list[int]:
    from langnghe.accounts.selectors import top_units

    return [unit.pk for unit in top_units(user)]


class InboxConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.groups_joined = [live.group_name(pk) for pk in await _root_unit_ids(user)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"kind": "pong"})

    async def inbox_event(self, message):
        await self.send_json(message["event"])

    async def inbox_events(self, message):  # several at once (live.publish_many)
        for event in message["events"]:
            await self.send_json(event)
