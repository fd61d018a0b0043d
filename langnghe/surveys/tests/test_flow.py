"""End-to-end through HTTP: QR → decoded URL → form → response → results up the tree."""

import io
import re
import uuid

import pytest
import zxingcpp
from PIL import Image

from langnghe.surveys.models import DailyCount, MonthlyCount, SurveyResponse
from langnghe.surveys.services import counters_fold

pytestmark = pytest.mark.django_db

THO_XUONG, CITY, PROVINCE, OTHER_DISTRICT = "BG-X07201", "BG-H213", "BG", "BG-H215"


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "exactly one QR code in the picture"
    return found[0].text


def results(api, code, **params):
    response = api.get("/api/v1/surveys/results", {"unit": code, **params})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def supervisor_api(make_staff, api_client):
    return api_client(make_staff(PROVINCE, "supervisor"))


def test_qr_decodes_to_a_working_form_and_counts_up_the_tree(client, supervisor_api):
    png = client.get(f"/api/v1/surveys/qr/{THO_XUONG}.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    url = decode_qr(png.content)
    assert url.startswith(f"http://testserver/khao-sat/{THO_XUONG}/?k=")

    before = {
        code: results(supervisor_api, code)["responses"]
        for code in (THO_XUONG, CITY, PROVINCE, OTHER_DISTRICT)
    }
    page = client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Công an phường Thọ Xương" in html
    client_id = re.search(r'name="client_id" value="([0-9a-f-]{36})"', html).group(1)
    key = re.search(r'name="k" value="([^"]+)"', html).group(1)

    posted = client.post(
        f"/khao-sat/{THO_XUONG}/",
        {
            "k": key,
            "client_id": client_id,
            "q_staff": "5",
            "q_overall": "4",
            "q_procedure": "2",
            "comment": "Thủ tục còn rườm rà",
            "dossier_code": "",
        },
    )
    assert posted.status_code == 302 and "/cam-on/" in posted["Location"]
    assert client.get(posted["Location"]).status_code == 200

    for code in (THO_XUONG, CITY, PROVINCE):
        body = results(supervisor_api, code)
        assert body["responses"] == before[code] + 1, code
    assert results(supervisor_api, OTHER_DISTRICT)["responses"] == before[OTHER_DISTRICT]
    commune = results(supervisor_api, THO_XUONG)
    assert commune["elements"]["staff"]["distribution"]["5"] >= 1
    assert commune["elements"]["procedure"]["distribution"]["2"] >= 1
    # Repeating the same client_id (double tap, back button, offline retry) counts once.
    again = client.post(
        f"/khao-sat/{THO_XUONG}/", {"k": key, "client_id": client_id, "q_overall": "1"}
    )
    assert again.status_code == 302
    assert results(supervisor_api, PROVINCE)["responses"] == before[PROVINCE] + 1
    assert SurveyResponse.objects.filter(client_id=client_id).count() == 1


def test_api_submission_is_idempotent_and_index_is_share_of_satisfied(client, supervisor_api):
    form = client.get(f"/api/v1/surveys/form/{THO_XUONG}").json()
    assert form["template"]["code"] == "sipas"
    ids = [q["id"] for q in form["questions"]]
    assert ids == ["access", "procedure", "staff", "result", "feedback", "overall"]
    assert [c["label"] for c in form["questions"][0]["choices"]][0] == "Rất hài lòng"
    client_id = str(uuid.uuid4())
    payload = {
        "unit": THO_XUONG,
        "client_id": client_id,
        "key": form["key"],
        "answers": {"overall": 5, "staff": "2"},
        "comment": "",
        "dossier_code": "",
    }
    first = client.post("/api/v1/surveys/responses", payload, content_type="application/json")
    assert first.status_code == 201, first.content
    second = client.post("/api/v1/surveys/responses", payload, content_type="application/json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"] and second.json()["created"] is False
    for overall in ("4", "2", "1"):
        client.post(
            "/api/v1/surveys/responses",
            {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": overall}},
            content_type="application/json",
            REMOTE_ADDR=f"10.0.0.{overall}",
        )
    body = results(supervisor_api, THO_XUONG)
    overall = body["elements"]["overall"]
    assert overall["answers"] == 4 and overall["satisfied"] == 2
    assert body["index"] == 50.0
    assert body["elements"]["staff"]["index"] == 0.0


def test_one_rating_per_dossier_per_unit(client):
    def post(unit):
        return client.post(
            "/api/v1/surveys/responses",
            {
                "unit": unit,
                "client_id": str(uuid.uuid4()),
                "answers": {"overall": "5"},
                "dossier_code": "hs-2024/001",
            },
            content_type="application/json",
        )

    assert post(THO_XUONG).status_code == 201
    second = post(THO_XUONG)
    assert second.status_code == 409 and "đã được đánh giá" in second.json()["detail"]
    assert post("BG-X07204").status_code == 201  # another unit may rate the same code
    assert SurveyResponse.objects.filter(dossier_code="HS-2024/001").count() == 2


def test_shared_qr_leads_to_unit_search_without_diacritics(client):
    url = decode_qr(client.get("/api/v1/surveys/qr/shared.png").content)
    assert url == "http://testserver/khao-sat/"
    page = client.get("/khao-sat/", {"q": "tho xuong"}).content.decode()
    assert "Công an phường Thọ Xương" in page
    link = re.search(r'href="(/khao-sat/BG-X07201/\?k=[^"]+)"', page).group(1)
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and 'name="src" value="chung"' in form.content.decode()


def test_svg_qr(client):
    response = client.get(f"/api/v1/surveys/qr/{THO_XUONG}.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_counters_match_responses(client):
    """The incremental counters equal a recount from the responses themselves."""
    for i, value in enumerate(["5", "4", "3", "5"]):
        client.post(
            "/api/v1/surveys/responses",
            {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": value}},
            content_type="application/json",
            REMOTE_ADDR=f"10.1.0.{i}",
        )
    counters_fold()
    recount = {}
    for r in SurveyResponse.objects.filter(unit__code=THO_XUONG, is_flagged=False):
        if "overall" in r.answers:
            recount[r.answers["overall"]] = recount.get(r.answers["overall"], 0) + 1
    counters = {
        c.value: c.count
        for c in DailyCount.objects.filter(unit__code=THO_XUONG, metric="overall", flagged=False)
    }
    assert counters == recount
    monthly = {
        c.value: c.count
        for c in MonthlyCount.objects.filter(unit__code=THO_XUONG, metric="overall", flagged=False)
    }
    assert monthly == recount
