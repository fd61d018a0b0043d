"""The Zalo webhook's own lane (connectors.middleware.webhook_lane): the same view and answers,
without the session and login middleware, and one retry on a connection a restart broke."""

from unittest import mock

import pytest
from django.db import OperationalError

from langnghe.connectors import services

URL = "/webhooks/zalo/BG-X07201/"


@pytest.mark.django_db
def test_lane_answers_like_the_view_and_sets_no_cookie(client):
    r = client.post(URL, data=b"{}", content_type="application/json")
    assert r.status_code == 404 and r.json()["error"] == "not_connected"  # no OA connected
    assert not r.cookies  # no session, no CSRF cookie: the stack below was not run
    assert client.get(URL).status_code == 405  # the view's own method check
    missing = client.post("/webhooks/zalo/", data=b"{}", content_type="application/json")
    assert missing.status_code == 404  # not the route: the ordinary stack answers


@pytest.mark.django_db
def test_lane_retries_once_on_a_broken_connection_then_answers_503(client):
    calls = []

    def broken_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        raise services.NotFound("Đơn vị chưa kết nối Zalo OA.", code="not_connected")

    with mock.patch.object(services, "webhook_receive", side_effect=broken_once):
        assert client.post(URL, data=b"{}", content_type="application/json").status_code == 404
    assert len(calls) == 2
    with mock.patch.object(services, "webhook_receive", side_effect=OperationalError("down")):
        r = client.post(URL, data=b"{}", content_type="application/json")
    assert r.status_code == 503 and r["Retry-After"]
