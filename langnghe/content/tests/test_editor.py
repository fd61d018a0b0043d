"""The post editor (#27): Markdown rendered and sanitised, a preview equal to what is
published, images uploaded without their metadata, old HTML posts kept, and the message that
says which units a post reached."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from langnghe.audit.models import AuditEntry
from langnghe.content.models import Post
from langnghe.content.rendering import body_render, markdown_to_html
from langnghe.units.models import Unit

pytestmark = pytest.mark.django_db

PROVINCE, CITY, THO_XUONG = "BG", "BG-H213", "BG-X07201"

TWO_PARAGRAPHS = (
    "Công an phường khuyến cáo người dân cảnh giác.\n"
    "Không chuyển tiền cho người lạ.\n\n"
    "Khi nghi ngờ, hãy gọi **113** hoặc xem [hướng dẫn](https://dichvucong.bocongan.gov.vn)."
)


def _staff_client(client, make_staff, code: str, role: str):
    user = make_staff(code, role)
    client.force_login(user)
    session = client.session
    session["staff_unit"] = code
    session.save()
    return client, user


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (2000, 1000), (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Điện thoại của cán bộ"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 17.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"Nguyen Van A")
    return out.getvalue()


# --- rendering ------------------------------------------------------------------------------------


def test_markdown_keeps_paragraphs_and_line_breaks_and_sanitises():
    html = markdown_to_html(
        TWO_PARAGRAPHS
        + '\n\n<script>alert(\'x\')</script>\n\n<img src="/a.png" onerror="alert(1)">'
        + "\n\n[bấm](javascript:alert(1))"
    )
    assert html.count("<p>") == 3  # two paragraphs, and the refused link left as text
    assert "cảnh giác.<br>" in html  # one line break kept inside the paragraph
    assert "<strong>113</strong>" in html
    assert "<script" not in html and "alert('x')" not in html
    assert "onerror" not in html and '<img src="/a.png">' in html
    assert (
        '<a href="https://dichvucong.bocongan.gov.vn" rel="noopener noreferrer nofollow">'
        "hướng dẫn</a>" in html
    )
    assert 'href="javascript' not in html


def test_html_posts_render_as_before():
    old = '<p>Một</p><p onclick="x()">Hai</p><script>x()</script>'
    assert body_render(old, "html") == "<p>Một</p><p>Hai</p>"
    # An old HTML body opened in the Markdown editor renders to the same thing.
    assert body_render(old, "markdown") == body_render(old, "html")


# --- preview and publishing ---------------------------------------------------------------------


def test_preview_is_exactly_what_is_published(client, make_staff):
    client, _editor = _staff_client(client, make_staff, THO_XUONG, "editor")
    preview = client.post("/staff/content/preview/", {"body": TWO_PARAGRAPHS})
    assert preview.status_code == 200
    html = preview.json()["html"]
    assert html.count("<p>") == 2
    assert Post.objects.count() == 0  # a preview stores nothing

    response = client.post(
        "/staff/content/new/",
        {
            "kind": "article",
            "title": "Cảnh giác lừa đảo",
            "body": TWO_PARAGRAPHS,
            "audience": "none",
            "action": "publish",
        },  # fmt: skip
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert post.state == "published" and post.body_format == "markdown"
    assert post.body == html and post.body_source == TWO_PARAGRAPHS
    page = client.get(post.get_absolute_url()).content.decode()
    assert html in page
    # Opened again, the editor holds the Markdown, not the HTML.
    edit = client.get(f"/staff/content/{post.pk}/").content.decode()
    assert "**113**" in edit


def test_preview_without_javascript_shows_the_page_and_saves_nothing(client, make_staff):
    client, _editor = _staff_client(client, make_staff, THO_XUONG, "editor")
    response = client.post(
        "/staff/content/new/",
        {
            "kind": "article",
            "title": "Thử",
            "body": TWO_PARAGRAPHS,
            "audience": "none",
            "action": "preview",
        },  # fmt: skip
    )
    assert response.status_code == 200
    page = response.content.decode()
    preview = re.search(r'id="post-preview"[^>]*>(.*?)</section>', page, re.S)
    assert preview and "hidden" not in page[page.index('id="post-preview"') - 200 :][:300]
    assert markdown_to_html(TWO_PARAGRAPHS) in preview.group(1)
    assert Post.objects.count() == 0


def test_preview_refused_to_a_role_that_cannot_write(client, make_staff):
    client, _viewer = _staff_client(client, make_staff, THO_XUONG, "viewer")
    response = client.post("/staff/content/preview/", {"body": "x"})
    assert response.status_code == 403
    assert "không có quyền" in response.json()["error"]


def test_old_html_post_still_displays_and_is_kept_when_edited_in_markdown(
    client, make_staff, unit, api_client
):
    editor = make_staff(THO_XUONG, "editor")
    created = api_client(editor).post(
        "/api/v1/posts",
        {
            "unit": THO_XUONG,
            "title": "Bài cũ",
            "body": "<p>Đoạn một.</p>\n<p>Đoạn hai.</p>",
            "publish": True,
        },  # fmt: skip
        content_type="application/json",
    )
    assert created.status_code == 201
    post = Post.objects.get()
    assert post.body_format == "html" and post.body_source == ""
    assert "<p>Đoạn một.</p>" in client.get(post.get_absolute_url()).content.decode()
    client.force_login(editor)
    edit = client.get(f"/staff/content/{post.pk}/").content.decode()
    assert "&lt;p&gt;Đoạn một.&lt;/p&gt;" in edit  # the HTML, in the textarea
    saved = client.post(
        f"/staff/content/{post.pk}/",
        {
            "kind": "article",
            "title": "Bài cũ",
            "body": post.body,
            "audience": "none",
            "action": "draft",
        },  # fmt: skip
    )
    assert saved.status_code == 302
    post.refresh_from_db()
    assert post.body_format == "markdown"
    assert post.body == "<p>Đoạn một.</p>\n<p>Đoạn hai.</p>"


# --- images -------------------------------------------------------------------------------------


def test_image_upload_strips_metadata_and_inserts_markdown(client, make_staff):
    client, editor = _staff_client(client, make_staff, THO_XUONG, "editor")
    upload = io.BytesIO(_jpeg_with_gps())
    upload.name = "IMG_2024_nha_ong_A.jpg"
    response = client.post("/staff/content/images/", {"image": upload, "alt": "Tờ rơi [mẫu]"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert re.fullmatch(r"/media/content/images/[0-9a-f]{32}\.jpg", data["url"])
    assert "nha_ong_A" not in data["url"]
    assert data["markdown"] == f"![Tờ rơi (mẫu)]({data['url']})"
    name = data["url"].removeprefix("/media/")
    with default_storage.open(name) as stored:
        raw = stored.read()
    image = Image.open(io.BytesIO(raw))
    assert image.width == 1600  # resized
    assert not image.getexif() and "comment" not in image.info and b"Nguyen Van A" not in raw
    assert client.get(data["url"]).status_code == 200
    entry = AuditEntry.objects.get(action="post.image_upload")
    assert entry.actor == editor


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("anh.jpg", b"<?php echo 1; ?>" * 10, "không phải là ảnh hợp lệ"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "không phải là ảnh hợp lệ"),
        ("lon.png", b"0" * (5 * 1024 * 1024 + 1), "tối đa 5 MB"),
    ],
)
def test_bad_image_is_refused_in_vietnamese(client, make_staff, name, content, message):
    client, _editor = _staff_client(client, make_staff, THO_XUONG, "editor")
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post("/staff/content/images/", {"image": upload, "alt": "Ảnh"})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not AuditEntry.objects.filter(action="post.image_upload").exists()


def test_image_upload_refused_to_a_viewer(client, make_staff):
    client, _viewer = _staff_client(client, make_staff, THO_XUONG, "viewer")
    upload = io.BytesIO(_jpeg_with_gps())
    upload.name = "a.jpg"
    response = client.post("/staff/content/images/", {"image": upload})
    assert response.status_code == 403


def test_image_in_the_form_without_javascript_goes_into_the_body(client, make_staff):
    client, _editor = _staff_client(client, make_staff, THO_XUONG, "editor")
    upload = io.BytesIO(_jpeg_with_gps())
    upload.name = "a.jpg"
    response = client.post(
        "/staff/content/new/",
        {
            "kind": "article",
            "title": "Có ảnh",
            "body": "Đoạn một.",
            "image": upload,
            "image_alt": "Tờ rơi",
            "audience": "none",
            "action": "draft",
        },  # fmt: skip
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert re.search(r"!\[Tờ rơi\]\(/media/content/images/[0-9a-f]{32}\.jpg\)", post.body_source)
    assert '<img src="/media/content/images/' in post.body and 'alt="Tờ rơi"' in post.body


def test_an_image_needs_a_description(client, make_staff):
    """The editor's button and the form without JavaScript both refuse an image with no
    description (it would be "![](…)": nothing for a screen reader)."""
    client, _editor = _staff_client(client, make_staff, THO_XUONG, "editor")
    upload = io.BytesIO(_jpeg_with_gps())
    upload.name = "a.jpg"
    response = client.post("/staff/content/images/", {"image": upload, "alt": "  "})
    assert response.status_code == 400
    assert "Mô tả ảnh chèn" in response.json()["error"]
    upload = io.BytesIO(_jpeg_with_gps())
    upload.name = "a.jpg"
    response = client.post(
        "/staff/content/new/",
        {"kind": "article", "title": "Có ảnh", "body": "Đoạn một.", "image": upload,
         "image_alt": "", "audience": "none", "action": "draft"},
    )  # fmt: skip
    assert response.status_code in (200, 400)
    assert "Hãy nhập “Mô tả ảnh chèn”" in response.content.decode()
    assert not Post.objects.exists()
    assert not AuditEntry.objects.filter(action="post.image_upload").exists()


# --- where a post went --------------------------------------------------------------------------


def test_publishing_down_the_tree_says_how_many_units_and_which(client, make_staff):
    client, _editor = _staff_client(client, make_staff, PROVINCE, "editor")
    response = client.post(
        "/staff/content/new/",
        {
            "kind": "notice",
            "title": "Cảnh báo lừa đảo",
            "body": "Cảnh giác.",
            "audience": "units",
            "audience_unit": [CITY],
            "action": "publish",
        },  # fmt: skip
        follow=True,
    )
    assert response.status_code == 200
    city = Unit.objects.get(code=CITY)
    below = Unit.objects.filter(path__startswith=city.path, is_active=True).order_by("path")
    expected = below.count()
    assert expected > 10
    page = response.content.decode()
    assert (
        f"Đã đăng bài trên trang của Công an tỉnh Bắc Giang và tới {expected} đơn vị cấp dưới: "
        f"{below[0].name}, {below[1].name}, {below[2].name} và {expected - 3} đơn vị khác" in page
    )
    assert '<a href="#don-vi-nhan">xem danh sách</a>' in page
    section = re.search(r'id="don-vi-nhan".*?</section>', page, re.S).group(0)
    assert f"Đơn vị nhận bài ({expected})" in section
    assert section.count("<li>") == expected
    assert "Công an phường Thọ Xương" in section


def test_publishing_to_its_own_page_only(client, make_staff):
    client, _editor = _staff_client(client, make_staff, THO_XUONG, "editor")
    response = client.post(
        "/staff/content/new/",
        {"kind": "article", "title": "Tin", "body": "x", "audience": "none", "action": "publish"},
        follow=True,
    )
    assert "Đã đăng bài trên trang của Công an phường Thọ Xương." in response.content.decode()


def test_audience_typed_without_javascript_outside_the_subtree_is_refused(client, make_staff):
    client, _editor = _staff_client(client, make_staff, CITY, "editor")
    response = client.post(
        "/staff/content/new/",
        {
            "kind": "notice",
            "title": "Cảnh báo",
            "body": "x",
            "audience": "units",
            "audience_codes": "Công an huyện Yên Thế",
            "action": "publish",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị “Công an huyện Yên Thế”" in response.content.decode()
    assert Post.objects.count() == 0
    # A hidden code outside the subtree (a forged form) is refused too.
    response = client.post(
        "/staff/content/new/",
        {
            "kind": "notice",
            "title": "Cảnh báo",
            "body": "x",
            "audience": "units",
            "audience_unit": ["BG-H215"],
            "action": "publish",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "chỉ đăng được tới các đơn vị cấp dưới" in response.content.decode()
    assert Post.objects.count() == 0
    # Typed by name without diacritics, below the city: accepted.
    response = client.post(
        "/staff/content/new/",
        {
            "kind": "notice",
            "title": "Cảnh báo",
            "body": "x",
            "audience": "units",
            "audience_codes": "phuong tho xuong",
            "action": "publish",
        },  # fmt: skip
    )
    assert response.status_code == 302
    assert list(Post.objects.get().audience_units.values_list("code", flat=True)) == [THO_XUONG]
