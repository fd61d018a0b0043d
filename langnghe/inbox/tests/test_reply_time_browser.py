"""A reply just sent shows its time as the server writes it ("04:35 06/12", the province's
time), even in a browser set to another time zone."""

import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "BG-X07201"


def test_a_reply_sent_without_reload_shows_the_provinces_time_and_date(
    live_server, browser, demo_network
):
    from django.test import Client
    from django.utils import timezone

    from langnghe.accounts.services import staff_create
    from langnghe.inbox.models import Conversation, Message
    from langnghe.units.models import Unit

    unit = Unit.objects.get(code=UNIT)
    officer = staff_create(
        username="trucban.e2e", password="mat-khau-123", unit=unit, role="duty_officer"
    )
    citizen = Client()
    response = citizen.post(
        f"/api/v1/inbox/webchat/{UNIT}",
        data=json.dumps({"text": "Cho hỏi giờ làm việc"}),
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    conversation = Conversation.objects.get()

    staff = Client()
    staff.force_login(officer)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", timezone_id="Europe/Paris"
    )
    context.add_cookies(
        [{"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/staff/inbox/?c={conversation.pk}")
        # The browser really is in Paris (6 hours behind the province in winter).
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/Paris"
        page.fill("#reply-text", "Trực ban làm việc 24/7.")
        page.click("#reply-form button[value=reply]")
        sent = page.locator("#thread li.msg", has_text="Trực ban làm việc 24/7.")
        sent.wait_for()
        reply = Message.objects.get(text="Trực ban làm việc 24/7.")
        expected = timezone.localtime(reply.sent_at).strftime("%H:%M %d/%m")
        meta = sent.locator("small").inner_text()
        assert meta.startswith(f"{expected} · "), (meta, expected)
        # The same as after a reload.
        page.reload()
        again = page.locator("#thread li.msg", has_text="Trực ban làm việc 24/7.")
        assert again.locator("small").inner_text().startswith(f"{expected} · ")
    finally:
        context.close()
