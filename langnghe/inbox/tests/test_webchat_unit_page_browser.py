"""The chat on a commune's own page, end to end in Chromium: a citizen on a 360 px phone writes
from the unit page, the duty officer answers from the console (with 2FA required and passed),
the answer shows on the citizen's open page by itself, a reload keeps the thread, and the phone
the citizen gave is nowhere in the database in the clear."""

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "BG-X07201"
PHONE = "0987654321"


def _verified_officer_cookie(officer) -> str:
    """A session signed in with the password and a verified TOTP device (django-otp)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=officer, name="Điện thoại", confirmed=True)
    client = Client()
    client.force_login(officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


@override_settings(LANGNGHE_REQUIRE_2FA=True)
def test_citizen_chats_from_the_commune_page_and_sees_the_answer_by_itself(asgi_url, browser):
    from django.db import connection

    from langnghe.accounts.services import staff_create
    from langnghe.inbox.models import Conversation, DeskProfile
    from langnghe.units.models import Unit

    unit = Unit.objects.get(code=UNIT)
    unit.office_hours = "trực ban 24/7"
    unit.save(update_fields=["office_hours"])
    DeskProfile.objects.create(unit=unit, signature="officer")
    officer = staff_create(
        username="trucban.page", password="mat-khau-123", unit=unit, role="duty_officer"
    )
    officer.full_name = "Thiếu úy Lê Minh"
    officer.save(update_fields=["full_name"])

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True
    )
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    try:
        citizen = phone.new_page()
        citizen.set_default_timeout(10_000)
        citizen.goto(f"{asgi_url}{unit.get_absolute_url()}")
        box = citizen.locator("#webchat")
        assert box.get_attribute("data-unit") == UNIT
        assert citizen.locator("#webchat-form").get_attribute("action") == f"/tro-chuyen/{UNIT}/"
        citizen.fill("#webchat-name", "Trần Văn Bình")
        citizen.fill("#webchat-phone", PHONE)
        citizen.fill("#webchat-text", "Nhà tôi ở thôn 3 bị mất trộm xe máy tối qua")
        citizen.click("#webchat-form button[type=submit]")
        citizen.wait_for_selector("#webchat-thread >> text=bị mất trộm xe máy")
        # Nothing is wider than the phone.
        assert citizen.evaluate("document.documentElement.scrollWidth") <= 360

        conversation = Conversation.objects.get()
        assert conversation.unit_id == unit.pk and conversation.has_identity

        desk.add_cookies(
            [{"name": "sessionid", "value": _verified_officer_cookie(officer), "url": asgi_url}]
        )
        console = desk.new_page()
        console.set_default_timeout(10_000)
        console.goto(f"{asgi_url}/staff/inbox/?c={conversation.pk}")
        assert PHONE in console.inner_text(".identity")
        console.fill("#reply-text", "Trực ban đã nhận tin, cán bộ sẽ gọi lại cho anh ngay.")
        console.click("#reply-form button[value=reply]")

        # The answer shows on the citizen's open page without a reload, signed by the officer.
        answer = citizen.wait_for_selector("#webchat-thread >> text=cán bộ sẽ gọi lại")
        assert answer is not None
        assert "Thiếu úy Lê Minh" in citizen.inner_text("#webchat-thread")

        # A reload keeps the thread.
        citizen.reload()
        citizen.wait_for_selector("#webchat-thread >> text=cán bộ sẽ gọi lại")
        assert "bị mất trộm xe máy" in citizen.inner_text("#webchat-thread")
    finally:
        phone.close()
        desk.close()

    # The phone the citizen gave is sealed: no column of any table holds it in the clear.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — names from introspection
            for row in cursor.fetchall():
                assert PHONE not in repr(row), f"{table} holds the phone in plain text"
