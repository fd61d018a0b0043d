"""Fuzzing the whole API from its OpenAPI document (schemathesis): whatever a client sends,
the answer is never a server error. Runs in-process against the WSGI app, bounded examples."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from langnghe.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_test_connection():
    """The WSGI app is called directly, so — as Django's test client does — keep the test's
    database connection (and its transaction) open across requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(db, make_staff, keep_test_connection):
    from langnghe.accounts.services import api_token_create

    _record, token = api_token_create(user=make_staff("BG-H213", "supervisor"))
    return token


@pytest.mark.fuzz
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, fuzz_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_token}"}, checks=[not_a_server_error]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/?q=a%00b", "/api/v1/units?q=%00", "/api/v1/posts?unit=%00", "/thu-tuc/?q=%00"]
)
def test_nul_characters_in_queries_are_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400


@pytest.mark.django_db
def test_nul_characters_in_json_bodies_are_dropped(client):
    from langnghe.cases.models import Case

    body = {
        "category": "other",
        "description": "Đèn đường\u0000 hỏng",
        "unit": "BG-X07201",
        "reporter": {"name": "Lan\u0000", "phone": "0912345678"},
    }
    response = client.post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201
    from langnghe.cases.selectors import case_description

    assert case_description(Case.objects.get(pk=response.json()["id"])) == "Đèn đường hỏng"
