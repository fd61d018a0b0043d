"""Web chat (public, no account) and the console page."""

import pytest

from langnghe.inbox.models import Conversation

pytestmark = pytest.mark.django_db

UNIT = "BG-X07201"


@pytest.fixture(autouse=True)
def always_on(unit):
    u = unit(UNIT)
    u.office_hours = "trực ban 24/7"
    u.save(update_fields=["office_hours"])


def test_web_chat_resumes_with_its_token_and_only_its_token(client, unit):
    url = f"/api/v1/inbox/webchat/{UNIT}"
    first = client.post(
        url, {"text": "Tôi mất ví ở chợ", "name": "Lan"}, content_type="application/json"
    )
    assert first.status_code == 200
    token = first.json()["token"]
    assert "sessionid" not in first.cookies
    client.post(url, {"text": "Màu nâu", "token": token}, content_type="application/json")
    assert Conversation.objects.count() == 1
    thread = client.get(url, {"token": token}).json()["messages"]
    # The citizen's own messages (automatic answers, if any, come in between).
    assert [m["text"] for m in thread if m["direction"] == "in"] == ["Tôi mất ví ở chợ", "Màu nâu"]
    # A forged token or another unit's token reads nothing.
    assert client.get(url, {"token": token[:-2] + "xx"}).json()["messages"] == []
    other = client.get("/api/v1/inbox/webchat/BG-X07204", {"token": token}).json()
    assert other["messages"] == []
    from langnghe.inbox.selectors import conversation_identity

    conversation = Conversation.objects.get()
    assert conversation_identity(conversation) == {"name": "Lan"}
    assert "Lan" not in conversation.identity_sealed


@pytest.mark.parametrize(
    "payload", [{"text": ""}, {"text": "x" * 2001}, {"text": "hi", "phone": "abc"}]
)
def test_web_chat_bad_input(client, payload):
    response = client.post(
        f"/api/v1/inbox/webchat/{UNIT}", payload, content_type="application/json"
    )
    assert 400 <= response.status_code < 500 and response.json()["detail"]
    assert Conversation.objects.count() == 0


def test_web_chat_without_script_and_unit_page_section(client, unit):
    page = client.get(unit(UNIT).get_absolute_url())
    assert page.status_code == 200 and b'id="webchat"' in page.content
    response = client.post(f"/tro-chuyen/{UNIT}/", {"text": "Xin chào", "token": ""})
    assert response.status_code == 200 and "Xin chào" in response.content.decode()
    assert Conversation.objects.filter(channel="web").count() == 1


def test_console_page_lists_and_replies(client, make_staff):
    officer = make_staff(UNIT, "duty_officer")
    client.post(f"/api/v1/inbox/webchat/{UNIT}", {"text": "Hỏi"}, content_type="application/json")
    conversation = Conversation.objects.get()
    client.force_login(officer)
    page = client.get("/staff/inbox/")
    assert page.status_code == 200 and f'data-conversation="{conversation.pk}"' in page.text
    response = client.post(
        f"/staff/inbox/{conversation.pk}/", {"text": "Trả lời", "action": "reply"}
    )
    assert response.status_code == 302
    detail = client.get(f"/staff/inbox/?c={conversation.pk}")
    assert "Trả lời" in detail.text
    outsider = make_staff("BG-X07204", "duty_officer")
    client.force_login(outsider)
    assert f'data-conversation="{conversation.pk}"' not in client.get("/staff/inbox/").text
    client.post(f"/staff/inbox/{conversation.pk}/", {"text": "xâm nhập", "action": "reply"})
    assert not conversation.messages.filter(text="xâm nhập").exists()


def test_canned_replies_of_the_unit_and_above(client, make_staff, unit):
    from langnghe.inbox.models import CannedReply
    from langnghe.inbox.services import canned_reply_create

    province_editor = make_staff("BG", "editor")
    canned_reply_create(unit=unit("BG"), title="Cảm ơn", text="Cảm ơn anh/chị.", by=province_editor)
    supervisor = make_staff(UNIT, "supervisor")
    client.force_login(supervisor)
    client.post("/staff/unit/", {"unit": UNIT})
    client.post("/staff/inbox/mau-tra-loi/", {"title": "Giờ làm việc", "text": "7:30–17:00"})
    page = client.get("/staff/inbox/mau-tra-loi/").content.decode()
    assert "Cảm ơn" in page and "Giờ làm việc" in page
    # A duty officer may use them but not write them.
    officer = make_staff(UNIT, "duty_officer")
    client.force_login(officer)
    client.post("/staff/inbox/mau-tra-loi/", {"title": "X", "text": "Y"})
    assert not CannedReply.objects.filter(title="X").exists()
    # Another commune does not see Thọ Xương's own saved answers.
    other = make_staff("BG-X07204", "supervisor")
    client.force_login(other)
    client.post("/staff/unit/", {"unit": "BG-X07204"})
    page = client.get("/staff/inbox/mau-tra-loi/").content.decode()
    assert "Cảm ơn" in page and "Giờ làm việc" not in page


PHONE = "0987654321"


def test_without_script_the_form_shows_the_thread_and_anonymous_means_no_identity(client, unit):
    from langnghe.inbox.models import Conversation

    response = client.post(
        f"/tro-chuyen/{UNIT}/",
        {"text": "Có nhóm thanh niên tụ tập đánh bạc", "anonymous": "1", "phone": PHONE},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "tụ tập đánh bạc" in page and "Ông/bà ·" in page
    conversation = Conversation.objects.get()
    assert conversation.is_anonymous and not conversation.has_identity
    assert conversation.identity_sealed == ""
    # An unknown unit: a clear message, nothing stored.
    missing = client.post("/tro-chuyen/KHONG-CO/", {"text": "Xin chào"})
    assert missing.status_code == 404 and "Không có đơn vị này" in missing.content.decode()
    assert Conversation.objects.count() == 1


def test_an_expired_or_forged_token_starts_a_new_thread(client, settings, unit):
    from langnghe.inbox.models import Conversation

    url = f"/api/v1/inbox/webchat/{UNIT}"
    first = client.post(url, {"text": "Tin thứ nhất"}, content_type="application/json").json()
    assert first["token"]
    forged = client.post(
        url,
        {"text": "Tin giả mạo", "token": first["token"][:-3] + "abc"},
        content_type="application/json",
    ).json()
    assert forged["token"] != first["token"]
    assert [m["text"] for m in forged["messages"] if m["direction"] == "in"] == ["Tin giả mạo"]
    settings.LANGNGHE_WEBCHAT_IDLE_DAYS = 0  # every token is now past its idle period
    expired = client.get(url, {"token": first["token"]}).json()
    assert expired == {"token": "", "messages": []}
    assert Conversation.objects.count() == 2


def test_unit_chooses_how_answers_are_signed(client, make_staff, unit):
    from langnghe.inbox.models import DeskProfile
    from langnghe.inbox.services import message_reply

    chief = make_staff(UNIT, "supervisor")
    officer = make_staff(UNIT, "duty_officer")
    officer.full_name = "Đại úy Phạm Hà"
    officer.save(update_fields=["full_name"])
    url = f"/api/v1/inbox/webchat/{UNIT}"
    token = client.post(url, {"text": "Hỏi"}, content_type="application/json").json()["token"]
    message_reply(conversation=Conversation.objects.get(), by=officer, text="Trả lời")
    desk = unit(UNIT).name
    authors = [m["author"] for m in client.get(url, {"token": token}).json()["messages"]]
    assert authors[-1] == f"Trực ban {desk}"  # the default: the desk's name, not the officer's

    # A duty officer cannot change it; the commander can.
    client.force_login(officer)
    client.post("/staff/inbox/mau-tra-loi/", {"action": "signature", "signature": "officer"})
    assert not DeskProfile.objects.exists()
    assert 'id="desk-signature"' not in client.get("/staff/inbox/mau-tra-loi/").content.decode()
    client.force_login(chief)
    page = client.get("/staff/inbox/mau-tra-loi/").content.decode()
    assert page.count('id="desk-signature"') == 1 and "<title>Mẫu trả lời" in page
    client.post(
        "/staff/inbox/mau-tra-loi/",
        {"action": "signature", "signature": "officer", "desk_name": "Tổ trực ban"},
    )
    client.logout()
    authors = [m["author"] for m in client.get(url, {"token": token}).json()["messages"]]
    assert authors[-1] == "Đại úy Phạm Hà — Tổ trực ban"
