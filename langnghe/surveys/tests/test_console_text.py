"""What the survey console pages say: ratings in words, no internal codes."""

import re
import uuid

import pytest

from langnghe.surveys.models import SurveyResponse
from langnghe.surveys.services import response_flag_set

pytestmark = pytest.mark.django_db

THO_XUONG, PROVINCE = "BG-X07201", "BG"


def _respond(client, answers: dict, comment: str, n: int) -> SurveyResponse:
    posted = client.post(
        "/api/v1/surveys/responses",
        {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": answers, "comment": comment},
        content_type="application/json",
        REMOTE_ADDR=f"10.0.1.{n}",
    )
    assert posted.status_code == 201, posted.content
    return SurveyResponse.objects.get(pk=posted.json()["id"])


def _badges(page: str, comment: str) -> list[str]:
    item = re.search(rf"<li><div class=\"row\"><span>{comment}.*?</li>", page, re.S).group(0)
    return re.findall(r'<span class="badge[^"]*">([^<]+)</span>', item)


def test_comment_badge_shows_the_overall_rating_and_names_the_lowest_answer(client, make_staff):
    _respond(client, {"overall": "5", "staff": "2"}, "Hài lòng nhưng cán bộ chậm", 1)
    _respond(client, {"overall": "2"}, "Chờ quá lâu", 2)
    client.force_login(make_staff(PROVINCE, "supervisor"))
    page = client.get("/staff/surveys/", {"unit": THO_XUONG}).content.decode()

    # Overall "Rất hài lòng" though one answer was "Không hài lòng": both said, each by name.
    assert _badges(page, "Hài lòng nhưng cán bộ chậm") == [
        "Hài lòng chung: Rất hài lòng",
        "Câu thấp nhất: Không hài lòng",
    ]
    assert _badges(page, "Chờ quá lâu") == ["Hài lòng chung: Không hài lòng"]
    assert "mức 2/5" not in page


def test_template_list_and_flagged_reasons_read_as_words(client, make_staff):
    response = _respond(client, {"overall": "4"}, "Bình thường", 4)
    response_flag_set(response=response, flagged=True, by=None, reason="ip_burst")
    client.force_login(make_staff(PROVINCE, "supervisor"))

    templates = client.get("/staff/surveys/templates/").content.decode()
    visible = re.sub(r"<[^>]+>", " ", templates)  # text only: codes stay in form values
    assert "sipas" not in visible and "mot-cua" not in visible
    assert re.search(
        r"Phiếu đánh giá sự hài lòng về phục vụ hành chính</strong> · 6 câu hỏi · phiên bản 1",
        templates,
    )

    flagged = client.get("/staff/surveys/flagged/").content.decode()
    assert "Nhiều phiếu dồn dập từ một địa chỉ mạng" in flagged
    assert "ip_burst" not in flagged
