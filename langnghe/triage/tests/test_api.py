import pytest
from django.core.cache import cache

from langnghe.triage import api as triage_api

URL = "/api/v1/triage"


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    from django_ratelimit import core

    # One fixed window, so a test never straddles a minute boundary.
    monkeypatch.setattr(core, "_get_window", lambda value, period: 1_700_000_000)
    cache.clear()
    yield
    cache.clear()


def post(client, body, **extra):
    return client.post(URL, body, content_type="application/json", **extra)


@pytest.mark.django_db
def test_anonymous_caller_gets_a_label(client):
    response = post(client, {"text": "co nguoi dang cam dao chem nhau o cho, nhanh len"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"category", "urgent", "hotline", "confidence"}
    assert body["urgent"] is True and body["hotline"] == "113"


@pytest.mark.django_db
def test_staff_token_works_and_is_not_rate_limited(api_client, make_staff, monkeypatch):
    monkeypatch.setattr(triage_api, "ANONYMOUS_RATE", "2/m")
    staff = api_client(make_staff("BG-X07201", "duty_officer"))
    for _ in range(4):
        response = post(staff, {"text": "cho em hỏi làm hộ chiếu ở đâu"})
        assert response.status_code == 200
        assert response.json()["category"] == "procedure_question"


@pytest.mark.django_db
def test_anonymous_callers_are_rate_limited(client, monkeypatch):
    monkeypatch.setattr(triage_api, "ANONYMOUS_RATE", "3/m")
    codes = [post(client, {"text": "alo"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    assert "quá nhiều" in post(client, {"text": "alo"}).json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   \n "}, {"text": None}, {}])
def test_empty_text_is_400_in_vietnamese(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "empty"
    assert "nội dung" in response.json()["detail"]


@pytest.mark.django_db
def test_malformed_body_is_a_client_error(client):
    assert client.post(URL, "{not json", content_type="application/json").status_code < 500
    assert post(client, {"text": ["a", "b"]}).status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "x" * 20000,
        "cháy nhà " + "a" * 10000,
        "😀🔥🙏",
        "Help! Someone is drowning in the lake",
        "你好",
        "\u202e\u0000tin nhắn lạ\ufeff",
        "<script>alert(1)</script>",
        "１２３ ＡＢＣ",
    ],
)
def test_any_text_gets_a_category_never_5xx(client, text):
    response = post(client, {"text": text})
    assert response.status_code == 200
    assert response.json()["category"] in (
        "crime_report",
        "public_order",
        "procedure_question",
        "service_feedback",
        "other",
    )


@pytest.mark.django_db
def test_long_text_is_classified_on_its_first_part(client):
    urgent_start = "Cháy nhà ở thôn Đông, có người mắc kẹt! " + "chi tiết " * 2000
    body = post(client, {"text": urgent_start}).json()
    assert body["urgent"] is True and body["hotline"] == "114"
