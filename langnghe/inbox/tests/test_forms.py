"""The desk's pages parse their POSTs with forms: bad input is a Vietnamese message on the page
(200 after the redirect), never a 500, and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import THO_XUONG
from langnghe.inbox import services
from langnghe.inbox.models import CannedReply, DutyShift

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(client, make_staff):
    user = make_staff(THO_XUONG, "supervisor", "chief")
    client.force_login(user)
    return user


def test_roster_refuses_a_shift_id_that_is_not_a_number(client, chief, unit, make_staff):
    now = timezone.now()
    shift = services.duty_shift_create(
        unit=unit(THO_XUONG),
        officer=make_staff(THO_XUONG, "duty_officer", "lead"),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        is_lead=False,
        by=chief,
    )
    page = client.post("/staff/inbox/lich-truc/", {"cancel": "abc"}, follow=True)
    assert page.status_code == 200 and "Yêu cầu không hợp lệ." in page.content.decode()
    shift.refresh_from_db()
    assert shift.ends_at > timezone.now() and DutyShift.objects.count() == 1


def test_roster_refuses_a_shift_without_times(client, chief):
    page = client.post(
        "/staff/inbox/lich-truc/",
        {"officer": chief.pk, "day": timezone.localdate(), "start": "", "end": "25:00"},
        follow=True,
    )
    assert page.status_code == 200
    assert "Hãy chọn ngày, giờ bắt đầu và giờ kết thúc của ca trực." in page.content.decode()
    assert not DutyShift.objects.exists()


def test_canned_replies_refuse_a_delete_id_that_is_not_a_number(client, chief, unit):
    services.canned_reply_create(unit=unit(THO_XUONG), title="Chào", text="Xin chào", by=chief)
    page = client.post("/staff/inbox/mau-tra-loi/", {"delete": "abc"}, follow=True)
    assert page.status_code == 200 and "Không tìm thấy mẫu trả lời." in page.content.decode()
    assert CannedReply.objects.count() == 1


def test_a_reply_with_an_action_the_page_never_shows_sends_nothing(client, unit, make_staff):
    from langnghe.inbox.models import Conversation

    client.post(
        f"/api/v1/inbox/webchat/{THO_XUONG}", {"text": "Hỏi"}, content_type="application/json"
    )
    conversation = Conversation.objects.get()
    client.force_login(make_staff(THO_XUONG, "duty_officer"))
    page = client.post(
        f"/staff/inbox/{conversation.pk}/", {"text": "Nội dung", "action": "zzz"}, follow=True
    )
    assert page.status_code == 200 and "Thao tác không hợp lệ." in page.content.decode()
    assert not conversation.messages.filter(text="Nội dung").exists()


def test_a_canned_title_too_long_is_not_told_to_split_into_messages(client, chief):
    page = client.post(
        "/staff/inbox/mau-tra-loi/", {"title": "T" * 101, "text": "Xin chào"}, follow=True
    )
    body = page.content.decode()
    assert "Tên mẫu dài 101 ký tự, vượt quá giới hạn 100 ký tự." in body
    assert "tách thành nhiều tin" not in body and not CannedReply.objects.exists()
