"""Every public page, walked from the URL configuration: no repository path, no internal
source note and no raw English state name reaches a citizen; the pages are Vietnamese whatever
the browser asks; the shell (menu, icons, manifest) is there."""

import gettext
import html
import json
import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from langnghe.cases.models import Status as CaseStatus
from langnghe.content.models import Post

pytestmark = pytest.mark.django_db

THO_XUONG = "BG-X07201"

# Public routes that are not pages a person reads (machine endpoints, files, redirects).
NOT_PAGES = {
    "healthz": "liveness probe",
    "favicon.ico": "a redirect to the icon file",
    "manifest.webmanifest": "JSON, checked below",
    "chia-se/<int:pk>/": "a redirect to the share target",
    "don-vi/<slug:slug>/feed.atom": "an Atom feed for feed readers",
    "webhooks/zalo/<str:unit_code>/": "Zalo's webhook",
    "staff/logout/": "a POST that signs out",
}
NOT_PAGE_PREFIXES = ("^open311/", "^media/")
# Words of the internal vocabulary a page must never show as they are: the states of a case
# and of a post (their Vietnamese labels are what people read).
RAW_STATES = sorted(set(CaseStatus.values) | set(Post.State.values))
INTERNAL_TEXT = [
    (re.compile(r"[\w./-]+\.md\b"), "a Markdown file of the repository"),
    (re.compile(r"\breference/"), "the repository's reference folder"),
    (re.compile(r"§\s*\d"), "a section of a repository document"),
    (re.compile(r"vn-domain"), "a repository document"),
]


@pytest.fixture
def world(make_staff, unit):
    from langnghe.cases import services as case_services
    from langnghe.content.services import post_create, post_publish
    from langnghe.procedures.selectors import search_index_invalidate
    from langnghe.procedures.services import procedure_catalogue_load_bundled

    search_index_invalidate()
    procedure_catalogue_load_bundled()
    search_index_invalidate()
    editor = make_staff(THO_XUONG, "editor")
    post = post_create(
        by=editor,
        unit=unit(THO_XUONG),
        title="Cảnh giác với cuộc gọi giả danh Công an",
        body="<p>Công an không gọi điện yêu cầu chuyển tiền.</p>",
    )
    post = post_publish(post=post, by=editor)
    case, _receipt = case_services.case_create(
        category_code="public_order",
        description="Tiếng ồn karaoke sau 23 giờ ở ngõ 12.",
        unit_code=THO_XUONG,
        reporter={"name": "Nguyễn Văn A", "phone": "0912345678"},
    )
    yield {"unit": unit(THO_XUONG), "province": unit("BG"), "post": post, "case": case}
    search_index_invalidate()


def _public_urls(world) -> dict[str, list[str]]:
    """Route → the URLs that stand for it (with real objects)."""
    from langnghe.procedures.models import Procedure
    from langnghe.surveys.security import form_path

    ward, province, post = world["unit"], world["province"], world["post"]
    return {
        "": ["/"],
        "don-vi/<slug:slug>/": [ward.get_absolute_url(), province.get_absolute_url()],
        "don-vi/<slug:slug>/bai-viet/": [f"/don-vi/{ward.slug}/bai-viet/"],
        "bai-viet/<int:pk>-<slug:slug>/": [post.get_absolute_url()],
        "phan-anh/": ["/phan-anh/", f"/phan-anh/?don-vi={ward.code}"],
        "phan-anh/tra-cuu/": [
            "/phan-anh/tra-cuu/",
            f"/phan-anh/tra-cuu/?ma={world['case'].tracking_code}",
        ],
        "phan-anh/bien-nhan/": ["/phan-anh/bien-nhan/"],
        # Without a tip just sent in this session: the page that says the codes show once.
        "phan-anh/da-gui/": ["/phan-anh/da-gui/"],
        "thu-tuc/": ["/thu-tuc/", "/thu-tuc/?q=lam can cuoc"],
        "thu-tuc/don-vi/<slug:slug>/": [
            f"/thu-tuc/don-vi/{ward.slug}/",
            f"/thu-tuc/don-vi/{province.slug}/",
        ],
        "thu-tuc/don-vi/<slug:slug>/in/": [f"/thu-tuc/don-vi/{ward.slug}/in/"],
        "thu-tuc/<slug:code>/": [
            f"/thu-tuc/{code}/" for code in Procedure.objects.values_list("code", flat=True)
        ],
        "tro-chuyen/": ["/tro-chuyen/"],
        "tro-chuyen/<str:unit_code>/": [f"/tro-chuyen/{ward.code}/"],
        "khao-sat/": ["/khao-sat/"],
        "khao-sat/<str:code>/": [form_path(ward.code)],
        "khao-sat/<str:code>/cam-on/": [f"/khao-sat/{ward.code}/cam-on/"],
        "staff/login/": ["/staff/login/"],
    }


def _public_routes() -> list[str]:
    found = []

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            text = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not text.startswith(("api/", "django-admin/")):
                    walk(pattern, prefix + text)
            elif isinstance(pattern, URLPattern):
                found.append(prefix + text)

    walk(get_resolver())
    return [
        r for r in found if not r.startswith("staff/") or r in ("staff/login/", "staff/logout/")
    ]


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def internal_text_in(page: str) -> list[str]:
    """What a page shows that belongs to the repository or the code, each with why."""
    problems = [
        f"{why}: {match.group(0)!r}"
        for pattern, why in INTERNAL_TEXT
        for match in [pattern.search(page)]
        if match
    ]
    text = visible_text(page)
    problems += [
        f"a raw state name: {state!r}" for state in RAW_STATES if re.search(rf"\b{state}\b", text)
    ]
    return problems


def test_every_public_page_is_free_of_internal_text(client, world):
    urls = _public_urls(world)
    routes = _public_routes()
    unmapped = [
        r
        for r in routes
        if r not in urls and r not in NOT_PAGES and not r.startswith(NOT_PAGE_PREFIXES)
    ]
    assert not unmapped, f"public pages this test does not visit yet: {unmapped}"
    assert len(urls["thu-tuc/<slug:code>/"]) > 100  # every procedure of the catalogue
    problems = []
    for route, paths in urls.items():
        assert route in routes, f"{route} is no longer in the URL configuration"
        for path in paths:
            response = client.get(path, follow=True)
            if response.status_code != 200:
                problems.append(f"{path}: status {response.status_code}")
                continue
            problems += [f"{path}: {p}" for p in internal_text_in(response.content.decode())]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("<p>Nguồn: tổng hợp trong reference/vn-domain.md §3</p>", 4),
        ("<p>Tình trạng: <span>received</span></p>", 1),
        ('<p class="received">Tình trạng: Đã tiếp nhận</p>', 0),
        ("<p>Căn cứ: Điều 5 Luật Cư trú</p>", 0),
    ],
)
def test_the_internal_text_check_finds_what_it_should(page, expected):
    assert len(internal_text_in(page)) == expected


def test_procedure_page_cites_official_sources_and_common_names(client, world):
    page = client.get("/thu-tuc/cap-the-can-cuoc/").content.decode()
    sources = page.split('id="procedure-sources"')[1].split("</p>")[0]
    assert "Quyết định số 5568/QĐ-BCA" in sources
    assert "GitHub" not in sources and "data/" not in sources
    names = page.split('id="procedure-common-names"')[1].split("</p>")[0]
    assert "Người dân thường gọi" in names and "“làm căn cước”" in names
    assert "Còn gọi là" not in page
    passport = client.get("/thu-tuc/cap-ho-chieu-pho-thong/").content.decode()
    names = passport.split('id="procedure-common-names"')[1].split("</p>")[0]
    assert "làm hộ chiếu" in names
    assert "passport" not in names and "lam ho chieu" not in names  # English, no diacritics


def _english_strings() -> list[str]:
    """English texts of the compiled catalogue in locale/en that differ from their Vietnamese
    source (plural forms included)."""
    path = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog  # noqa: SLF001 - the whole table
    english = []
    for key, text in catalogue.items():
        source = key[0] if isinstance(key, tuple) else key
        if source and text and text != source and len(text) >= 6:
            english.append(text)
    return english


@pytest.mark.parametrize("cookie", [False, True])
def test_an_english_browser_gets_the_whole_home_page_in_vietnamese(client, cookie):
    if cookie:  # a choice stored by the old switch
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    english = _english_strings()
    assert len(english) > 20  # the catalogue is read (else this test proves nothing)
    assert [s for s in english if s in page] == []
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in page
    assert "Ông/bà cần Công an giúp gì?" in page
    assert "setlang" not in page and 'name="language"' not in page
    assert client.post("/i18n/setlang/", {"language": "en"}).status_code == 404


def test_public_menu_leads_to_the_four_tasks_and_the_directory(client):
    page = client.get("/thu-tuc/").content.decode()
    nav = page.split('<nav aria-label="Chính">')[1].split("</nav>")[0]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert [(href, label.strip()) for href, label in links] == [
        ("/thu-tuc/", "Thủ tục"),
        ("/phan-anh/", "Gửi tin báo"),
        ("/phan-anh/tra-cuu/", "Tra cứu"),
        ("/tro-chuyen/", "Trực ban"),
        ("/#directory-title", "Đơn vị"),
    ]
    assert re.search(r'href="/thu-tuc/"\s+aria-current="page"', nav)


def test_home_page_leads_with_the_four_tasks_and_the_emergency_numbers(client):
    page = client.get("/").content.decode()
    assert "gần bạn" not in page
    tasks = page.split('id="home-tasks"')[1].split("</ul>")[0]
    assert re.findall(r'href="([^"]+)"', tasks) == [
        "/thu-tuc/",
        "/phan-anh/",
        "/phan-anh/tra-cuu/",
        "/tro-chuyen/",
    ]
    emergency = page.split('id="emergency"')[1].split("</section>")[0]
    assert re.findall(r'href="(tel:\d+)"', emergency) == ["tel:113", "tel:114", "tel:115"]
    order = [page.index(marker) for marker in ('id="home-tasks"', 'id="emergency"', 'id="nearest"')]
    assert order == sorted(order) and page.index('id="nearest"') < page.index('id="unit-list"')


def test_home_page_finds_the_unit_serving_a_typed_address(client):
    response = client.post("/", {"address": "Phường Thọ Xương, thành phố Bắc Giang, Bắc Giang"})
    assert response.status_code == 200
    served = response.content.decode().split('id="nearest-served"')[1].split("</div>")[0]
    assert "Công an phường Thọ Xương" in served
    assert f'href="/tro-chuyen/{THO_XUONG}/"' in served
    assert f'href="/phan-anh/?don-vi={THO_XUONG}"' in served


@pytest.mark.parametrize(
    ("address", "message"),
    [("", "Hãy nhập địa chỉ"), ("khong co dia chi nay", "Chưa xác định được đơn vị")],
)
def test_home_page_says_when_an_address_finds_no_unit(client, address, message):
    # 200: the page answers with its message (a 4xx would be a console error in the browser).
    response = client.post("/", {"address": address})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'id="nearest-served"' not in page
    assert 'id="unit-list"' in page  # the directory is still there to choose from


def test_favicon_and_manifest(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301
    assert icon["Location"].endswith("/langnghe/icons/favicon.ico")
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["short_name"] == "Lắng Nghe" and data["lang"] == "vi"
    assert data["theme_color"] == "#0b4f8a"
    assert {i["sizes"] for i in data["icons"]} >= {"192x192", "512x512"}
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and 'rel="manifest" href="/manifest.webmanifest"' in page


def test_icon_files_are_the_sizes_the_manifest_says():
    from PIL import Image

    from langnghe.core.icons import ICONS_DIR

    for size in (192, 512):
        with Image.open(ICONS_DIR / f"icon-{size}.png") as image:
            assert image.size == (size, size)
    with Image.open(ICONS_DIR / "favicon.ico") as image:
        assert (32, 32) in image.info["sizes"]


def test_staff_pages_have_their_own_footer(client, make_staff):
    client.force_login(make_staff(THO_XUONG, "viewer"))
    page = client.get("/staff/").content.decode()
    footer = page.split('<footer class="site-footer staff-footer">')[1].split("</footer>")[0]
    assert "bảng điều khiển nội bộ của Công an phường Thọ Xương" in footer
    assert "Phiên bản" in footer and "quản trị viên" in footer
    assert "Không cần tài khoản" not in page
    client.logout()
    login = client.get("/staff/login/").content.decode()
    assert "staff-footer" in login and "Không cần tài khoản" not in login
    public = client.get("/").content.decode()
    assert "Không cần tài khoản" in public and "staff-footer" not in public


def test_a_form_sent_without_its_token_is_refused_in_vietnamese(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/", {"address": "Thọ Xương, Bắc Giang"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không gửi được biểu mẫu" in page and "CSRF" not in page
