"""Issue 26: the desk never suggests a police procedure the search is not confident of."""

import pytest

from langnghe.inbox import services
from langnghe.procedures.selectors import search_index_invalidate
from langnghe.procedures.services import procedure_catalogue_load_bundled

pytestmark = pytest.mark.django_db

THO_XUONG = "BG-X07201"


@pytest.fixture
def desk(unit, make_staff, api_client):
    search_index_invalidate()
    procedure_catalogue_load_bundled()
    search_index_invalidate()
    u = unit(THO_XUONG)
    u.office_hours = "trực ban 24/7"
    u.save(update_fields=["office_hours"])
    client = api_client(make_staff(THO_XUONG, "duty_officer"))

    def suggestion_for(text: str, citizen: str = "w-1"):
        conversation = services.message_receive(
            unit=u, channel="web", external_id=citizen, text=text
        ).conversation
        return client.get(f"/api/v1/inbox/conversations/{conversation.pk}").json()["suggestion"]

    yield suggestion_for
    search_index_invalidate()


def test_a_confident_question_gets_its_procedure(desk):
    suggestion = desk("cho em hỏi làm hộ chiếu cần giấy tờ gì")
    assert suggestion["kind"] == "procedure"
    assert suggestion["procedure"].startswith("Cấp hộ chiếu phổ thông")


def test_another_agencys_procedure_is_named_not_a_police_one(desk):
    suggestion = desk("cho em hỏi xin giấy phép bán lẻ rượu ở đâu")
    assert suggestion["kind"] == "elsewhere"
    assert suggestion["procedure"] == ""
    assert "Chúng tôi chưa tìm thấy thủ tục của Công an phù hợp" in suggestion["text"]
    assert "Việc này do" in suggestion["text"] and suggestion["url"].startswith("https://")


def test_a_question_no_procedure_fits_suggests_no_procedure(desk):
    suggestion = desk("giá vàng hôm nay bao nhiêu")
    assert suggestion is None or (suggestion["kind"] != "procedure" and not suggestion["procedure"])


def test_a_crime_report_points_to_a_tip_and_113_not_a_driving_licence(desk):
    suggestion = desk("con toi bi danh")
    assert suggestion["kind"] == "crime_report"
    assert suggestion["procedure"] == ""
    assert "113" in suggestion["text"]
    assert "lái xe" not in suggestion["text"]


def test_the_console_shows_no_procedure_when_not_confident(desk, unit, make_staff, client):
    desk("cấp sổ hộ nghèo", citizen="w-9")
    from langnghe.inbox.models import Conversation

    conversation = Conversation.objects.get(external_id="w-9")
    client.force_login(make_staff(THO_XUONG, "duty_officer", username="desk2"))
    page = client.get("/staff/inbox/", {"c": conversation.pk}).content.decode()
    assert "Gợi ý từ danh mục thủ tục" not in page
    assert "Chưa có thủ tục của Công an phù hợp" in page
