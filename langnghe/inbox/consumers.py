"""The officer's live feed: one websocket per console tab.

The same rule as every other path (``selectors.may_read_live``, the READ rule of
``conversation_for`` for a whole unit): a socket opens only for a signed-in, active officer
whose session passed the second factor where it is required, and who holds a desk role; it
joins the groups of the roots of the units where that role is held (events are published to a
unit and every unit above it, see live.py), so an event reaches only the consoles allowed to
read it. The access is checked again every ``recheck_seconds()`` and before an event is passed
on when the last check is older: a socket is closed within seconds of a logout (at once, through
the user's own group), a deactivation, the loss of the role, or the session's end.

Close codes: 4401 not signed in (or the session ended), 4403 no desk role, 4428 second factor
not verified.
"""

import asyncio
import time
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare

from langnghe.accounts.middleware import needs_second_factor
from langnghe.accounts.second_factor import session_verified
from langnghe.accounts.selectors import top_units

from . import live
from .selectors import DESK_ROLES

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_SECOND_FACTOR = 4428


def recheck_seconds() -> float:
    return float(getattr(settings, "LANGNGHE_LIVE_RECHECK_SECONDS", 5))


def desk_access(scope) -> tuple[int, list[int]]:
    """(0, the root unit ids whose events this socket may receive), or (close code, [])."""
    session = scope.get("session")
    known = scope.get("user")
    if session is None or known is None or not known.is_authenticated:
        return CLOSE_UNAUTHENTICATED, []
    # Read afresh: the session may have ended (logout) and the user changed since the socket
    # opened.
    session = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
    if str(session.get(SESSION_KEY, "")) != str(known.pk) or not session.get(BACKEND_SESSION_KEY):
        return CLOSE_UNAUTHENTICATED, []
    user = get_user_model().objects.filter(pk=known.pk, is_active=True).first()
    if user is None or not constant_time_compare(
        session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
    ):
        return CLOSE_UNAUTHENTICATED, []
    if needs_second_factor(user) and not session_verified(user, session):
        return CLOSE_SECOND_FACTOR, []
    roots = [unit.pk for unit in top_units(user, roles=DESK_ROLES)]
    if not roots:
        return CLOSE_FORBIDDEN, []
    return 0, roots


_desk_access = database_sync_to_async(desk_access)


class InboxConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        refusal, roots = await _desk_access(self.scope)
        if refusal:
            # Accepted, then closed at once with the code (in no group, nothing is sent): a
            # close before the accept is an HTTP 403 at the handshake, and the client would
            # never learn which of the codes above applies.
            self.ended = True
            await self.accept()
            await self.close(code=refusal)
            return
        self.user_id = self.scope["user"].pk
        self.checked_at = time.monotonic()
        self.groups_joined = [live.group_name(pk) for pk in roots]
        self.groups_joined.append(live.user_group_name(self.user_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.watch = asyncio.ensure_future(self._watch())

    async def disconnect(self, code):
        if watch := getattr(self, "watch", None):
            watch.cancel()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _watch(self):
        """Close the socket within ``recheck_seconds()`` of losing the right to it."""
        while True:
            await asyncio.sleep(recheck_seconds())
            if not await self._still_allowed():
                return

    async def _still_allowed(self) -> bool:
        refusal, roots = await _desk_access(self.scope)
        self.checked_at = time.monotonic()
        if refusal:
            await self._end(refusal)
            return False
        wanted = {live.group_name(pk) for pk in roots} | {live.user_group_name(self.user_id)}
        for group in wanted - set(self.groups_joined):
            await self.channel_layer.group_add(group, self.channel_name)
        for group in set(self.groups_joined) - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = sorted(wanted)
        return True

    async def _end(self, code: int) -> None:
        if getattr(self, "ended", False):
            return
        self.ended = True
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []
        await self.close(code=code)

    async def _may_send(self) -> bool:
        if getattr(self, "ended", False):
            return False
        if time.monotonic() - self.checked_at < recheck_seconds():
            return True
        return await self._still_allowed()

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping" and await self._may_send():
            await self.send_json({"kind": "pong"})

    async def inbox_event(self, message):
        if await self._may_send():
            await self.send_json(message["event"])

    async def inbox_events(self, message):  # several at once (live.publish_many)
        if await self._may_send():
            for event in message["events"]:
                await self.send_json(event)

    async def inbox_revoke(self, message):
        """The user signed out (or lost access): close now, not at the next check."""
        await self._end(message.get("code", CLOSE_UNAUTHENTICATED))
