"""The post editor and the transfer picker in Chromium, at 360 px and 1366 px: write a post of
two paragraphs with an image, preview it, publish it, read it on the ward's public page; move a
case to the next ward by typing its name without diacritics."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THO_XUONG, TRAN_NGUYEN_HAN = "BG-X07201", "BG-X07204"
PASSWORD = "mat-khau-123"


@pytest.fixture(params=[360, 1366], ids=["phone", "laptop"])
def page(request, browser):
    width = request.param
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="vi-VN", is_mobile=width < 400,
        has_touch=width < 400,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    # Failed loads are counted by their address (the favicon is another part of #27).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.console_errors = errors
    yield page
    context.close()


def _login(page, live_server, username):
    page.goto(live_server.url + "/staff/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("#unit-switch")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _photo(tmp_path):
    path = tmp_path / "to-roi.jpg"
    image = Image.new("RGB", (1200, 800), (30, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "Máy ảnh của cán bộ"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def test_write_preview_publish_a_post_with_an_image(live_server, page, demo_network, tmp_path):
    from langnghe.accounts.services import staff_create
    from langnghe.content.models import Post
    from langnghe.units.models import Unit

    ward = Unit.objects.get(code=THO_XUONG)
    staff_create(username="bientap.e2e", password=PASSWORD, unit=ward, role="editor")
    _login(page, live_server, "bientap.e2e")
    page.goto(live_server.url + "/staff/content/new/")
    page.wait_for_selector(".EasyMDEContainer .CodeMirror")  # the editor took over the textarea
    assert page.locator(".editor-toolbar button", has_text="Chèn ảnh").count() == 1
    page.fill("#id_title", "Cảnh giác cuộc gọi giả danh công an")
    page.click(".EasyMDEContainer .CodeMirror")
    page.keyboard.type("Công an không làm việc qua điện thoại.\n\nHãy gọi 113 khi nghi ngờ.\n\n")
    # The toolbar's image button opens a file chooser; the server answers the image's URL; the
    # description typed in "Mô tả ảnh chèn" becomes the image's alt text.
    page.fill("#id_image_alt", "Tờ rơi cảnh giác [mẫu]")
    with page.expect_file_chooser() as chooser:
        page.click(".editor-toolbar button:has-text('Chèn ảnh')")
    chooser.value.set_files(str(_photo(tmp_path)))
    # (wait_for_function would evaluate a string, which the page's CSP forbids)
    expect(page.locator("#id_body")).to_have_value(
        re.compile(r"!\[Tờ rơi cảnh giác \(mẫu\)\]\(/media/content/images/")
    )
    expect(page.locator("#id_image_alt")).to_have_value("")  # used once
    # With the field empty, the description is asked for.
    page.once("dialog", lambda dialog: dialog.accept("Sơ đồ đường dây nóng"))
    with page.expect_file_chooser() as chooser:
        page.click(".editor-toolbar button:has-text('Chèn ảnh')")
    chooser.value.set_files(str(_photo(tmp_path)))
    expect(page.locator("#id_body")).to_have_value(
        re.compile(r"!\[Sơ đồ đường dây nóng\]\(/media/content/images/")
    )
    page.click("#post-form button[value=preview]")
    preview = page.locator("#post-preview .content-body")
    page.wait_for_selector("#post-preview .content-body img")
    assert preview.locator("p:not(:has(img))").count() == 2
    assert page.evaluate("document.querySelector('#post-preview img').naturalWidth") > 0
    assert _no_sideways_scroll(page)
    assert Post.objects.count() == 0  # a preview stores nothing

    page.click("#post-form button[value=publish]")
    page.wait_for_selector(".alert.success")
    assert "Đã đăng bài trên trang của Công an phường Thọ Xương." in page.inner_text(".alert")
    post = Post.objects.get()
    assert post.state == "published" and post.body_format == "markdown"
    assert post.body_source.count("/media/content/images/") == 2
    assert "![](" not in post.body_source

    page.goto(live_server.url + ward.get_absolute_url())
    page.click(f"a[href='{post.get_absolute_url()}']")
    page.wait_for_selector("article#post .content-body")
    body = page.locator("article#post .content-body")
    assert body.locator("p:not(:has(img))").count() == 2
    # Each inserted once (not sent again with the form), each with its description.
    assert body.locator("img").count() == 2
    assert [body.locator("img").nth(i).get_attribute("alt") for i in range(2)] == [
        "Tờ rơi cảnh giác (mẫu)",
        "Sơ đồ đường dây nóng",
    ]
    assert "Hãy gọi 113 khi nghi ngờ." in body.inner_text()
    assert (
        page.evaluate("document.querySelector('article#post .content-body img').naturalWidth") > 0
    )
    assert _no_sideways_scroll(page)
    assert not page.console_errors, page.console_errors


def test_transfer_a_case_with_the_unit_picker(live_server, page, demo_network, settings):
    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    from langnghe.accounts.services import staff_create
    from langnghe.cases.models import Case
    from langnghe.cases.services import case_create
    from langnghe.units.models import Unit

    staff_create(username="trucban.e2e", password=PASSWORD, unit=Unit.objects.get(code=THO_XUONG),
                 role="duty_officer")  # fmt: skip
    case, _receipt = case_create(
        category_code="public_order",
        description="Hát karaoke to sau 23 giờ ở ngõ 5.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    _login(page, live_server, "trucban.e2e")
    page.goto(live_server.url + f"/staff/cases/{case.pk}/")
    picker = page.locator("#f-to")
    assert picker.get_attribute("role") == "combobox"
    picker.click()
    picker.press_sequentially("tran nguyen han", delay=30)
    option = page.locator("#f-to-list [role=option]").first
    expect(option).to_have_text(re.compile(r"^Công an phường Trần Nguyên Hãn"))
    assert picker.get_attribute("aria-expanded") == "true"
    picker.press("ArrowDown")
    assert picker.get_attribute("aria-activedescendant") == "f-to-list-0"
    picker.press("Enter")  # chooses; does not send the form
    assert picker.input_value() == "Công an phường Trần Nguyên Hãn"
    assert page.locator("input[name=to_unit]").input_value() == TRAN_NGUYEN_HAN
    assert _no_sideways_scroll(page)
    form = page.locator(f"form[action='/staff/cases/{case.pk}/transfer/']")
    form.locator("input[name=reason]").fill("Địa điểm thuộc phường Trần Nguyên Hãn")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/cases/$"))
    assert "Đã chuyển đơn vị." in page.inner_text(".alert")
    case = Case.objects.select_related("unit").get(pk=case.pk)
    assert case.unit.code == TRAN_NGUYEN_HAN and case.status == "transferred"
    assert not page.console_errors, page.console_errors
