"""Accessibility kept (#27): axe-core over every public page and the console's main pages, at
360 px and 1366 px, WCAG 2.0–2.2 A/AA; keyboard-only use of the duty desk chat, the tip form
and the survey; and no console error nor page error on any page these tests visit.

The public pages come from the URL configuration: a page added tomorrow fails
``test_public_pages_pass_axe`` until it is visited here (``sample_urls`` or a
flow) or listed in ``NOT_HTML_PAGES`` with the reason it has no page to check.

The site is the real ASGI application under uvicorn (websockets included), so the console's
live feed connects as in production instead of logging a failed socket.
"""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from conftest import THO_XUONG, served

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"moderate", "serious", "critical"}
WIDTHS = {"360 px": 360, "1366 px": 1366}

# Routes with no HTML page of their own (reason given); everything else public must be visited.
# A route ending in a file name (feed.atom, favicon.ico, a manifest) is a file, not a page.
FILE_ROUTE = re.compile(r"\.[a-z]+\$?$")
NOT_HTML_PAGES = {
    "healthz": "health check (JSON)",
    "chia-se/<int:pk>/": "counts a share, then redirects to Zalo or Facebook",
    "webhooks/zalo/<str:unit_code>/": "Zalo webhook (POST from Zalo)",
}
NOT_HTML_PREFIXES = {
    "^open311/": "Open311 API (JSON or XML)",
    "^media/": "image and video files",
}
SKIPPED_PREFIXES = ("api/", "django-admin/", "i18n/", "staff/")
TIP_SUBMIT = "form:has([name=description]) button[type=submit]"


# --- the site and what it holds ---------------------------------------------------------------


@pytest.fixture
def site(transactional_db, demo_network, settings):
    """The real ASGI application on a free port, with a published post, the procedure catalogue,
    a duty desk conversation and a case in Thọ Xương.

    PostgreSQL only: on the test run's in-memory SQLite, shared between the server's thread and
    the test's, two full runs (of about eight) hung in this file — a page's request waiting on
    the database while the test's teardown flushed it; the cause was not found. The PostgreSQL
    pass of ``make test`` runs every test here."""
    if connection.vendor == "sqlite":
        pytest.skip("browser accessibility tests run in the PostgreSQL pass (see the docstring)")
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    from langnghe.accounts.services import staff_create
    from langnghe.asgi import application
    from langnghe.cases.services import case_create
    from langnghe.content.services import post_create, post_publish
    from langnghe.inbox.services import message_receive
    from langnghe.procedures.models import Procedure
    from langnghe.procedures.services import procedure_catalogue_load_bundled
    from langnghe.units.models import Unit

    procedure_catalogue_load_bundled()
    unit = Unit.objects.get(code=THO_XUONG)
    editor = staff_create(username="bientap.axe", password="mat-khau-123", unit=unit, role="editor")
    post = post_create(
        by=editor,
        unit=unit,
        title="Cảnh giác lừa đảo qua điện thoại",
        summary="Không chuyển tiền cho người tự xưng là công an.",
        body="<p>Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.</p>",
    )
    post_publish(post=post, by=editor)
    officer = staff_create(
        username="chihuy.axe", password="mat-khau-123", unit=unit, role="supervisor"
    )
    message = message_receive(
        unit=unit,
        channel="web",
        external_id="axe-visitor",
        text="Cho hỏi thủ tục đăng ký tạm trú cần giấy tờ gì?",
    )
    case, _receipt = case_create(
        category_code="public_order",
        description="Tiếng ồn karaoke sau 23 giờ ở ngõ 12.",
        unit_code=THO_XUONG,
        reporter={"name": "Nguyễn Văn An", "phone": "0912345678"},
    )
    with served(application) as url:
        yield {
            "url": url,
            "unit": unit,
            "post": post,
            "procedure": Procedure.objects.order_by("code").first(),
            "officer": officer,
            "conversation": message.conversation,
            "case": case,
        }


def _session_cookie(user, url: str) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.session.session_key, "url": url}


# --- watching a page: console errors, page errors, axe ----------------------------------------


class Watched:
    """A browser context whose pages report console errors and page errors into ``problems``."""

    def __init__(self, browser, width: int, problems: list[str], cookies=()):
        phone = width < 600
        self.context = browser.new_context(
            viewport={"width": width, "height": 740 if phone else 900},
            locale="vi-VN",
            is_mobile=phone,
            has_touch=phone,
        )
        if cookies:
            self.context.add_cookies(list(cookies))
        self.width = width
        self.problems = problems
        # (path, status) of answers that are errors on purpose (a 404 page, a refused form):
        # Chromium logs "Failed to load resource" for them; any other failure is a problem.
        self.allowed: set[tuple[str, int]] = set()
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", self._page_error)

    def _console(self, message):
        if message.type != "error":
            return
        source = message.location.get("url", "")
        status = re.search(r"status of (\d+)", message.text)
        if status and (urlsplit(source).path, int(status.group(1))) in self.allowed:
            return
        self.problems.append(f"{self.width} px {self.page.url}: console error: {message.text}")

    def _page_error(self, error):
        self.problems.append(f"{self.width} px {self.page.url}: page error: {error}")

    def allow(self, path: str, status: int) -> None:
        self.allowed.add((path, status))

    def goto(self, url: str, status: int = 200):
        if status != 200:
            self.allow(urlsplit(url).path, status)
        response = self.page.goto(url)
        self.page.wait_for_load_state("load")
        if response is None or response.status != status:
            got = response.status if response else "nothing"
            self.problems.append(f"{self.width} px {url}: HTTP {got}, expected {status}")
        return response

    def axe(self, label: str = "") -> None:
        """axe-core on the page as it is now; each moderate+ violation becomes a problem line:
        page, width, rule, impact and the first target selectors."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page, options=AXE_OPTIONS)
        where = label or urlsplit(self.page.url).path
        for violation in results.response["violations"]:
            if violation.get("impact") not in FAILING_IMPACTS:
                continue
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            self.problems.append(
                f"{where} at {self.width} px: {violation['id']} ({violation['impact']}, "
                f"{len(violation['nodes'])} nodes) {targets}"
            )

    def close(self):
        self.context.close()


# --- the public pages ---------------------------------------------------------------------------


def public_routes() -> list[str]:
    """Every route of a page for citizens, from the URL configuration."""
    found = []

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            text = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not text.startswith(SKIPPED_PREFIXES):
                    walk(pattern, prefix + text)
            elif isinstance(pattern, URLPattern):
                route = prefix + text
                if not route.startswith(SKIPPED_PREFIXES):
                    found.append(route)

    walk(get_resolver())
    return found


def route_of(url: str) -> str:
    return resolve(urlsplit(url).path).route


def sample_urls(site) -> list[tuple[str, int]]:
    """Public pages opened directly, with sample arguments for the parametrised routes."""
    unit, post, procedure = site["unit"], site["post"], site["procedure"]
    return [
        ("/", 200),
        (unit.get_absolute_url(), 200),
        (f"/don-vi/{unit.slug}/bai-viet/", 200),
        (post.get_absolute_url(), 200),
        ("/thu-tuc/", 200),
        ("/thu-tuc/?q=đăng ký tạm trú", 200),
        ("/thu-tuc/?q=nhà tôi bị trộm xe máy", 200),  # a crime: a tip and 113, not procedures
        (f"/thu-tuc/don-vi/{unit.slug}/", 200),
        (f"/thu-tuc/don-vi/{unit.slug}/in/", 200),
        (f"/thu-tuc/{procedure.code}/", 200),
        ("/phan-anh/", 200),
        (f"/phan-anh/?don-vi={THO_XUONG}", 200),
        ("/phan-anh/tra-cuu/", 200),
        # An unknown code: the form shown again with its message, a page, not an error (#27).
        ("/phan-anh/tra-cuu/?ma=KHONGCO123", 200),
        ("/phan-anh/bien-nhan/", 200),
        ("/khao-sat/", 200),
        ("/khao-sat/?q=tho xuong", 200),
        (f"/khao-sat/{THO_XUONG}/?k=sai-khoa", 403),
        ("/tro-chuyen/", 200),
        (f"/tro-chuyen/{THO_XUONG}/", 200),
        ("/trang-khong-co/", 404),
    ]


def _tip_flow(watched: Watched, base: str, visited: set[str]) -> None:
    """Send a tip anonymously, then open the receipt and tracking pages with the real codes."""
    page = watched.page
    watched.goto(f"{base}/phan-anh/?don-vi={THO_XUONG}")
    # Sent empty first: the form comes back with its error, answered 200 (issue #27): no
    # "Failed to load resource" in the console, nothing allowed.
    with page.expect_navigation():
        page.click(TIP_SUBMIT)
    page.wait_for_selector("#form-error, .field-error")
    watched.axe("tip form with an error")
    page.fill("[name=description]", "Có nhóm thanh niên tụ tập gây ồn ào trước cổng chợ.")
    page.check("[name=anonymous]")
    page.click(TIP_SUBMIT)
    page.wait_for_selector("#tracking-code")
    visited.add(route_of(page.url))
    watched.axe("tip sent")
    tracking = page.inner_text("#tracking-code").strip()
    receipt = page.inner_text("#receipt").strip()
    watched.goto(f"{base}/phan-anh/tra-cuu/?ma={tracking}")
    watched.axe("tracking with a real code")
    watched.goto(f"{base}/phan-anh/bien-nhan/")
    page.fill("[name=receipt]", "1111 2222 3333 4444")  # a wrong code: the form again, 200
    with page.expect_navigation():
        page.locator("[name=receipt]").press("Enter")
    page.wait_for_selector("main .alert.error")
    page.fill("[name=receipt]", receipt)
    with page.expect_navigation():
        page.locator("[name=receipt]").press("Enter")
    page.wait_for_selector("input[name=action][value=message]", state="attached")  # opened
    watched.axe("receipt opened")


def _chat_page_flow(watched: Watched, base: str) -> None:
    """The chat page without its script's help (a plain form): a message sent, the thread shown."""
    page = watched.page
    # An address no unit serves: the form again with its message (200, no console error).
    watched.goto(f"{base}/tro-chuyen/")
    page.fill("#address", "Không có nơi nào như thế")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_selector("#address-error")
    watched.goto(f"{base}/tro-chuyen/{THO_XUONG}/")
    page.fill("textarea[name=text]", "Cho hỏi giờ làm việc của bộ phận cư trú")
    with page.expect_navigation():
        page.click("button[name=action][value=send]")
    page.wait_for_selector("#webchat-thread >> text=giờ làm việc của bộ phận cư trú")
    watched.axe("chat page with a thread")


def _survey_flow(watched: Watched, base: str, visited: set[str]) -> None:
    from langnghe.surveys.security import form_path

    page = watched.page
    watched.goto(base + form_path(THO_XUONG))
    visited.add(route_of(page.url))
    watched.axe("survey form")
    # Without the required answer: the form's script names it and moves the focus to it,
    # sending nothing (no 400 from the API, no console error; issue #27).
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.click("button.sv-submit")
    page.wait_for_selector("#q-overall .field-error")
    assert page.evaluate("document.activeElement.id") == "q-overall"
    assert "Câu " in page.inner_text("#sv-status")
    assert not sent, sent
    watched.axe("survey form with errors")
    page.check("#q-overall input[value='4']")
    page.click("button.sv-submit")
    page.wait_for_selector("#sv-thanks")
    visited.add(route_of(page.url))
    watched.axe("survey thanks")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_public_pages_pass_axe(site, browser, width):
    base = site["url"]
    problems: list[str] = []
    visited: set[str] = set()
    watched = Watched(browser, width, problems)
    try:
        for path, status in sample_urls(site):
            watched.goto(base + path, status)
            if status == 200:
                visited.add(route_of(path))
            watched.axe(f"{path} ({status})" if status != 200 else path)
        _tip_flow(watched, base, visited)
        _survey_flow(watched, base, visited)
        _chat_page_flow(watched, base)
    finally:
        watched.close()
    forgotten = [
        route
        for route in public_routes()
        if route not in visited
        and route not in NOT_HTML_PAGES
        and not FILE_ROUTE.search(route)
        and not route.startswith(tuple(NOT_HTML_PREFIXES))
    ]
    assert not forgotten, f"public pages no test visits (add them to sample_urls): {forgotten}"
    assert not problems, "\n".join(problems)


# --- the console ----------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_console_pages_pass_axe(site, browser, width):
    base = site["url"]
    problems: list[str] = []
    # The login page, signed out, and with an error.
    watched = Watched(browser, width, problems)
    try:
        watched.goto(base + "/staff/login/")
        watched.axe("login")
        watched.page.fill("[name=username]", "chihuy.axe")
        watched.page.fill("[name=password]", "sai-mat-khau")
        watched.page.click("main button[type=submit]")
        watched.page.wait_for_selector(".alert.error")
        watched.axe("login with an error")
    finally:
        watched.close()
    # The dashboard with figures: a survey answer and the tiles computed.
    from langnghe.insights.materialize import insights_refresh
    from langnghe.surveys.services import response_submit

    response_submit(unit_code=THO_XUONG, client_id=uuid.uuid4(), answers={"overall": "4"})
    insights_refresh()
    # Twenty weeks of answers: the survey trend by week is wider than a phone.
    import datetime as dt

    from django.utils import timezone

    from langnghe.surveys.models import DailyCount
    from langnghe.units.models import Unit

    commune = Unit.objects.get(code=THO_XUONG)
    weeks_ago = timezone.localdate() - dt.timedelta(weeks=20)
    for week in range(20):
        day = weeks_ago + dt.timedelta(weeks=week)
        for metric, value in (("responses", ""), ("overall", "4")):
            DailyCount.objects.create(unit=commune, day=day, metric=metric, value=value, count=3)
    # Signed in (one session, made once) as the commune's commander, who sees all of these.
    cookie = _session_cookie(site["officer"], base)
    conversation, case = site["conversation"], site["case"]
    pages = [
        "/staff/",
        "/staff/inbox/",
        f"/staff/inbox/?c={conversation.pk}",
        "/staff/cases/",
        f"/staff/cases/{case.pk}/",
        f"/staff/insights/?unit={THO_XUONG}",
        # The survey results: the trend scrolls sideways at 360 px (by month and by week).
        "/staff/surveys/",
        f"/staff/surveys/?unit={THO_XUONG}&by=week&from={weeks_ago:%Y-%m-%d}",
    ]
    watched = Watched(browser, width, problems, cookies=[cookie])
    try:
        for path in pages:
            watched.goto(base + path)
            if "/staff/login/" in watched.page.url:
                problems.append(f"{path}: sent to the login page")
                continue
            watched.axe(path)
    finally:
        watched.close()
    assert not problems, "\n".join(problems)


# --- keyboard only ------------------------------------------------------------------------------

# A focused element shows it: an outline or a box shadow (its own, or its label's for a
# checkbox or radio drawn inside a label).
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing focused";
  const shows = (node) => {
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== "none";
  };
  if (!el.matches(":focus-visible")) return "not :focus-visible: " + el.outerHTML.slice(0, 80);
  if (shows(el) || (el.closest("label") && shows(el.closest("label")))) return "";
  return "focus not visible: " + el.outerHTML.slice(0, 80);
}"""


def tab_to(page, selector: str, problems: list[str], *, key: str = "Tab", limit: int = 120) -> int:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``; each stop on the way must
    show its focus. Returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        shown = page.evaluate(FOCUS_SHOWN)
        if shown:
            problems.append(f"{urlsplit(page.url).path}: {shown}")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{key} never reached {selector} on {page.url}")


def test_keyboard_only_chat_from_the_unit_page(site, browser):
    from langnghe.inbox.models import Message

    problems: list[str] = []
    watched = Watched(browser, 360, problems)
    page = watched.page
    try:
        watched.goto(site["url"] + site["unit"].get_absolute_url())
        page.wait_for_selector("#webchat-form")
        # The first stop is the skip link, shown on the screen; it leads into the content.
        assert tab_to(page, "a[href='#main']", problems) == 1
        box = page.evaluate("document.activeElement.getBoundingClientRect().toJSON()")
        assert box["left"] >= 0 and box["top"] >= 0 and box["width"] > 0, box
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
        tab_to(page, "#webchat-anonymous", problems)
        page.keyboard.press("Space")
        assert page.is_checked("#webchat-anonymous")
        tab_to(page, "#webchat-text", problems)
        page.keyboard.type("Cho hỏi giờ tiếp dân sáng thứ Bảy")
        # The next stop after the message is its send button, and back again.
        assert tab_to(page, "#webchat-form button[type=submit]", problems) == 1
        assert tab_to(page, "#webchat-text", problems, key="Shift+Tab") == 1
        tab_to(page, "#webchat-form button[type=submit]", problems)
        page.keyboard.press("Enter")
        page.wait_for_selector("#webchat-thread >> text=giờ tiếp dân sáng thứ Bảy")
        watched.axe("unit page with a chat thread")
    finally:
        watched.close()
    sent = Message.objects.filter(text="Cho hỏi giờ tiếp dân sáng thứ Bảy").get()
    assert sent.conversation.unit.code == THO_XUONG and sent.conversation.is_anonymous
    assert not problems, "\n".join(problems)


def test_keyboard_only_tip_form(site, browser):
    from langnghe.cases.models import Case

    problems: list[str] = []
    watched = Watched(browser, 1366, problems)
    page = watched.page
    try:
        watched.goto(f"{site['url']}/phan-anh/?don-vi={THO_XUONG}")
        tab_to(page, "select[name=category]", problems)
        first = page.evaluate("document.activeElement.value")
        page.keyboard.press("ArrowDown")  # a closed list changes its choice with the arrows
        category = page.evaluate("document.activeElement.value")
        assert category != first
        tab_to(page, "[name=description]", problems)
        page.keyboard.type("Xe máy để trước nhà văn hóa tổ 5 bị bẻ khóa lúc 22 giờ.")
        tab_to(page, "[name=anonymous]", problems)
        page.keyboard.press("Space")
        assert page.is_checked("[name=anonymous]")
        tab_to(page, TIP_SUBMIT, problems)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_selector("#tracking-code")
        tracking = page.inner_text("#tracking-code").strip()
        watched.axe("tip sent by keyboard")
    finally:
        watched.close()
    case = Case.objects.get(tracking_code=tracking)
    assert case.category.code == category and case.is_anonymous
    assert case.unit.code == THO_XUONG
    assert not problems, "\n".join(problems)


def test_keyboard_only_survey(site, browser):
    from langnghe.surveys.models import SurveyResponse
    from langnghe.surveys.security import form_path

    problems: list[str] = []
    watched = Watched(browser, 360, problems)
    page = watched.page
    try:
        watched.goto(site["url"] + form_path(THO_XUONG))
        page.wait_for_selector("#sv-form")
        groups = page.evaluate(
            """() => [...new Set([...document.querySelectorAll("#sv-form input[type=radio]")]
                .map((r) => r.name))]"""
        )
        assert len(groups) >= 2, groups
        chosen = {}
        for name in groups:
            tab_to(page, f"input[type=radio][name={name}]", problems)
            # Arrows move within the group and choose; Tab left the group's first choice.
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowUp")
            value = page.evaluate(
                "(n) => document.querySelector(`input[name='${n}']:checked`)?.value", name
            )
            focused = page.evaluate("document.activeElement.value")
            assert value is not None and value == focused, (name, value, focused)
            chosen[name.removeprefix("q_")] = value
        tab_to(page, "button.sv-submit", problems)
        page.keyboard.press("Space")
        page.wait_for_selector("#sv-thanks")
        watched.axe("survey thanks after keyboard")
    finally:
        watched.close()
    stored = SurveyResponse.objects.get(unit__code=THO_XUONG)
    assert {k: v for k, v in stored.answers.items() if k in chosen} == chosen
    assert not problems, "\n".join(problems)


def test_the_checks_report_what_they_look_for(browser):
    """The checks themselves can fail: an image link without a text and an unlabelled field for
    axe, a focus with its outline taken away, a script error."""
    problems: list[str] = []
    watched = Watched(browser, 360, problems)
    page = watched.page
    try:
        page.set_content(
            '<html lang="vi"><head><title>t</title>'
            "<style>button:focus-visible { outline: none; }</style></head><body><main><h1>t</h1>"
            '<input type="text"><a href="#"><img src="data:,"></a>'
            '<button type="button" onclick="nothing()">Gửi</button></main></body></html>'
        )
        watched.axe("sample")
        focus: list[str] = []
        tab_to(page, "button", focus)
        page.keyboard.press("Enter")
        page.wait_for_timeout(100)
    finally:
        watched.close()
    assert any(" label (critical" in p for p in problems), problems
    assert any(" link-name (serious" in p for p in problems), problems
    assert any("page error" in p and "nothing" in p for p in problems), problems
    assert len(focus) == 1 and "focus not visible: <button" in focus[0], focus
