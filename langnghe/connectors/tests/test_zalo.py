"""The Zalo connector against the simulator over real HTTP."""

import json
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from langnghe.connectors.models import Follower, OutboundMessage, WebhookEvent, ZaloConnection
from langnghe.connectors.simulator import ZaloSimulator, mac
from langnghe.inbox import services as inbox
from langnghe.inbox.models import Conversation, Message
from langnghe.inbox.services import receive as inbox_receive

from .conftest import APP_ID, SECRET, UNIT

pytestmark = pytest.mark.django_db


def _receive(sim, deliver, user_id="zu-1001", text="Cho hỏi thủ tục làm căn cước", msg_id=""):
    sim.user(user_id)
    body, headers = sim.signed(sim.text_event(user_id, text, msg_id=msg_id))
    return deliver(body, headers), body, headers


def _store(sim, client, user_id: str, text: str, msg_id: str = "") -> None:
    """A signed text event acknowledged by the webhook and left waiting: no on-commit callback
    runs here, so no drain task is queued."""
    sim.user(user_id)
    body, headers = sim.signed(sim.text_event(user_id, text, msg_id=msg_id))
    response = client.post(
        f"/webhooks/zalo/{UNIT}/",
        body,
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=headers["X-ZEvent-Signature"],
    )
    assert response.status_code == 200


def test_signed_text_lands_once_even_when_delivered_twice(sim, connection, deliver, client):
    response, body, headers = _receive(sim, deliver, msg_id="m-1")
    assert response.status_code == 200 and response.json()["error"] == 0
    again = deliver(body, headers)
    assert again.status_code == 200
    assert WebhookEvent.objects.count() == 1
    conversation = Conversation.objects.get(unit__code=UNIT, external_id="zu-1001")
    incoming = conversation.messages.filter(direction="in")
    assert [m.text for m in incoming] == ["Cho hỏi thủ tục làm căn cước"]
    assert incoming[0].external_id == "m-1"
    assert Follower.objects.filter(unit__code=UNIT, user_id="zu-1001").exists()


def test_secrets_are_sealed_at_rest(connection):
    row = ZaloConnection.objects.values().get(pk=connection.pk)
    assert SECRET not in json.dumps(row, default=str)
    assert "at-initial" not in row["access_token_sealed"]
    assert connection.secret("secret_key") == SECRET
    body = WebhookEvent._meta.get_field("body_sealed")
    assert body is not None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda sim, body, h: (body, {**h, "X-ZEvent-Signature": "mac=" + "0" * 64}),
        lambda sim, body, h: (body, {k: v for k, v in h.items() if k != "X-ZEvent-Signature"}),
        lambda sim, body, h: (body.replace(b"thu tuc", b"THU TUC"), h),
        # Signed with the app id first term but a wrong key (a common mistake).
        lambda sim, body, h: (
            body,
            {**h, "X-ZEvent-Signature": "mac=" + mac(APP_ID, body, "0", "wrong-key")},
        ),
    ],
    ids=["forged", "missing", "tampered", "wrong-key"],
)
def test_forged_event_is_refused_and_stores_nothing(sim, connection, deliver, mutate):
    sim.user("zu-2")
    body, headers = sim.signed(sim.text_event("zu-2", "thu tuc"))
    body, headers = mutate(sim, body, headers)
    response = deliver(body, headers)
    assert response.status_code in (401, 403)
    assert WebhookEvent.objects.count() == 0
    assert Conversation.objects.count() == 0


def test_stale_event_is_refused(sim, connection, deliver):
    event = {**sim.text_event("zu-3", "cũ"), "timestamp": str(int((time.time() - 86400) * 1000))}
    body, headers = sim.signed(event)
    assert deliver(body, headers).status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_malformed_json_is_400_and_unknown_unit_is_404(sim, connection, deliver):
    body = b"{not json"
    sig = mac(APP_ID, body, "", SECRET)
    assert deliver(body, {"X-ZEvent-Signature": f"mac={sig}"}).status_code == 400
    good, headers = sim.signed(sim.text_event("zu-4", "xin chào"))
    assert deliver(good, headers, unit_code="BG-X07204").status_code == 404
    assert WebhookEvent.objects.count() == 0


def test_officer_reply_reaches_zalo_with_token_and_user_id(
    sim, connection, deliver, make_staff, api_client, django_capture_on_commit_callbacks
):
    _receive(sim, deliver, user_id="zu-5001")
    conversation = Conversation.objects.get(external_id="zu-5001")
    officer = make_staff(UNIT, "duty_officer")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(officer).post(
            f"/api/v1/inbox/conversations/{conversation.pk}/messages",
            {"text": "Chào anh, mời anh mang CCCD cũ đến trụ sở."},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    sent = json.loads(_get(sim.url + "/_sim/sent"))["sent"]
    assert len(sent) == 1
    assert sent[0]["user_id"] == "zu-5001"
    assert sent[0]["access_token"] == "at-initial"
    assert sent[0]["text"] == "Chào anh, mời anh mang CCCD cũ đến trụ sở."
    message = Message.objects.get(pk=response.json()["id"])
    assert message.delivery == "sent" and message.external_id == sent[0]["message_id"]
    # Zalo then reports the message delivered and seen.
    for name, key in (("user_received_message", "msg_id"), ("user_seen_message", "msg_ids")):
        value = sent[0]["message_id"] if key == "msg_id" else [sent[0]["message_id"]]
        body, headers = sim.signed(
            {"event_name": name, "sender": {"id": "zu-5001"}, "message": {key: value}}
        )
        assert deliver(body, headers).status_code == 200
    message.refresh_from_db()
    assert message.delivery == "seen"
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None and conversation.status == "waiting"


def test_expired_token_is_refreshed_and_the_send_retried(
    sim, connection, deliver, django_capture_on_commit_callbacks
):
    _receive(sim, deliver, user_id="zu-6")
    sim.expire_access_token()
    conversation = Conversation.objects.get(external_id="zu-6")
    with django_capture_on_commit_callbacks(execute=True):
        message = inbox.message_reply(conversation=conversation, by=None, text="Đã nhận.")
    assert sim.refresh_count == 1
    assert [s["access_token"] for s in sim.sent] == [sim.access_token]
    assert sim.access_token != "at-initial"
    connection.refresh_from_db()
    assert connection.secret("access_token") == sim.access_token
    assert connection.secret("refresh_token") == sim.refresh_token
    message.refresh_from_db()
    assert message.delivery == "sent"


def test_message_survives_a_worker_restart(sim, connection, deliver, unit):
    _receive(sim, deliver, user_id="zu-7")
    conversation = Conversation.objects.get(external_id="zu-7")
    sim.stop()  # Zalo (or the network) is down, and the worker dies
    down = ZaloConnection.objects.get(pk=connection.pk)
    # Replies committed while the worker was gone: no on-commit task ran.
    message = inbox.message_reply(conversation=conversation, by=None, text="Chúng tôi đã nhận.")
    row = OutboundMessage.objects.get(message=message)
    assert row.status == "pending"
    # A first attempt against the dead API keeps the row and schedules a retry.
    call_command("outbox_run", "--once")
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > timezone.now()
    # The API comes back on the same address; time passes; a fresh worker sends it.
    host, port = down.api_base.removeprefix("http://").split(":")
    revived = ZaloSimulator(
        app_id=APP_ID, secret_key=SECRET, access_token="at-initial", port=int(port)
    ).start()
    try:
        revived.user("zu-7")
        OutboundMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        call_command("outbox_run", "--once")
        row.refresh_from_db()
        assert row.status == "sent" and row.attempts == 2
        assert [s["user_id"] for s in revived.sent] == ["zu-7"]
        call_command("outbox_run", "--once")
        assert len(revived.sent) == 1  # sent once, not again
    finally:
        revived.stop()


@pytest.mark.parametrize(
    ("code", "delivery", "status"),
    [(-213, "failed", "failed"), (-230, "failed", "failed"), (-32, "pending", "pending")],
)
def test_zalo_errors_are_handled(sim, connection, deliver, code, delivery, status):
    _receive(sim, deliver, user_id="zu-8")
    conversation = Conversation.objects.get(external_id="zu-8")
    sim.fail_queue.append(code)
    message = inbox.message_reply(conversation=conversation, by=None, text="Trả lời")
    call_command("outbox_run", "--once")
    message.refresh_from_db()
    row = OutboundMessage.objects.get(message=message)
    assert (message.delivery, row.status, row.last_error_code) == (delivery, status, code)
    if status == "failed":
        assert conversation.notes.filter(text__contains="Không gửi được").exists()
        assert message.delivery_note


def test_follow_unfollow_and_submit_info(sim, connection, deliver):
    for name in ("follow", "unfollow"):
        body, headers = sim.signed(
            {"event_name": name, "oa_id": "oa", "follower": {"id": "zu-9"}, "source": "oa"}
        )
        assert deliver(body, headers).status_code == 200
    follower = Follower.objects.get(user_id="zu-9")
    assert not follower.is_following and follower.unfollowed_at
    body, headers = sim.signed(
        {
            "event_name": "user_submit_info",
            "sender": {"id": "zu-9"},
            "info": {"name": "Trần Thị B", "phone": "0912345678"},
        }
    )
    deliver(body, headers)
    conversation = Conversation.objects.get(external_id="zu-9")
    from langnghe.inbox.selectors import conversation_identity

    assert conversation_identity(conversation) == {"name": "Trần Thị B", "phone": "0912345678"}
    assert "0912345678" not in conversation.identity_sealed
    # Images and unknown events: stored; images become messages, unknown ones are ignored.
    body, headers = sim.signed(
        {
            "event_name": "user_send_image",
            "sender": {"id": "zu-9"},
            "message": {
                "msg_id": "img-1",
                "attachments": [{"type": "image", "payload": {"url": "https://x/y.jpg"}}],
            },
        }
    )
    deliver(body, headers)
    assert conversation.messages.get(external_id="img-1").kind == "image"
    body, headers = sim.signed({"event_name": "add_user_to_tag", "sender": {"id": "zu-9"}})
    deliver(body, headers)
    assert WebhookEvent.objects.get(event_name="add_user_to_tag").status == "ignored"


def test_commands(sim, unit):
    call_command(
        "zalo_connect",
        "--unit", "BG-X07204", "--app-id", "1", "--oa-id", "2", "--secret-key", "s",
        "--access-token", "a", "--refresh-token", "r", "--api-base", sim.url,
    )  # fmt: skip
    assert ZaloConnection.objects.get(unit__code="BG-X07204").api_base == sim.url
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "zalo_connect",
            "--unit", "NOPE", "--app-id", "1", "--oa-id", "2", "--secret-key", "s",
            "--access-token", "a", "--refresh-token", "r",
        )  # fmt: skip


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_event_whose_task_was_lost_is_processed_by_the_sweep(connection, sim, client):
    """The event is stored and acknowledged, but the process dies before enqueueing its task."""
    import datetime as dt

    from django.utils import timezone

    from langnghe.connectors.models import WebhookEvent
    from langnghe.connectors.services import webhook_events_sweep
    from langnghe.inbox.models import Message

    _store(sim, client, "zu-sweep", "Xin chào, tôi cần hỏi")  # its task is never enqueued
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.RECEIVED
    assert webhook_events_sweep() == 0  # too recent: its task may still come
    later = timezone.now() + dt.timedelta(minutes=2)
    assert webhook_events_sweep(now=later) == 1
    stored.refresh_from_db()
    assert stored.status == WebhookEvent.Status.PROCESSED
    assert Message.objects.filter(text="Xin chào, tôi cần hỏi").count() == 1
    assert webhook_events_sweep(now=later) == 0


def test_a_drain_batch_keeps_the_good_events_when_one_fails(connection, sim, client):
    """One transaction for the batch; the messages in bulk, in a savepoint, then one by one,
    each in its own, when the bulk step fails: the event that raises is marked failed with
    nothing of its work kept (not even its audit entries); the rest are processed and the audit
    chain stays whole."""
    from unittest import mock

    from langnghe.audit.chain import verify_chain
    from langnghe.audit.models import AuditEntry
    from langnghe.connectors.services import webhook_events_drain

    for user in ("zu-b1", "zu-bad", "zu-b2"):
        _store(sim, client, user, f"Tin của {user}", msg_id=f"m-{user}")
    real_one, real_bulk = inbox.message_receive, inbox.messages_receive

    def receive(**kwargs):
        message = real_one(**kwargs)  # its rows and audit entries are written, then it fails
        if kwargs["external_id"] == "zu-bad":
            raise RuntimeError("boom")
        return message

    def receive_bulk(**kwargs):
        left = real_bulk(**kwargs)  # all three written in bulk, then it fails: all undone
        if any(item.external_id == "zu-bad" for item in kwargs["items"]):
            raise RuntimeError("boom")
        return left

    audit_before = AuditEntry.objects.count()
    with (
        # incoming_receive looks message_receive up in its own module; the drain calls
        # messages_receive through the package.
        mock.patch.object(inbox_receive, "message_receive", side_effect=receive),
        mock.patch.object(inbox, "messages_receive", side_effect=receive_bulk),
    ):
        assert webhook_events_drain(linger=0) == 3
    statuses = dict(WebhookEvent.objects.values_list("event_key", "status"))
    assert sorted(statuses.values()) == ["failed", "processed", "processed"]
    assert not Conversation.objects.filter(external_id="zu-bad").exists()
    assert Conversation.objects.filter(external_id__in=["zu-b1", "zu-b2"]).count() == 2
    # Two conversations opened and two messages received: four entries, none of zu-bad's.
    assert AuditEntry.objects.count() - audit_before == 4
    assert verify_chain()[1] is None


def test_a_batch_of_sends_to_a_dead_api_reads_the_connection_once_and_queues_one_retry(
    sim, connection, deliver, monkeypatch, django_capture_on_commit_callbacks
):
    """Zalo down during an incident: every answer of a batch fails. The batch claims its rows
    together, reads its connection once, saves the retries together and queues one deferred
    task for all of them (not one per message), due when the latest of them is."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from langnghe.connectors import services
    from langnghe.core import jobs

    for user_id in ("zu-21", "zu-22", "zu-23"):
        _receive(sim, deliver, user_id=user_id)
    sim.stop()
    rows = [
        OutboundMessage.objects.get(
            message=inbox.message_reply(
                conversation=Conversation.objects.get(external_id=user_id), by=None, text="Đã nhận"
            )
        )
        for user_id in ("zu-21", "zu-22", "zu-23")
    ]
    OutboundMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        status="pending", attempts=0, next_attempt_at=timezone.now()
    )
    queued = []

    class Deferred:
        supports_defer = True

        def __init__(self, run_after=None):
            self.run_after = run_after

        def get_backend(self):
            return self

        def using(self, run_after):
            return Deferred(run_after)

        def enqueue(self, ids):
            queued.append((self.run_after, ids))

    jobs.get("connectors.outbound_send_many")  # the tasks are declared before one is replaced
    monkeypatch.setitem(jobs._registry, "connectors.outbound_send_many", Deferred())
    with CaptureQueriesContext(db) as queries, django_capture_on_commit_callbacks(execute=True):
        counts = services.outbound_send_many(outbound_ids=[r.pk for r in rows])
    assert counts == {"pending": 3}
    reads = [q for q in queries if 'FROM "connectors_zaloconnection"' in q["sql"]]
    assert len(reads) == 1
    assert len(queued) == 1 and queued[0][1] == [r.pk for r in rows]
    stored = OutboundMessage.objects.filter(pk__in=[r.pk for r in rows])
    assert {r.attempts for r in stored} == {1} and {r.status for r in stored} == {"pending"}
    assert all(r.last_error.startswith("Zalo không phản hồi") for r in stored)
    assert queued[0][0] == max(r.next_attempt_at for r in stored)


def test_a_batch_keeps_to_the_minute_budget_and_gives_back_what_it_did_not_use(
    sim, connection, deliver, monkeypatch
):
    from django.core.cache import cache

    from langnghe.connectors import services
    from langnghe.connectors.services import outbox

    monkeypatch.setattr(outbox, "RATE_PER_MINUTE", 3)
    monkeypatch.setattr(outbox, "RATE_RESERVE", 2)
    users = [f"zu-3{i}" for i in range(5)]
    for user_id in users:
        _receive(sim, deliver, user_id=user_id)
    ids = [
        OutboundMessage.objects.get(
            message=inbox.message_reply(
                conversation=Conversation.objects.get(external_id=user_id), by=None, text="Đã nhận"
            )
        ).pk
        for user_id in users
    ]
    now = timezone.now()
    OutboundMessage.objects.filter(pk__in=ids).update(next_attempt_at=now)
    key = f"zalo-rate:{connection.pk}:{now.strftime('%Y%m%d%H%M')}"
    cache.delete(key)
    counts = services.outbound_send_many(outbound_ids=ids, now=now)
    assert counts == {"sent": 3, "pending": 2}
    assert [s["user_id"] for s in sim.sent] == users[:3]  # in order, the first three
    waiting = OutboundMessage.objects.filter(pk__in=ids[3:])
    assert {(r.attempts, r.next_attempt_at > now) for r in waiting} == {(0, True)}
    assert cache.get(key) == 3  # nothing reserved and unused is left counted
    cache.delete(key)


@pytest.mark.parametrize("night", [False, True])
def test_a_drain_batch_costs_the_same_statements_for_5_or_40_events(connection, sim, client, night):
    """No statement per event in a drain batch on PostgreSQL: citizens' messages (new
    conversations, questions, an emergency) at night — each answered automatically — or on a
    roster shift, 5 of them or 40, take the same number of statements (#10: query counts on
    hot paths)."""
    import datetime as dt

    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from langnghe.accounts.services import staff_create
    from langnghe.connectors.services import _drain_batch
    from langnghe.inbox.services import duty_shift_create

    desk = connection.unit
    chief = staff_create(username="chief", password="mat-khau-123", unit=desk, role="supervisor")
    now = timezone.now()
    if night:  # the roster has nobody now: every citizen gets the out-of-hours answer
        start, end = now + dt.timedelta(hours=1), now + dt.timedelta(hours=9)
    else:
        start, end = now - dt.timedelta(hours=1), now + dt.timedelta(hours=7)
    duty_shift_create(unit=desk, officer=chief, starts_at=start, ends_at=end, by=chief)
    texts = ["Cho hỏi thủ tục đăng ký tạm trú", "Có người đang cướp xe ở chợ", "Xin chào"]
    counts = []
    for size in (3, 5, 40):  # the first batch warms the per-process caches (unit, connection)
        for i in range(size):
            _store(sim, client, f"zq-{size}-{i}", f"{texts[i % 3]} {i}", msg_id=f"mq-{size}-{i}")
        with CaptureQueriesContext(db) as queries:
            assert _drain_batch() == size
        counts.append(len(queries))
    counts = counts[1:]
    # SQLite writes each conversation's new state by itself (inbox._conversations_save); on
    # PostgreSQL it is one statement for the batch.
    per_event = 0 if db.vendor == "postgresql" else 1
    assert counts[1] - counts[0] == per_event * (40 - 5), counts
    assert Conversation.objects.filter(unit=desk).count() == 48


def test_sends_reuse_one_connection(sim):
    """The process's httpx client keeps its connection to Zalo open: three sends, one TCP
    connection accepted by the simulator (urllib opened one per send)."""
    from langnghe.connectors import zalo

    accepted = []
    server = sim._server
    original = server.get_request

    def counting():
        accepted.append(1)
        return original()

    server.get_request = counting
    sim.user("zu-reuse")
    for n in range(3):
        answer = zalo.send_consultation(
            sim.url,
            access_token="at-initial",
            user_id="zu-reuse",
            message={"text": f"Tin {n}"},
        )
        assert answer.get("error") == 0, answer
    assert len(sim.sent) == 3
    assert len(accepted) == 1
