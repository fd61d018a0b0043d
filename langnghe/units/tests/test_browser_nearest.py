"""End-to-end: "Dùng vị trí của tôi" on a 360 px phone, in headless Chromium."""

import pytest

from langnghe.units.networks import import_province_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEAR_PHUONG_BAC_GIANG = {"latitude": 21.2851, "longitude": 106.2148}

# Counts the page's calls to the geolocation API, so the test can see when it is asked.
COUNT_CALLS = """
window.__geolocationCalls = 0;
const real = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
navigator.geolocation.getCurrentPosition = (ok, fail, options) => {
  window.__geolocationCalls += 1;
  return real(ok, fail, options);
};
"""
REFUSE = """
navigator.geolocation.getCurrentPosition = (ok, fail) => fail({code: 1, PERMISSION_DENIED: 1});
"""


def _phone(browser, **options):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, **options
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_my_location_finds_my_ward_and_is_asked_only_when_pressed(live_server, browser):
    import_province_network(province_name="Bắc Ninh")
    context, page = _phone(browser, geolocation=NEAR_PHUONG_BAC_GIANG, permissions=["geolocation"])
    try:
        page.add_init_script(COUNT_CALLS)
        page.goto(live_server.url + "/")
        button = page.locator("[data-nearest]")
        assert button.is_visible()
        assert page.evaluate("window.__geolocationCalls") == 0
        button.click()
        page.wait_for_selector("#nearest-list")
        first = page.locator("#nearest-list li").first.inner_text()
        assert "Công an phường Bắc Giang" in first
        assert "lat=21.29" in page.url and "lon=106.21" in page.url  # rounded, about 1 km
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()


def test_a_refused_location_says_what_to_do_instead(live_server, browser):
    context, page = _phone(browser)
    try:
        page.add_init_script(REFUSE)
        page.goto(live_server.url + "/")
        page.click("[data-nearest]")
        status = page.locator("#nearest-status")
        status.wait_for(state="visible")
        assert "chưa cho phép dùng vị trí" in status.inner_text()
        assert "gõ tên phường, xã" in status.inner_text()
    finally:
        context.close()
