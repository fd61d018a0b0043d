"""The Zalo OA as a duty-desk channel (``langnghe.inbox.channels``): an answer becomes an
outbox row in the answer's transaction, sent by a task once committed."""

from langnghe.inbox.models import ChannelKind, Delivery, Message

from . import services


class ZaloChannel:
    stored_delivery = Delivery.PENDING  # sent, delivered, seen or failed as Zalo reports

    def send(self, message: Message) -> None:
        services.outbound_enqueue(message=message)

    def send_many(self, messages: list[Message]) -> None:
        services.outbound_enqueue_many(messages)


CHANNELS = {ChannelKind.ZALO.value: ZaloChannel()}
