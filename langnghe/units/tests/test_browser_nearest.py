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
    from langnghe.units.models import Unit

    # Today's network alone on the map (the 2021 demo network, loaded for every test, has its
    # own wards here: a deployment has one network or the other).
    Unit.objects.filter(code__startswith="BG").update(latitude=None, longitude=None)
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


@pytest.mark.parametrize(
    "where",
    [{"latitude": 21.2731, "longitude": 106.1946}, {"latitude": 21.2849, "longitude": 106.215}],
)
def test_my_location_on_the_2021_demo_network_finds_a_bac_giang_city_ward(
    live_server, browser, demo_network, where
):
    """The `make run` demo (Bắc Giang as in 2021, not reorganised): its units are on the map."""
    from langnghe.units.models import Unit

    city_wards = set(
        Unit.objects.filter(parent__code="BG-H213", kind__code="commune").values_list(
            "name", flat=True
        )
    )
    context = browser.new_context(geolocation=where, permissions=["geolocation"], locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        page.click("[data-nearest]")
        page.wait_for_selector("#nearest-list")
        assert page.locator("#nearest-none").count() == 0
        first = page.locator("#nearest-list li strong").first.inner_text()
        assert first in city_wards
    finally:
        context.close()
