"""The staff console on a 360 px phone and a 1366 px laptop, in Chromium, for every role: no
page of the menu (nor the pages they lead to: a case, a conversation, a post, a drill-down)
scrolls sideways or logs an error; the menu is a side column on the laptop and folds behind
"Menu" on the phone, where it opens by a tap or the keyboard (and without a script)."""

import re
import uuid

import pytest

from conftest import served

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-console-123"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 800}
# Reached from the menu or from a page, not always linked: visited by every role.
EXTRA_PAGES = [
    "/staff/cases/new/",
    "/staff/cases/identity-requests/",
    "/staff/surveys/flagged/",
    "/staff/enrolment-codes/",
    "/staff/content/new/",
]
# One page of each kind a list leads to (the first link whose address matches).
DETAIL_PATTERNS = [
    r"^/staff/cases/\d+/$",
    r"^/staff/inbox/\?c=\d+",
    r"^/staff/content/\d+/$",
    r"^/staff/insights/\?unit=",
]
ROLES = [
    ("BG", "admin"),
    ("BG", "supervisor"),
    ("BG-H213", "supervisor"),
    ("BG-X07201", "duty_officer"),
    ("BG-X07201", "investigator"),
    ("BG", "editor"),
]
WIDTH_JS = "[document.documentElement.scrollWidth, innerWidth]"


@pytest.fixture
def site(transactional_db, demo_network):
    """The real ASGI application (pages and the duty desk's websocket) on a free port."""
    from langnghe.inbox.tests.conftest import _asgi_application

    with served(_asgi_application()) as url:
        yield url


@pytest.fixture
def console_data(demo_network, settings):
    """A little of everything a console page lists, with long words that must wrap."""
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    from langnghe.accounts.services import staff_create
    from langnghe.cases.services import case_create
    from langnghe.content.services import post_create
    from langnghe.inbox.services import message_receive
    from langnghe.insights.materialize import insights_refresh
    from langnghe.surveys.services import response_submit
    from langnghe.units.models import Unit

    tho_xuong = Unit.objects.get(code="BG-X07201")
    for n in range(3):
        case_create(
            category_code="public_order",
            description=f"Tụ tập gây ồn ào trước cổng chợ, lần {n}.",
            unit_code="BG-X07201",
            is_anonymous=n == 0,
            reporter=None if n == 0 else {"name": "Nguyễn Văn An", "phone": "0912345678"},
        )
    message_receive(
        unit=tho_xuong,
        channel="web",
        external_id="w-phone-1",
        text="Cho hỏi thủ tục đăng ký tạm trú: https://dichvucong.gov.vn/p/home/"
        "dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.004194000000000000",
    )
    editor = staff_create(
        username="bientap.dulieu", password=PASSWORD, unit=tho_xuong, role="editor"
    )
    post_create(
        by=editor,
        unit=tho_xuong,
        title="Thông báo về việc tiếp nhận hồ sơ cấp căn cước ngoài giờ hành chính dịp cuối năm",
        body="<p>Nội dung.</p>",
    )
    response_submit(unit_code="BG-X07201", client_id=uuid.uuid4(), answers={"overall": "5"})
    insights_refresh()


def _watch(page) -> list[str]:
    """Errors of the page: script errors, console errors, failed requests of the page."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"script: {exc}"))
    return errors


def _log_in(page, base: str, username: str) -> None:
    page.goto(base + "/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("#console-menu")


def _links(page) -> list[str]:
    return page.eval_on_selector_all(
        ".console-main a[href]",
        "els => els.map(e => { const u = new URL(e.href); return u.pathname + u.search; })",
    )


@pytest.mark.parametrize(("code", "role"), ROLES)
def test_every_console_page_fits_a_phone(site, browser, console_data, code, role):
    from langnghe.accounts.services import staff_create
    from langnghe.insights.selectors import period_get
    from langnghe.insights.services import report_request
    from langnghe.units.models import Unit

    username = f"dt.{role}.{code.lower()}"
    user = staff_create(
        username=username, password=PASSWORD, unit=Unit.objects.get(code=code), role=role
    )
    report = report_request(
        user=user,
        unit=Unit.objects.get(code=code),
        period=period_get(None, None),
        report_format="pdf",
    )
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = _watch(page)
    try:
        _log_in(page, site, username)
        menu = page.eval_on_selector_all(
            "nav.side a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert "/staff/cases/" in menu and "/staff/insights/" in menu
        queue = [u for u in menu if u.startswith("/staff/")] + EXTRA_PAGES
        queue.append(f"/staff/insights/reports/{report.pk}/")
        seen: set[str] = set()
        wide, failed = [], []
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = page.goto(site + url)
            page.wait_for_load_state("load")
            if response is None or response.status >= 500:
                failed.append((url, response and response.status))
                continue
            scroll_width, inner_width = page.evaluate(WIDTH_JS)
            # On a phone Chromium widens the layout viewport (innerWidth) to fit a wide page:
            # both must stay at the screen's 360 px.
            if scroll_width > PHONE["width"] + 1 or inner_width > PHONE["width"] + 1:
                wide.append((url, scroll_width, inner_width))
            links = _links(page)
            for pattern in DETAIL_PATTERNS:
                found = next((h for h in links if re.search(pattern, h)), None)
                if found and found not in seen and found not in queue:
                    queue.append(found)
        assert not failed, failed
        assert not wide, f"pages wider than the phone: {wide}"
        assert not errors, errors
        # The pages the lists lead to were reached (data is there for every role that sees it).
        visited = " ".join(seen)
        if role != "editor":
            assert re.search(r"/staff/cases/\d+/", visited), visited
        if role in ("duty_officer", "supervisor"):
            assert "/staff/inbox/?c=" in visited, visited
        assert len(seen) >= len(menu) + len(EXTRA_PAGES)
    finally:
        context.close()


def test_menu_is_a_side_column_on_a_laptop_and_folds_on_a_phone(site, browser, console_data):
    from langnghe.accounts.services import staff_create
    from langnghe.units.models import Unit

    staff_create(
        username="dt.menu", password=PASSWORD, unit=Unit.objects.get(code="BG"), role="supervisor"
    )
    # Laptop: the whole menu shows at once, no "Menu" button.
    laptop = browser.new_context(viewport=LAPTOP, locale="vi-VN")
    page = laptop.new_page()
    errors = _watch(page)
    _log_in(page, site, "dt.menu")
    page.goto(site + "/staff/cases/")
    assert page.locator("nav.side").is_visible()
    assert page.locator("nav.side a[href='/staff/insights/']").is_visible()
    assert not page.locator("#console-menu > summary").is_visible()
    menu_box = page.locator("nav.side").bounding_box()
    main_box = page.locator(".console-main").bounding_box()
    assert menu_box["x"] + menu_box["width"] <= main_box["x"]  # beside the content
    assert page.evaluate(WIDTH_JS)[0] <= LAPTOP["width"]
    assert not errors, errors
    laptop.close()

    # Phone: folded behind "Menu", which names the page; a tap opens it, a tap closes it.
    phone = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    errors = _watch(page)
    _log_in(page, site, "dt.menu")
    page.goto(site + "/staff/cases/")
    summary = page.locator("#console-menu > summary")
    assert summary.is_visible()
    assert "Menu" in summary.inner_text() and "Vụ việc, tin báo" in summary.inner_text()
    assert not page.locator("nav.side").is_visible()
    # The content starts right under the folded menu, not under ten links.
    assert page.locator(".console-main h1").bounding_box()["y"] < 400
    summary.tap()
    assert page.locator("nav.side a[href='/staff/insights/']").is_visible()
    summary.tap()
    assert not page.locator("nav.side").is_visible()
    # Keyboard: Tab reaches "Menu", Enter opens it, Tab goes into its links, Escape folds it
    # and gives the focus back to "Menu".
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("nav.side").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav.side') !== null")
    page.keyboard.press("Escape")
    assert not page.locator("nav.side").is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Space")
    assert page.locator("nav.side").is_visible()
    page.locator("nav.side a[href='/staff/insights/']").click()
    page.wait_for_url("**/staff/insights/")
    assert not page.locator("nav.side").is_visible()  # folded again on the next page
    assert not errors, errors
    phone.close()

    # Without a script the menu still works: a side column on a laptop, "Menu" on a phone.
    for viewport, side_visible in ((LAPTOP, True), (PHONE, False)):
        context = browser.new_context(viewport=viewport, locale="vi-VN", java_script_enabled=False)
        page = context.new_page()
        _log_in(page, site, "dt.menu")
        page.goto(site + "/staff/surveys/")
        assert page.locator("nav.side").is_visible() is side_visible
        if not side_visible:
            page.locator("#console-menu > summary").click()
            assert page.locator("nav.side").is_visible()
        context.close()


def test_dashboard_reads_vietnamese_and_its_trend_fits(site, browser, console_data):
    """Twelve months of trend at 360 and 1366 px: every month named on the laptop, one in
    three on the phone, none cut at the chart's edge; figures with Vietnamese separators."""
    from langnghe.accounts.services import staff_create
    from langnghe.units.models import Unit

    staff_create(
        username="dt.dash", password=PASSWORD, unit=Unit.objects.get(code="BG"), role="supervisor"
    )
    url = "/staff/insights/?unit=BG&from=2025-01-01&to=2025-12-31"
    for viewport, named in ((LAPTOP, 12), (PHONE, 4)):
        context = browser.new_context(
            viewport=viewport, locale="vi-VN", is_mobile=viewport is PHONE
        )
        page = context.new_page()
        errors = _watch(page)
        _log_in(page, site, "dt.dash")
        page.goto(site + url)
        labels = page.locator("#period-trend svg.chart-trend text.chart-x")
        assert labels.count() == 12
        assert labels.first.text_content() == "01/2025"
        assert labels.last.text_content() == "12/2025"
        shown = [i for i in range(12) if labels.nth(i).is_visible()]
        assert len(shown) == named and 11 in shown
        chart = page.locator("#period-trend svg.chart-trend").bounding_box()
        boxes = [labels.nth(i).bounding_box() for i in shown]
        for box in boxes:  # inside the chart: not clipped
            assert box["x"] >= chart["x"] - 0.5
            assert box["x"] + box["width"] <= chart["x"] + chart["width"] + 0.5
        for left, right in zip(boxes, boxes[1:], strict=False):  # not over one another
            assert left["x"] + left["width"] <= right["x"]
        assert min(b["height"] for b in boxes) >= 9  # readable: about 10 px text or more
        assert page.evaluate(WIDTH_JS)[0] <= viewport["width"] + 1
        # No English decimal point in any figure of the page.
        text = page.inner_text(".console-main")
        assert not re.search(r"\d\.\d(?!\d\d)", text), text
        assert "Từ 01/01/2025 đến 31/12/2025" in text
        assert not errors, errors
        context.close()


def test_an_opened_conversation_comes_first_on_a_phone(site, browser, console_data):
    """On a phone the reply box of the conversation opened is within the first screens, not
    under the whole list; the list is one link away. On a laptop the list stays on the left."""
    from langnghe.accounts.services import staff_create
    from langnghe.inbox.models import Conversation
    from langnghe.units.models import Unit

    staff_create(
        username="tb.phone", password=PASSWORD, unit=Unit.objects.get(code="BG-X07201"),
        role="duty_officer",
    )  # fmt: skip
    conversation = Conversation.objects.get(external_id="w-phone-1")
    for viewport in (PHONE, LAPTOP):
        context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE)
        page = context.new_page()
        errors = _watch(page)
        _log_in(page, site, "tb.phone")
        page.goto(f"{site}/staff/inbox/?c={conversation.pk}")
        reply = page.locator("#reply-text").bounding_box()
        listing = page.locator("#conversation-list").bounding_box()
        if viewport is PHONE:
            assert reply["y"] < listing["y"]
            assert page.locator(".to-list a").is_visible()
        else:
            assert listing["x"] < reply["x"]
            assert not page.locator(".to-list a").is_visible()
        assert not errors, errors
        context.close()
