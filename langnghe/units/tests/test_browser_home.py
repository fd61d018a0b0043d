"""End-to-end: the citizen's home page and the public shell, on a 360 px phone and a 1366 px
laptop, in headless Chromium: the four tasks lead where they say, the emergency numbers call,
nothing scrolls sideways and no page logs a console error (a missing favicon is one)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 768}},
}
# Each task on the home page: its link, the path it leads to, the heading found there.
TASKS = [
    ("#task-procedures", "/thu-tuc/", "Thủ tục hành chính"),
    ("#task-report", "/phan-anh/", "Gửi tin báo"),
    ("#task-status", "/phan-anh/tra-cuu/", "Tra cứu"),
    ("#task-chat", "/tro-chuyen/", "trực ban"),
]


@pytest.fixture(params=sorted(SIZES))
def screen(request, browser):
    """A page of the given size that records every console error and uncaught exception."""
    context = browser.new_context(locale="vi-VN", **SIZES[request.param])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on(
        "console",
        lambda m: page.errors.append(f"{m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))
    page.size_name = request.param
    yield page
    context.close()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_home_page_tasks_lead_to_their_pages(live_server, screen, demo_network):
    page = screen
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Ông/bà cần Công an giúp gì?"
    assert _no_horizontal_scroll(page)
    for selector, path, heading in TASKS:
        task = page.locator(selector)
        assert task.is_visible()
        box = task.bounding_box()
        assert box["height"] >= 60 and box["width"] >= 300  # large, easy to touch
        task.click()
        page.wait_for_url(live_server.url + path)
        assert heading.casefold() in page.locator("h1").inner_text().casefold()
        assert _no_horizontal_scroll(page), f"{path} scrolls sideways"
        page.go_back()
    numbers = page.locator("#emergency a")
    assert numbers.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "tel:113",
        "tel:114",
        "tel:115",
    ]
    assert all(box["height"] >= 44 for box in (a.bounding_box() for a in numbers.all()))
    assert page.errors == []


def test_public_menu_fits_and_leads_everywhere(live_server, screen, demo_network):
    page = screen
    page.goto(live_server.url + "/phan-anh/tra-cuu/")
    menu = page.locator(".site-header nav a")
    assert menu.all_inner_texts() == ["Thủ tục", "Gửi tin báo", "Tra cứu", "Trực ban", "Đơn vị"]
    width = page.evaluate("window.innerWidth")
    for link in menu.all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width  # wrapped, never cut off
        assert box["height"] >= 40
    assert page.locator('.site-header nav a[aria-current="page"]').inner_text() == "Tra cứu"
    assert _no_horizontal_scroll(page)
    page.click(".site-header nav >> text=Thủ tục")
    page.wait_for_url(live_server.url + "/thu-tuc/")
    assert page.errors == []


def test_no_console_error_on_home_procedure_and_unit_pages(live_server, screen, demo_network):
    from langnghe.procedures.selectors import search_index_invalidate
    from langnghe.procedures.services import procedure_catalogue_load_bundled

    procedure_catalogue_load_bundled()
    search_index_invalidate()
    page = screen
    icon_requests = []
    page.on(
        "response",
        lambda r: icon_requests.append((r.url, r.status)) if "icon" in r.url else None,
    )
    for path in ["/", "/thu-tuc/cap-the-can-cuoc/", "/don-vi/cong-an-phuong-tho-xuong/"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        assert _no_horizontal_scroll(page), f"{path} scrolls sideways"
    page.goto(live_server.url + "/favicon.ico")
    assert page.errors == []
    assert icon_requests and all(status in (200, 301, 304) for _url, status in icon_requests)
    search_index_invalidate()


def test_nearest_unit_box_finds_the_unit_of_a_typed_address(live_server, screen, demo_network):
    page = screen
    page.goto(live_server.url + "/")
    page.fill("#nearest-address-input", "Phường Thọ Xương, thành phố Bắc Giang, Bắc Giang")
    page.click("#nearest-address button[type=submit]")
    page.wait_for_selector("#nearest-served")
    assert "Công an phường Thọ Xương" in page.inner_text("#nearest-served")
    assert "Thọ Xương" not in page.url  # the address travels in the body, never the URL
    assert _no_horizontal_scroll(page)
    page.click("#nearest-served >> text=Nhắn tin cho trực ban")
    page.wait_for_url("**/tro-chuyen/BG-X07201/")
    page.go_back()
    page.fill("#nearest-address-input", "khong co dia chi nay")
    page.click("#nearest-address button[type=submit]")
    page.wait_for_selector("#nearest-address-error")
    assert "Chưa xác định được đơn vị" in page.inner_text("#nearest-address-error")
    assert page.errors == []
