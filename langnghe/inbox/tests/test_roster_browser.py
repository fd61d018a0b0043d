"""The duty roster in headless Chromium on a 360 px phone: a commander adds a night shift by
the form, sees it under its day, and the desk then names who is on duty."""

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commander_plans_a_night_shift_on_a_phone(live_server, phone_page, demo_network):
    from langnghe.accounts.services import staff_create
    from langnghe.inbox.models import DutyShift
    from langnghe.units.models import Unit

    ward = Unit.objects.get(code="BG-X07201")
    staff_create(username="chihuy.lt", password="mat-khau-123", unit=ward, role="supervisor")
    staff_create(username="trucban.lt", password="mat-khau-123", unit=ward, role="duty_officer")
    page = phone_page
    page.goto(live_server.url + "/staff/inbox/lich-truc/")
    page.fill("input[name=username]", "chihuy.lt")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("main button[type=submit]")
    page.goto(live_server.url + "/staff/inbox/lich-truc/")
    assert "Đơn vị chưa dùng lịch trực" in page.inner_text("#on-duty")
    # Tonight 19:00 until 07:00 tomorrow: the end before the start is the next morning.
    today = timezone.localdate()
    page.select_option("#shift-officer", label="trucban.lt")
    page.fill("#shift-day", today.isoformat())
    page.fill("#shift-start", "19:00")
    page.fill("#shift-end", "07:00")
    page.check("input[name=lead]")
    page.click('button:text-is("Thêm ca")')
    page.wait_for_selector(".alert.success")
    shift = DutyShift.objects.get()
    assert shift.officer.username == "trucban.lt" and shift.is_lead
    assert timezone.localtime(shift.ends_at).date() == today + dt.timedelta(days=1)
    day = page.locator(".roster-days > li[aria-current=date]")
    assert "19:00 – 07:00" in day.inner_text() and "trực chính" in day.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # A shift running now, and the duty desk's header names its officer.
    now = timezone.now()
    DutyShift.objects.filter(pk=shift.pk).update(starts_at=now - dt.timedelta(hours=1))
    page.goto(live_server.url + "/staff/inbox/")
    assert "Đang trực: trucban.lt (trực chính)" in page.inner_text("#on-duty-line")
