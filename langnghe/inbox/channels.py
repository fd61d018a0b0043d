"""The channels a citizen writes to the duty desk by, as the desk sees them.

The desk stores a conversation's answers; the channel the conversation came by carries them to
the citizen. Each channel is an object with ``stored_delivery`` and ``send``/``send_many``
(``Channel``), declared by the app that knows the channel in its ``channels`` module as
``CHANNELS = {name: channel}`` — the name is the conversation's ``channel`` (``ChannelKind``).
The desk finds them through ``langnghe.discovery`` and never imports a connector.
"""

from typing import Protocol

from langnghe.discovery import channels as declared_channels

from .models import ChannelKind, Delivery, Message


class Channel(Protocol):
    #: The delivery an answer has once stored: ``Delivery.SENT`` when the citizen reads it from
    #: us (web chat), ``Delivery.PENDING`` when the channel still has to carry it and reports
    #: later (``services.message_delivery_set``).
    stored_delivery: str

    def send(self, message: Message) -> None:
        """Hand one stored answer to the channel, inside the answer's transaction (what the
        channel keeps commits with it, or not at all)."""

    def send_many(self, messages: list[Message]) -> None:
        """``send`` for several answers in conversations of one unit (a batch), in order."""


class WebChat:
    """Web chat: the citizen's page reads the answers from us (polling, or the socket), so an
    answer is sent once stored and there is nothing to hand over."""

    stored_delivery = Delivery.SENT

    def send(self, message: Message) -> None:
        pass

    def send_many(self, messages: list[Message]) -> None:
        pass


CHANNELS = {ChannelKind.WEB.value: WebChat()}

_registry: dict[str, Channel] = {}


def channel_for(name: str) -> Channel:
    """The channel declared for ``name`` (found once, on first use, in every app's
    ``channels`` module)."""
    if not _registry:
        _registry.update(declared_channels())
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no channel declared for {name!r}") from None
