"""The machine lane (core.lanes.machine_lane): the Zalo webhook and the survey response API
answer as their views do, without the session and login middleware, with one retry on a
connection a restart broke; every other path and method goes through the whole stack."""

import uuid
from unittest import mock

import pytest
from django.db import OperationalError

from langnghe.connectors import services
from langnghe.core import lanes
from langnghe.surveys import services as survey_services
from langnghe.surveys.api import SurveyResponseOut
from langnghe.surveys.models import SurveyResponse

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


SURVEY_URL = "/api/v1/surveys/responses"


def _answers():
    return {"overall": "5"}


@pytest.mark.django_db
def test_survey_response_in_the_lane_is_stored_once_and_sets_no_session(client, unit):
    unit("BG-X07201")
    body = {"unit": "BG-X07201", "client_id": str(uuid.uuid4()), "answers": _answers()}
    r = client.post(SURVEY_URL, data=body, content_type="application/json")
    assert r.status_code == 201, r.content
    out = SurveyResponseOut.model_validate(r.json())  # the documented answer, field for field
    assert out.created and str(out.client_id) == body["client_id"] and out.unit == "BG-X07201"
    assert "sessionid" not in r.cookies and "csrftoken" not in r.cookies
    again = client.post(SURVEY_URL, data=body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert SurveyResponse.objects.filter(client_id=body["client_id"]).count() == 1
    bad = client.post(SURVEY_URL, data=b"{", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_json"  # the API's JSON error
    assert "JSON hợp lệ" in bad.json()["detail"]
    # Not a lane method: the ordinary stack (and ninja's 405).
    assert client.get(SURVEY_URL).status_code == 405


@pytest.mark.django_db
def test_survey_response_retried_once_on_a_broken_connection_then_503(client, unit):
    unit("BG-X07201")
    body = {"unit": "BG-X07201", "client_id": str(uuid.uuid4()), "answers": _answers()}
    real, calls = survey_services.response_submit, []

    def broken_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    # The lane closes the broken connection before retrying; here that connection holds the
    # test's own transaction, so closing it is only recorded.
    with (
        mock.patch.object(survey_services, "response_submit", side_effect=broken_once),
        mock.patch.object(lanes.connection, "close") as close,
    ):
        r = client.post(SURVEY_URL, data=body, content_type="application/json")
    assert close.called
    assert r.status_code == 201 and len(calls) == 2
    assert SurveyResponse.objects.filter(client_id=body["client_id"]).count() == 1
    down = OperationalError("down")
    with mock.patch.object(survey_services, "response_submit", side_effect=down):
        r = client.post(SURVEY_URL, data=body, content_type="application/json")
    assert r.status_code == 503 and r["Retry-After"]


@pytest.mark.django_db
def test_a_refused_survey_response_is_answered_in_the_lane_by_the_api_handlers(client):
    """A refusal of the service (here: an unknown unit) is answered with the API's own error
    JSON, the service called once (not again through the view)."""
    body = {"unit": "BG-KHONG-CO", "client_id": str(uuid.uuid4()), "answers": {"overall": "5"}}
    real = survey_services.response_submit
    with mock.patch.object(survey_services, "response_submit", side_effect=real) as submit:
        r = client.post("/api/v1/surveys/responses", body, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "unit_not_found"
    assert "Không có đơn vị" in r.json()["detail"] and not r.cookies
    assert submit.call_count == 1
    # The same refusal through django-ninja (a NUL to clean sends the body to the view): the
    # same bytes and the same content type as the lane's answer.
    through_view = client.post(
        "/api/v1/surveys/responses",
        {**body, "comment": "\u0000"},
        content_type="application/json",
    )
    assert through_view.status_code == 404
    assert through_view.content == r.content
    assert through_view["Content-Type"] == r["Content-Type"]


@pytest.mark.django_db
def test_answers_carry_their_length_so_the_server_does_not_chunk_them(client):
    """Every whole answer says its length (security_headers), the lane's included: without it
    gunicorn sends the body chunked, one more write per request."""
    for r in (
        client.get("/healthz"),
        client.post(URL, data=b"{}", content_type="application/json"),  # the lane's 404
        client.post("/api/v1/surveys/responses", data=b"{}", content_type="application/json"),
    ):
        assert r.has_header("Content-Length"), r
        assert int(r["Content-Length"]) == len(r.content) > 0


@pytest.mark.django_db
def test_the_usual_survey_response_never_enters_django_ninja(client, unit):
    """What the lane buys (docs/benchmarks.md, "What each speed mechanism buys"): a valid
    response is answered by the lane's own handler, django-ninja's operation never runs; a
    request the handler leaves (here a body that is not JSON) goes through ninja as always."""
    from ninja.operation import Operation

    unit("BG-X07201")
    body = {"unit": "BG-X07201", "client_id": str(uuid.uuid4()), "answers": _answers()}
    real = Operation.run
    with mock.patch.object(Operation, "run", autospec=True, side_effect=real) as run:
        assert client.post(SURVEY_URL, body, content_type="application/json").status_code == 201
        assert run.call_count == 0
        bad = client.post(SURVEY_URL, data=b"{", content_type="application/json")
        assert bad.status_code == 400
        assert run.call_count == 1  # the control: the patch does see ninja's calls
