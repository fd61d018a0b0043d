"""The drain's bulk path (inbox.messages_receive) against the one-by-one path it stands for
(inbox.message_receive): the same messages, in the same order, leave the same state — rows,
counts, automatic answers, outbox rows, notes and audit actions — at night and on duty."""

import datetime as dt
from collections import Counter
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from langnghe.audit.models import AuditEntry
from langnghe.connectors.models import OutboundMessage
from langnghe.core.exceptions import ApplicationError
from langnghe.inbox import live, rules
from langnghe.inbox import services as inbox
from langnghe.inbox.models import ChannelKind, Conversation, ConversationStatus, Message, Note

pytestmark = pytest.mark.django_db

AT = timezone.now() - dt.timedelta(minutes=5)


def _items():
    Incoming = inbox.Incoming
    return [
        Incoming("u1", "Xin chào công an phường", external_message_id="m1", sent_at=AT),
        Incoming("u2", "Cho hỏi thủ tục đăng ký tạm trú", external_message_id="m2", sent_at=AT),
        Incoming("u1", "Tôi cần hỏi thêm về hộ khẩu", external_message_id="m3", sent_at=AT),
        Incoming("u3", "Tin đã nhận từ trước", external_message_id="m-old", sent_at=AT),
        Incoming("u3", "Tin mới của u3", external_message_id="m4", sent_at=AT),
        Incoming("u4", "Tôi hỏi lại việc cũ", external_message_id="m5", sent_at=AT),
        Incoming("u5", "Cứu tôi với, có cướp đang đánh người", external_message_id="m6"),
        Incoming("u5", "Ở ngõ 3", external_message_id="m7", sent_at=AT),
        Incoming("u2", "Cho hỏi thủ tục đăng ký tạm trú", external_message_id="m2", sent_at=AT),
        Incoming("u6", "[Hình ảnh]", kind="image", payload={"attachments": []}, sent_at=AT),
        Incoming("u7", "   ", external_message_id="m8", sent_at=AT),
    ]


def _one(desk, item):
    try:
        inbox.incoming_receive(unit=desk, channel=ChannelKind.ZALO, item=item)
    except ApplicationError:
        pass  # an empty message: refused the same way on both paths


def _state(desk):
    conversations = {}
    for c in Conversation.objects.filter(unit=desk).order_by("external_id"):
        messages = [
            (
                m.direction,
                m.text,
                m.kind,
                m.is_automatic,
                m.delivery,
                m.triage_category,
                m.external_id,
            )
            for m in c.messages.order_by("id")
        ]
        conversations[c.external_id] = (
            c.status,
            c.unread_count,
            c.is_urgent,
            c.resolved_at is None,
            c.last_message_at is not None,
            messages,
            OutboundMessage.objects.filter(message__conversation=c).count(),
            Note.objects.filter(conversation=c).count(),
        )
    actions = Counter(
        (action, data.get("urgent"))
        for action, data in AuditEntry.objects.filter(
            action__startswith="conversation."
        ).values_list("action", "data")
    )
    return conversations, actions


@pytest.mark.parametrize("on_duty", [False, True])
def test_bulk_leaves_the_same_state_as_one_by_one(connection, on_duty):
    desk = connection.unit
    # Before the batch: u3 already wrote (message m-old), u4's conversation was resolved.
    old = inbox.conversation_open(unit=desk, channel=ChannelKind.ZALO, external_id="u3")
    Message.objects.create(
        conversation=old,
        direction="in",
        text="Tin đã nhận từ trước",
        external_id="m-old",
        sent_at=AT,
        delivery="received",
    )
    done = inbox.conversation_open(unit=desk, channel=ChannelKind.ZALO, external_id="u4")
    Conversation.objects.filter(pk=done.pk).update(
        status=ConversationStatus.RESOLVED, resolved_at=timezone.now()
    )
    items = _items()

    def bulk():
        left = inbox.messages_receive(unit=desk, channel=ChannelKind.ZALO, items=items)
        assert [items[i].external_id for i in left] == ["u7"]  # the empty message only
        for i in left:
            _one(desk, items[i])

    def one_by_one():
        for item in items:
            _one(desk, item)

    states, screens = [], []
    with mock.patch.object(rules, "is_on_duty", return_value=on_duty):
        for run in (bulk, one_by_one):
            sent = []  # what the officers' screens are told, in order (ids differ by run)
            with (
                transaction.atomic(),
                mock.patch.object(live, "publish", lambda unit, e, sent=sent: sent.append(e)),
                mock.patch.object(
                    live, "publish_many", lambda unit, es, sent=sent: sent.extend(es)
                ),
            ):
                run()
                states.append(_state(desk))
                transaction.set_rollback(True)
            # In order; the message ids differ by run, the alarm names its message's text.
            texts = {e["message"]["id"]: e["message"]["text"] for e in sent if "message" in e}
            screens.append(
                [
                    (
                        e["kind"],
                        e["status"],
                        e["unread"],
                        e["urgent"],
                        e["message"]["text"] if "message" in e else texts[e["message_id"]],
                        e.get("number"),
                    )
                    for e in sent
                ]
            )
    assert states[0] == states[1]
    assert screens[0] == screens[1] and screens[0]
    conversations, _ = states[0]
    assert conversations["u5"][2] is True  # the emergency: flagged, answered, noted, alarmed
    assert conversations["u5"][7] == 1 and ("urgent" in [s[0] for s in screens[0]])
    assert conversations["u4"][0] == ConversationStatus.OPEN  # reopened
    u1_automatic = [m for m in conversations["u1"][5] if m[3]]
    assert len(u1_automatic) == (0 if on_duty else 1)  # one answer for two messages
    assert [m[6] for m in conversations["u2"][5] if m[0] == "in"] == ["m2"]  # delivered twice
