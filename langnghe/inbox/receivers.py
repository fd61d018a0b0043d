"""Receivers of other apps' events: thin, each calls one service."""

from langnghe.cases.models import Channel

from . import live, services


def relay_case_news(sender, *, channel, channel_ref, new_status, public_note, **_):
    """A case that came from a duty-desk conversation changed: tell the citizen there."""
    if channel == Channel.DUTY_DESK and channel_ref.isdigit():
        services.case_news_relay(
            conversation_id=int(channel_ref), public_note=public_note, new_status=new_status
        )


def close_live_sockets(sender, *, user=None, **_):
    """An officer signed out: their console sockets close now (the periodic check would close
    them within seconds anyway)."""
    if user is not None and user.pk:
        live.user_sockets_close(user.pk)
