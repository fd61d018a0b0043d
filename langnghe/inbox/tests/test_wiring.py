"""The duty desk wired to triage and cases: messages are classified, a conversation becomes a
case, and the case's news comes back to the citizen in the same conversation."""

import pytest

from langnghe.cases import services as case_services
from langnghe.cases.models import Case
from langnghe.inbox import services
from langnghe.inbox.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)
THO_XUONG = "BG-X07201"


@pytest.fixture
def desk(unit, demo_network):
    from langnghe.cases.models import Category

    if not Category.objects.exists():  # transactional tests empty the migration's data too
        from django.core.management import call_command

        call_command("cases_categories")
    tho_xuong = unit(THO_XUONG)
    tho_xuong.office_hours = "trực ban 24/7"
    tho_xuong.save(update_fields=["office_hours"])
    return tho_xuong


def test_incoming_messages_are_triaged(desk):
    message = services.message_receive(
        unit=desk,
        channel="web",
        external_id="c1",
        text="cho em hoi lam can cuoc cho con 14 tuoi can gi",
    )
    assert message.triage_category == "procedure_question"


def test_conversation_becomes_a_case_and_news_comes_back(desk, make_staff, api_client):
    officer = make_staff(THO_XUONG, "duty_officer")
    supervisor = make_staff(THO_XUONG, "supervisor")
    services.message_receive(
        unit=desk,
        channel="web",
        external_id="c2",
        text="Tối qua có nhóm thanh niên đánh nhau, ném vỡ kính nhà tôi",
        citizen_name="Nguyễn Văn A",
        citizen_phone="0912345678",
    )
    conversation = Conversation.objects.get(external_id="c2")
    response = api_client(officer).post(
        f"/api/v1/inbox/conversations/{conversation.pk}/case", {}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["case_id"])
    assert body["category"] in {"public_order", "crime_report"}  # pre-filled by triage
    assert case.unit == desk and case.channel_ref == str(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.case_id == case.pk
    again = api_client(officer).post(
        f"/api/v1/inbox/conversations/{conversation.pk}/case", {}, content_type="application/json"
    )
    assert again.status_code == 409

    case_services.case_reply(case=case, by=supervisor, body="Công an phường đã xác minh.")
    last = conversation.messages.filter(direction="out").latest("id")
    assert "đã xác minh" in last.text and last.is_automatic


def test_outsider_cannot_turn_a_conversation_into_a_case(desk, make_staff, api_client):
    services.message_receive(unit=desk, channel="web", external_id="c3", text="Có trộm xe")
    conversation = Conversation.objects.get(external_id="c3")
    outsider = make_staff("BG-X07204", "duty_officer")
    response = api_client(outsider).post(
        f"/api/v1/inbox/conversations/{conversation.pk}/case", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not Case.objects.exists()


def test_out_of_hours_procedure_question_gets_a_self_service_answer(desk):
    from langnghe.procedures.services import procedure_catalogue_load_bundled

    procedure_catalogue_load_bundled()
    desk.office_hours = "Thứ Hai – Thứ Bảy 7:00–7:01"  # closed nearly all the time
    desk.save(update_fields=["office_hours"])
    services.message_receive(
        unit=desk, channel="web", external_id="c4", text="cho em hỏi làm hộ chiếu cần giấy tờ gì ạ"
    )
    auto = Conversation.objects.get(external_id="c4").messages.get(direction="out")
    assert auto.is_automatic and "ngoài giờ" in auto.text and "hộ chiếu" in auto.text.lower()
