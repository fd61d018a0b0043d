"""The duty desk through its API and services: scope, replies, response times, rules."""

import datetime as dt
import zoneinfo

import pytest

from langnghe.inbox import rules, services
from langnghe.inbox.models import Conversation, Message
from langnghe.inbox.services import messages as message_services

pytestmark = pytest.mark.django_db

THO_XUONG = "BG-X07201"
TRAN_NGUYEN_HAN = "BG-X07204"


@pytest.fixture
def always_on(unit):
    for code in (THO_XUONG, TRAN_NGUYEN_HAN):
        u = unit(code)
        u.office_hours = "trực ban 24/7"
        u.save(update_fields=["office_hours"])


def _web(unit, code, text="Xin chào", citizen="w-1"):
    return services.message_receive(
        unit=unit(code), channel="web", external_id=citizen, text=text
    ).conversation


def test_list_is_scoped_filtered_and_paginated(unit, always_on, make_staff, api_client):
    mine = _web(unit, THO_XUONG)
    _web(unit, TRAN_NGUYEN_HAN, citizen="w-2")
    officer = make_staff(THO_XUONG, "duty_officer")
    client = api_client(officer)
    body = client.get("/api/v1/inbox/conversations").json()
    assert body["count"] == 1 and body["items"][0]["id"] == mine.pk
    assert body["items"][0]["unread"] == 1
    assert client.get("/api/v1/inbox/conversations?status=resolved").json()["count"] == 0
    assert client.get("/api/v1/inbox/conversations?assignee=none").json()["count"] == 1
    # A unit outside the scope is "not found", like the conversation itself.
    assert client.get(f"/api/v1/inbox/conversations?unit={TRAN_NGUYEN_HAN}").status_code == 404
    city = api_client(make_staff("BG-H213", "supervisor"))
    assert city.get("/api/v1/inbox/conversations").json()["count"] == 2
    assert city.get(f"/api/v1/inbox/conversations?unit={THO_XUONG}").json()["count"] == 1


def test_detail_and_reply_outside_scope_are_404_and_change_nothing(
    unit, always_on, make_staff, api_client
):
    other = _web(unit, TRAN_NGUYEN_HAN)
    client = api_client(make_staff(THO_XUONG, "duty_officer"))
    assert client.get(f"/api/v1/inbox/conversations/{other.pk}").status_code == 404
    response = client.post(
        f"/api/v1/inbox/conversations/{other.pk}/messages",
        {"text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert other.messages.count() == 1


def test_reply_records_first_response_and_resolution(unit, always_on, make_staff, api_client):
    conversation = _web(unit, THO_XUONG, text="Tôi muốn hỏi về đăng ký tạm trú")
    client = api_client(make_staff(THO_XUONG, "duty_officer"))
    url = f"/api/v1/inbox/conversations/{conversation.pk}"
    response = client.post(url + "/messages", {"text": "Chào bạn"}, content_type="application/json")
    assert response.status_code == 201
    detail = client.get(url).json()
    assert [(m["direction"], m["text"]) for m in detail["messages"]] == [
        ("in", "Tôi muốn hỏi về đăng ký tạm trú"),
        ("out", "Chào bạn"),
    ]
    assert set(detail["messages"][0]) >= {"id", "direction", "text", "sent_at", "delivery"}
    assert detail["messages"][1]["delivery"] == "sent"
    assert detail["status"] == "waiting" and detail["first_response_seconds"] is not None
    resolved = client.post(url + "/status", {"status": "resolved"}, content_type="application/json")
    assert resolved.json()["resolution_seconds"] is not None
    # The citizen writes again: the conversation reopens, the same one.
    _web(unit, THO_XUONG, text="Cảm ơn")
    conversation.refresh_from_db()
    assert conversation.status == "open" and Conversation.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * (Message.MAX_TEXT + 1)])
def test_bad_reply_is_refused_with_a_clear_message(unit, always_on, make_staff, api_client, text):
    conversation = _web(unit, THO_XUONG)
    client = api_client(make_staff(THO_XUONG, "duty_officer"))
    response = client.post(
        f"/api/v1/inbox/conversations/{conversation.pk}/messages",
        {"text": text},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]
    assert conversation.messages.count() == 1


def test_notes_and_assignment(unit, always_on, make_staff, api_client):
    conversation = _web(unit, THO_XUONG)
    officer = make_staff(THO_XUONG, "duty_officer")
    outsider = make_staff(TRAN_NGUYEN_HAN, "duty_officer")
    client = api_client(officer)
    url = f"/api/v1/inbox/conversations/{conversation.pk}"
    assert (
        client.post(
            url + "/notes", {"text": "Gọi lại"}, content_type="application/json"
        ).status_code
        == 201
    )
    bad = client.post(url + "/assign", {"assignee": outsider.pk}, content_type="application/json")
    assert bad.status_code == 400
    ok = client.post(url + "/assign", {"assignee": officer.pk}, content_type="application/json")
    assert ok.json()["assignee"] == officer.pk
    assert client.get("/api/v1/inbox/conversations?assignee=me").json()["count"] == 1
    counts = client.get("/api/v1/inbox/counts").json()
    assert counts == [
        {
            "unit": THO_XUONG,
            "name": conversation.unit.name,
            "unread": 1,
            "conversations": 1,
            "urgent": 0,
        }
    ]


def test_emergency_is_answered_at_once_with_the_right_number(unit, always_on):
    conversation = _web(unit, THO_XUONG, text="Cứu với, nhà tôi đang cháy ở ngõ 5")
    conversation.refresh_from_db()
    assert conversation.is_urgent
    auto = conversation.messages.get(direction="out")
    assert auto.is_automatic and "114" in auto.text
    assert conversation.first_response_at is None  # an automatic answer is not a response


def test_emergency_reply_and_note_read_naturally(unit, always_on):
    """ "hãy gọi ngay 113 (Công an)", once, not "Công an (113): số 113"; the officers' note
    names the service in Vietnamese, not the classifier's internal kind."""
    conversation = _web(unit, THO_XUONG, text="co nguoi dang cuop xe may o cho")
    auto = conversation.messages.get(direction="out").text
    assert "hãy gọi ngay 113 (Công an)." in auto
    assert auto.count("113") == 1 and "số 113" not in auto
    note = conversation.notes.get().text
    assert note.startswith("Tin khẩn cấp, số cần gọi: 113 (Công an).")
    assert "police" not in note
    fire = rules.emergency_reply(rules.Urgency(is_urgent=True, kind="fire", number="114"))
    assert "hãy gọi ngay 114 (Cứu hỏa, cứu nạn)." in fire


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("co nguoi dang cuop xe may o cho", "113"),
        ("Có người bất tỉnh giữa đường", "115"),
        ("hoa hoan o xuong go", "114"),
        ("Cho hỏi thủ tục làm căn cước", ""),
        ("chay bo buoi sang o cong vien", ""),
    ],
)
def test_classify_urgency_is_conservative(text, number):
    assert rules.classify_urgency(text).number == number


def test_out_of_hours_reply_with_hotline(unit):
    desk = unit(THO_XUONG)
    tz = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    sunday_night = dt.datetime(2026, 11, 29, 22, 0, tzinfo=tz)
    monday_morning = dt.datetime(2026, 11, 30, 9, 0, tzinfo=tz)
    assert not rules.is_on_duty(desk, sunday_night)
    assert rules.is_on_duty(desk, monday_morning)
    assert rules.duty_windows("Thứ Hai – Thứ Sáu 7:30–11:30; trực ban 24/7") is None
    desk.office_hours = "Thứ Hai – Thứ Bảy 7:00–7:01"  # closed nearly all the time
    desk.save(update_fields=["office_hours"])
    conversation = _web(unit, THO_XUONG, text="Xin chào")
    _web(unit, THO_XUONG, text="Có ai không")
    autos = conversation.messages.filter(is_automatic=True)
    assert autos.count() == 1  # once per quiet period, not per message
    assert desk.duty_phone in autos[0].text or desk.hotline in autos[0].text


def test_a_reply_locks_its_conversation_inside_one_transaction(unit, always_on, make_staff):
    """``message_reply`` locks the conversation (select_for_update), which PostgreSQL allows only
    inside a transaction; SQLite ignores the lock, so this checks that the reply opens an atomic
    block of its own (deeper than the test's)."""
    from django.db import connection

    conversation = _web(unit, THO_XUONG)
    officer = make_staff(THO_XUONG, "duty_officer")
    depth = len(connection.atomic_blocks)
    seen = []
    reply = message_services._reply  # looked up in the module of message_reply

    def spy(**kwargs):
        seen.append(len(connection.atomic_blocks))
        return reply(**kwargs)

    message_services._reply = spy
    try:
        services.message_reply(conversation=conversation, by=officer, text="Chào bạn")
    finally:
        message_services._reply = reply
    assert seen and seen[0] > depth
