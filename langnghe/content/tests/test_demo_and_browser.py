"""Demo content, and reading a post on a phone in headless Chromium."""

import io

import pytest

from langnghe.content import demo
from langnghe.content.models import Post


@pytest.mark.django_db
def test_demo_is_idempotent_and_reaches_communes(client):
    demo.load(io.StringIO())
    count = Post.objects.count()
    demo.load(io.StringIO())
    assert Post.objects.count() == count >= 10
    assert Post.objects.filter(state="scheduled").count() == 1
    html = client.get("/api/v1/posts", {"unit": "BG-X07204"}).json()
    titles = {p["title"] for p in html["items"]}
    # The province's warning (all below), the city's article (its subtree) and the ward's own.
    assert "Cảnh báo: giả danh cán bộ Công an gọi điện yêu cầu chuyển tiền" in titles
    assert "Công an thành phố tăng cường kiểm soát nồng độ cồn dịp cuối năm" in titles
    assert "Cảnh giác tin nhắn giả ngân hàng đòi cập nhật sinh trắc học" in titles
    # Another district's commune does not get the city's article nor the ward's post.
    other = client.get("/api/v1/posts", {"unit": "BG-H215"}).json()
    assert "Công an thành phố tăng cường kiểm soát nồng độ cồn dịp cuối năm" not in {
        p["title"] for p in other["items"]
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_read_a_cross_posted_notice_on_a_phone(live_server, phone_page, demo_network):
    demo.load(io.StringIO())
    page = phone_page
    page.goto(live_server.url + "/don-vi/" + _slug("BG-X07201") + "/")
    pinned = page.locator("#pinned-notices")
    assert "giả danh cán bộ Công an" in pinned.inner_text()
    pinned.get_by_text("Cảnh báo: giả danh cán bộ Công an").click()
    page.wait_for_selector("article#post h1")
    assert "giả danh cán bộ Công an" in page.locator("article#post h1").inner_text()
    assert page.locator('meta[property="og:title"]').get_attribute("content").startswith("Cảnh báo")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    cover = page.locator("img.content-cover")
    assert cover.is_visible() and cover.bounding_box()["width"] <= 360
    assert page.evaluate("document.querySelector('img.content-cover').naturalWidth") > 0
    share = page.locator("#share a").first.bounding_box()
    assert share["height"] >= 44


def _slug(code: str) -> str:
    from langnghe.units.models import Unit

    return Unit.objects.get(code=code).slug
