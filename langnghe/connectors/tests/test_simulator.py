"""The simulator's own contract (shapes and checks), over real HTTP; no database."""

import json
import urllib.parse
import urllib.request

import pytest

from langnghe.connectors import zalo
from langnghe.connectors.simulator import ZaloSimulator


@pytest.fixture
def sim():
    s = ZaloSimulator(
        app_id="app", secret_key="oa-secret", app_secret="app-secret", access_token="at"
    ).start()
    yield s
    s.stop()


def _call(url, *, body=None, token="at", method="POST"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"access_token": token})
    with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())


def test_send_checks_and_success_shape(sim):
    send = sim.url + "/v3.0/oa/message/cs"
    assert (
        _call(send, body={"recipient": {"user_id": "u"}, "message": {"text": "x"}})["error"] == -213
    )
    sim.user("u")
    assert _call(send, body={"recipient": {}, "message": {"text": "x"}})["error"] == -201
    too_long = {"recipient": {"user_id": "u"}, "message": {"text": "x" * 2001}}
    assert _call(send, body=too_long)["error"] == -201
    ok = _call(send, body={"recipient": {"user_id": "u"}, "message": {"text": "xin chào"}})
    assert ok["error"] == 0 and set(ok["data"]) >= {"message_id", "user_id", "sent_time", "quota"}


def test_refresh_token_is_single_use_and_needs_the_app_secret(sim):
    first_refresh = sim.refresh_token
    bad = zalo.token_refresh(sim.url, app_id="app", app_secret="wrong", refresh_token=first_refresh)
    assert "access_token" not in bad
    good = zalo.token_refresh(
        sim.url, app_id="app", app_secret="app-secret", refresh_token=first_refresh
    )
    assert good["expires_in"] == "90000" and good["access_token"] == sim.access_token
    again = zalo.token_refresh(
        sim.url, app_id="app", app_secret="app-secret", refresh_token=first_refresh
    )
    assert again["error"] == -14020
    # The old access token no longer works.
    sim.user("u")
    old = _call(sim.url + "/v3.0/oa/message/cs", body={"recipient": {"user_id": "u"},
                "message": {"text": "x"}})  # fmt: skip
    assert old["error"] == -220


def test_user_detail_articles_and_broadcast(sim):
    sim.user("u", display_name="Lê Văn C")
    query = urllib.parse.urlencode({"data": json.dumps({"user_id": "u"})})
    detail = _call(f"{sim.url}/v3.0/oa/user/detail?{query}", method="GET")
    assert detail["data"]["display_name"] == "Lê Văn C" and detail["data"]["user_is_follower"]
    article = {
        "type": "normal",
        "title": "Cảnh báo lừa đảo",
        "author": "Công an phường",
        "description": "x",
        "cover": {"cover_type": "photo", "photo_url": "https://x/y.jpg", "status": "show"},
        "body": [{"type": "text", "content": "Nội dung"}],
    }
    assert (
        _call(sim.url + "/v2.0/article/create", body={**article, "title": "x" * 151})["error"]
        == -201
    )
    token = _call(sim.url + "/v2.0/article/create", body=article)["data"]["token"]
    article_id = _call(sim.url + "/v2.0/article/verify", body={"token": token})["data"]["id"]
    broadcast = {
        "recipient": {"target": {"cities": "4"}},
        "message": {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "media",
                    "elements": [{"media_type": "article", "attachment_id": article_id}],
                },
            }
        },
    }
    assert _call(sim.url + "/v2.0/oa/message", body=broadcast)["error"] == 0
    broadcast["message"]["attachment"]["payload"]["elements"][0]["attachment_id"] = "nope"
    assert _call(sim.url + "/v2.0/oa/message", body=broadcast)["error"] == -201


def test_signature_matches_the_reference_formula(sim):
    body, headers = sim.signed(sim.text_event("u", "a"))
    timestamp = json.loads(body)["timestamp"]
    assert zalo.signature_valid(
        headers["X-ZEvent-Signature"],
        app_id="app",
        body=body,
        timestamp=timestamp,
        secret_key="oa-secret",
    )
    assert not zalo.signature_valid(
        headers["X-ZEvent-Signature"], app_id="app", body=body, timestamp=timestamp,
        secret_key="app-secret",
    )  # fmt: skip
