"""Every public POST is rate-limited per client address: the request after the limit is refused
with 429 and a Vietnamese message, and that refused request stores nothing.

Each test sends exactly ``limit`` requests, which must not be refused, then one more, which
must be — so a limit that is missing, too loose or counting the wrong thing fails here.
"""

import json
import uuid

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from conftest import THO_XUONG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters(monkeypatch):
    """Empty counters, and a clock that stands still: django-ratelimit's fixed windows would
    otherwise reset mid-test now and then (a flaky pass, never a flaky failure)."""
    import time
    import types

    import django_ratelimit.core

    frozen = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: frozen))
    cache.clear()
    yield
    cache.clear()


def _rows(model) -> int:
    return model.objects.count()


def hammer(send, *, limit: int, model):
    """``limit`` requests pass the limiter; the next is 429 and stores nothing."""
    for i in range(limit):
        response = send(i)
        assert response.status_code != 429, f"refused after {i} requests, limit is {limit}"
    before = _rows(model)
    response = send(limit)
    assert response.status_code == 429, f"request {limit + 1} answered {response.status_code}"
    assert _rows(model) == before
    return response


def _api_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_case_create_api_is_limited():
    from langnghe.cases.models import Case

    client = Client()
    # An unknown category reaches the handler (and the limiter) but stores nothing: fast.
    bad = {"category": "no_such", "description": "x", "anonymous": True}
    for _ in range(10):
        assert _api_json(client, "/api/v1/cases", bad).status_code == 400
    good = {"category": "other", "description": "Đèn đường hỏng ở ngõ 3.", "anonymous": True}
    before = _rows(Case)
    response = _api_json(client, "/api/v1/cases", good)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "quá nhiều" in response.json()["detail"]
    assert _rows(Case) == before
    cache.clear()  # the window passes: the same client is served again
    assert _api_json(client, "/api/v1/cases", good).status_code == 201


def test_case_report_page_is_limited():
    from langnghe.cases.models import Case

    client = Client()
    body = {"category": "no_such", "description": "x", "anonymous": "1"}
    response = hammer(lambda i: client.post("/phan-anh/", data=body), limit=10, model=Case)
    assert "quá nhiều" in response.content.decode().lower() or response.status_code == 429


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/track", "/api/v1/cases/track/messages"], ids=["track", "messages"]
)
def test_receipt_tracking_api_is_limited(url):
    from langnghe.cases.models import CaseEntry

    client = Client()
    body = {"receipt": "AAAA-BBBB-CCCC-DDDD", "body": "Tôi bổ sung thông tin."}
    hammer(lambda i: _api_json(client, url, body), limit=10, model=CaseEntry)


def test_receipt_attachment_api_is_limited():
    from langnghe.cases.models import CaseAttachment

    client = Client()

    def send(i):
        from io import BytesIO

        return client.post(
            "/api/v1/cases/track/attachments",
            data={"receipt": "AAAA-BBBB-CCCC-DDDD", "file": BytesIO(b"%PDF-1.4 test")},
        )

    hammer(send, limit=10, model=CaseAttachment)


def test_receipt_page_is_limited():
    from langnghe.cases.models import CaseEntry

    client = Client()
    hammer(
        lambda i: client.post("/phan-anh/bien-nhan/", data={"receipt": f"WRONG-{i}"}),
        limit=10,
        model=CaseEntry,
    )


def test_receipt_tracking_limit_is_shared_across_endpoints():
    """Guessing receipts by alternating endpoints does not multiply the budget."""
    client = Client()
    body = {"receipt": "AAAA-BBBB-CCCC-DDDD", "body": "x"}
    for i in range(10):
        url = "/api/v1/cases/track" if i % 2 else "/api/v1/cases/track/messages"
        assert _api_json(client, url, body).status_code != 429
    assert _api_json(client, "/api/v1/cases/track", body).status_code == 429


@override_settings(LANGNGHE_SURVEY_IP_LIMIT=5)
def test_survey_response_api_is_limited_per_address():
    from langnghe.surveys.models import SurveyResponse

    client = Client()

    def send(i):
        body = {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": "4"}}
        return _api_json(client, "/api/v1/surveys/responses", body)

    response = hammer(send, limit=5, model=SurveyResponse)
    assert response.json()["code"] == "rate_limited"


def test_survey_response_api_is_limited_per_device():
    from langnghe.surveys.models import SurveyResponse
    from langnghe.surveys.services import DEVICE_LIMIT
    from langnghe.surveys.web import DEVICE_HEADER

    header = {DEVICE_HEADER: "device-token-for-the-test"}
    client = Client(**header)

    def send(i):
        body = {"unit": THO_XUONG, "client_id": str(uuid.uuid4()), "answers": {"overall": "5"}}
        return _api_json(client, "/api/v1/surveys/responses", body)

    hammer(send, limit=DEVICE_LIMIT, model=SurveyResponse)


@override_settings(LANGNGHE_SURVEY_IP_LIMIT=5)
def test_survey_page_is_limited():
    from langnghe.surveys.models import SurveyResponse
    from langnghe.surveys.security import form_key

    client = Client()
    key = form_key(THO_XUONG)

    def send(i):
        return client.post(
            f"/khao-sat/{THO_XUONG}/",
            data={"k": key, "client_id": str(uuid.uuid4()), "q_overall": "5"},
        )

    hammer(send, limit=5, model=SurveyResponse)


def test_web_chat_api_is_limited():
    from langnghe.inbox.models import Message

    client = Client()

    def send(i):
        return _api_json(
            client, f"/api/v1/inbox/webchat/{THO_XUONG}", {"text": f"Xin hỏi lần {i}", "token": ""}
        )

    response = hammer(send, limit=20, model=Message)
    assert "quá nhanh" in response.json()["detail"]


def test_web_chat_page_is_limited():
    from langnghe.inbox.models import Message

    client = Client()
    hammer(
        lambda i: client.post(f"/tro-chuyen/{THO_XUONG}/", data={"text": f"Câu hỏi {i}"}),
        limit=20,
        model=Message,
    )


def test_login_is_limited_per_address(make_staff):
    """20 tries a minute from one address, then 429 — even with the right password."""
    from django.contrib.sessions.models import Session

    make_staff(THO_XUONG, "viewer", username="ratelimited_officer")
    client = Client()
    for i in range(20):
        response = client.post(
            "/staff/login/", data={"username": "ratelimited_officer", "password": f"wrong-{i}"}
        )
        assert response.status_code == 200
    response = client.post(
        "/staff/login/", data={"username": "ratelimited_officer", "password": "password-123"}
    )
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not any(s.get_decoded().get("_auth_user_id") for s in Session.objects.all())


def test_open311_post_is_limited():
    from langnghe.cases.models import Case

    client = Client()
    hammer(
        lambda i: client.post(
            "/open311/v2/requests.json", data={"api_key": "wrong", "service_code": "other"}
        ),
        limit=30,
        model=Case,
    )


def test_every_public_post_is_in_this_file():
    """A new public POST in the API must get a rate-limit test here."""
    from langnghe.api import api

    covered = {
        "/api/v1/cases",
        "/api/v1/cases/track",
        "/api/v1/cases/track/messages",
        "/api/v1/cases/track/attachments",
        "/api/v1/surveys/responses",
        "/api/v1/inbox/webchat/{unit_code}",
    }
    public_posts = {
        path
        for path, ops in api.get_openapi_schema()["paths"].items()
        for method, op in ops.items()
        if method == "post" and not op.get("security")
    }
    assert public_posts <= covered, f"untested public POST: {sorted(public_posts - covered)}"
