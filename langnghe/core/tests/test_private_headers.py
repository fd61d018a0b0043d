"""Response headers of private answers (langnghe.core.middleware.security_headers): no cache
keeps a staff page or an API answer with case, chat or identity content; the CSP lets scripts
open a websocket to our own origin only."""

import pytest
from django.test import Client, override_settings

from conftest import THO_XUONG
from langnghe.core.middleware import content_security_policy, websocket_origin

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_and_conversation(unit):
    from langnghe.cases import services as case_services
    from langnghe.inbox import services as inbox_services

    case, _receipt = case_services.case_create(
        category_code="other",
        description="Trộm xe ở ngõ 3, người báo: Nguyễn Văn A, 0912345678.",
        unit_code=THO_XUONG,
        address="ngõ 3",
        is_anonymous=True,
        reporter=None,
        location=None,
        channel="web",
    )
    conversation = inbox_services.message_receive(
        unit=unit(THO_XUONG), channel="web", external_id="w-1", text="Xin chào"
    ).conversation
    return case, conversation


def _no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_staff_pages_are_not_stored(client, make_staff, case_and_conversation):
    case, conversation = case_and_conversation
    officer = make_staff(THO_XUONG, "supervisor")
    assert _no_store(client.get("/staff/login/"))
    client.force_login(officer)
    for url in (
        "/staff/",
        "/staff/cases/",
        f"/staff/cases/{case.pk}/",
        "/staff/inbox/",
        f"/staff/inbox/?c={conversation.pk}",
        "/staff/insights/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_api_answers_with_case_chat_or_identity_content_are_not_stored(
    make_staff, api_client, case_and_conversation
):
    case, conversation = case_and_conversation
    client = api_client(make_staff(THO_XUONG, "supervisor"))
    for url in (
        f"/api/v1/cases/{case.pk}",
        "/api/v1/cases",
        f"/api/v1/inbox/conversations/{conversation.pk}",
        "/api/v1/inbox/conversations",
        "/api/v1/units/mine",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    # The citizen's side of the web chat too, and a refusal.
    anonymous = Client()
    assert _no_store(anonymous.get(f"/api/v1/inbox/webchat/{THO_XUONG}"))
    assert _no_store(anonymous.get(f"/api/v1/cases/{case.pk}"))


def test_public_pages_keep_their_caching(client):
    """Only private answers are marked: the public pages and the public QR image are not."""
    for url in ("/", "/thu-tuc/"):
        response = client.get(url)
        assert response.status_code == 200
        assert not _no_store(response), url
    image = client.get("/api/v1/surveys/qr/shared.png")
    assert image.headers["Cache-Control"] == "public, max-age=86400"


def test_csp_allows_websockets_to_our_own_origin_only(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["connect-src"] == ["'self'", "ws://testserver"]
    assert "ws:" not in csp.split() and "wss:" not in csp.split()
    assert "ws:" not in directives["connect-src"] and "wss:" not in directives["connect-src"]


@pytest.mark.parametrize(
    "public_url, origin",
    [
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000"),
        ("https://langnghe.bacgiang.gov.vn", "wss://langnghe.bacgiang.gov.vn"),
        ("https://[2001:db8::1]:8443", "wss://[2001:db8::1]:8443"),
    ],
)
def test_the_websocket_origin_follows_the_public_address(public_url, origin):
    assert websocket_origin(public_url) == origin
    with override_settings(LANGNGHE_PUBLIC_URL=public_url):
        assert f"connect-src 'self' {origin};" in content_security_policy()
