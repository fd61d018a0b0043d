"""Live updates end to end: the ASGI app (websockets) under uvicorn, two console tabs."""

import json
import urllib.request

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "BG-X07201"


def test_a_message_in_one_tab_shows_in_the_other_without_reload(asgi_url, browser):
    from django.test import Client

    from langnghe.accounts.services import staff_create
    from langnghe.inbox.models import Conversation
    from langnghe.units.models import Unit

    unit = Unit.objects.get(code=UNIT)
    unit.office_hours = "trực ban 24/7"
    unit.save(update_fields=["office_hours"])
    officer = staff_create(
        username="trucban.e2e", password="mat-khau-123", unit=unit, role="duty_officer"
    )
    # A citizen writes through the web chat API of the running server.
    _post_json(f"{asgi_url}/api/v1/inbox/webchat/{UNIT}", {"text": "Cho hỏi giờ làm việc"})
    conversation = Conversation.objects.get()

    django_client = Client()
    django_client.force_login(officer)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": django_client.cookies["sessionid"].value,
                "url": asgi_url,
            }
        ]
    )
    try:
        tab_a, tab_b = context.new_page(), context.new_page()
        for tab in (tab_a, tab_b):
            tab.set_default_timeout(10_000)
            tab.goto(f"{asgi_url}/staff/inbox/?c={conversation.pk}")
            tab.wait_for_selector("#inbox-live[data-live='1']")
        assert "Cho hỏi giờ làm việc" in tab_b.inner_text("#thread")

        tab_a.fill("#reply-text", "Trực ban làm việc 24/7, mời anh chị đến.")
        tab_a.click("#reply-form button[value=reply]")
        tab_b.wait_for_selector("#thread >> text=Trực ban làm việc 24/7")

        # The citizen writes again: both tabs show it, still without a reload.
        _post_json(
            f"{asgi_url}/api/v1/inbox/webchat/{UNIT}",
            {"text": "Cảm ơn trực ban", "token": _token(asgi_url)},
        )
        tab_b.wait_for_selector("#thread >> text=Cảm ơn trực ban")
        tab_a.wait_for_selector("#thread >> text=Cảm ơn trực ban")
    finally:
        context.close()


def test_an_emergency_is_given_live_to_the_officer_leading_the_shift(asgi_url, browser):
    """The roster's lead has the console open: a citizen's emergency in the web chat is
    assigned to them, and their console says so without a reload."""
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from langnghe.accounts.services import staff_create
    from langnghe.inbox.models import Conversation
    from langnghe.inbox.services import duty_shift_create
    from langnghe.units.models import Unit

    unit = Unit.objects.get(code=UNIT)
    chief = staff_create(
        username="chihuy.e2e", password="mat-khau-123", unit=unit, role="supervisor"
    )
    lead = staff_create(
        username="truc.e2e", password="mat-khau-123", unit=unit, role="duty_officer"
    )
    now = timezone.now()
    duty_shift_create(
        unit=unit,
        officer=lead,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        is_lead=True,
        by=chief,
    )
    django_client = Client()
    django_client.force_login(lead)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_cookies(
        [{"name": "sessionid", "value": django_client.cookies["sessionid"].value, "url": asgi_url}]
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{asgi_url}/staff/inbox/")
        page.wait_for_selector("#inbox-live[data-live='1']")
        assert "Đang trực: truc.e2e (trực chính)" in page.inner_text("#on-duty-line")
        _post_json(
            f"{asgi_url}/api/v1/inbox/webchat/{UNIT}", {"text": "Cứu với, nhà tôi đang cháy"}
        )
        conversation = Conversation.objects.get()
        page.wait_for_selector(f"#inbox-live[data-assigned='{conversation.pk}']")
        notice = page.inner_text("#inbox-live")
        assert notice.startswith("KHẨN CẤP") and "giao cho bạn" in notice
        assert conversation.assignee == lead
    finally:
        context.close()


_tokens: dict[str, str] = {}


def _token(base: str) -> str:
    return _tokens.get(base, "")


def _post_json(url: str, payload: dict) -> dict:
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310
        data = json.loads(response.read())
    base = url.split("/api/")[0]
    _tokens[base] = data["token"]
    return data
