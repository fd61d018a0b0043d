"""End-to-end: the public site on a 360 px phone and the staff login, in headless Chromium."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_home_search_and_unit_page_on_a_phone(live_server, phone_page, demo_network):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Ông/bà cần Công an giúp gì?"
    assert _no_horizontal_scroll(page)
    page.fill("input[name=q]", "tho xuong")
    page.click("#directory-search button[type=submit]")
    page.wait_for_selector("#result-count")
    assert "1 đơn vị" in page.inner_text("#result-count")
    page.click("text=Công an phường Thọ Xương")
    page.wait_for_selector("#unit-contact")
    assert page.locator("h1").inner_text() == "Công an phường Thọ Xương"
    assert "Trực ban" in page.inner_text("#unit-contact")
    assert "Công an thành phố Bắc Giang" in page.inner_text(".breadcrumb")
    assert _no_horizontal_scroll(page)
    # Touch targets: the search button is at least 44 px high.
    page.goto(live_server.url + "/")
    box = page.locator("#directory-search button[type=submit]").bounding_box()
    assert box["height"] >= 44


def test_staff_login_and_unit_switcher(live_server, desktop_page, demo_network):
    from langnghe.accounts.services import staff_create
    from langnghe.units.models import Unit

    staff_create(
        username="chihuy.e2e",
        password="mat-khau-123",
        unit=Unit.objects.get(code="BG-H213"),
        role="supervisor",
    )
    page = desktop_page
    page.goto(live_server.url + "/staff/")
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", "chihuy.e2e")
    page.fill("input[name=password]", "sai-mat-khau")
    page.click("main button[type=submit]")
    assert page.locator(".alert.error").is_visible()
    page.fill("input[name=password]", "mat-khau-123")
    page.click("main button[type=submit]")
    page.wait_for_selector("#scope-count")
    assert page.inner_text("#scope-count") == "17"
    options = page.locator("#unit-switch option").all_inner_texts()
    assert "Công an phường Thọ Xương" in options and "Công an tỉnh Bắc Giang" not in options
    page.select_option("#unit-switch", "BG-X07201")
    page.wait_for_selector("text=Đang làm việc tại: Công an phường Thọ Xương")
    assert page.locator("h1").inner_text() == "Công an phường Thọ Xương"


def test_no_english_switch_and_vietnamese_for_an_english_browser(
    live_server, browser, demo_network
):
    """The English catalogue covers a few templates only: no switch is offered, and a phone set
    to English reads the whole page in Vietnamese."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator("button[name=language]").count() == 0
        assert page.locator("h1").inner_text() == "Ông/bà cần Công an giúp gì?"
        assert "Find the police unit" not in page.inner_text("body")
        assert page.locator("html").get_attribute("lang") == "vi"
    finally:
        context.close()
