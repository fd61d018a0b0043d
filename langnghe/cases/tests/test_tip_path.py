"""Issue #27, the citizen's tip path: the phone number checked, the place of the events kept
sealed, one case per tip however often the "sent" page is reloaded, codes to copy and save,
progress steps and the whole thread, attachments with their extension and thumbnails."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from langnghe.audit.models import AuditEntry
from langnghe.cases import crypto
from langnghe.cases.models import Case, CaseAttachment
from langnghe.cases.phones import INVALID_PHONE

from .conftest import THO_XUONG, TRAN_NGUYEN_HAN
from .test_file_metadata import _tipster_photo

pytestmark = pytest.mark.django_db

DESCRIPTION = "Nhóm thanh niên tụ tập đua xe, nẹt pô mỗi tối sau 23 giờ."
PLACE = "Ngõ 12 đường Xương Giang, phường Thọ Xương"


def _tip(client, **overrides):
    body = {
        "unit": THO_XUONG,
        "category": "public_order",
        "description": DESCRIPTION,
        "name": "Trần Thị Bích",
        "phone": "0912 345 678",
    }
    body.update(overrides)
    return client.post(f"/phan-anh/?don-vi={THO_XUONG}", body)


def _reporter(case: Case) -> dict:
    return crypto.unseal_json(case.reporter_sealed, context=case.sealing_context("reporter"))


# --- the phone number -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84-35-123-4567", "0351234567"),
        ("0204 3854 123", "02043854123"),  # a Bắc Giang landline (area code 204)
        ("(024) 3826 1234", "02438261234"),
    ],
)
def test_vietnamese_numbers_are_accepted_and_written_one_way(client, typed, kept):
    response = _tip(client, phone=typed)
    assert response.status_code == 302, response.content.decode()[:300]
    assert _reporter(Case.objects.get())["phone"] == kept


@pytest.mark.parametrize("typed", ["abc", "123", "0944", "0912ABC678", "1900 1234", "0112345678"])
def test_a_wrong_number_is_refused_in_vietnamese_keeping_what_was_typed(client, typed):
    response = _tip(client, phone=typed, address=PLACE)
    assert response.status_code == 200  # the form shown again with its error (issue #27)
    page = response.content.decode()
    assert INVALID_PHONE in page and "Số điện thoại không đúng" in page
    # The error sits next to the field, which is marked invalid and takes the focus.
    assert re.search(r'id="f-phone"[^>]*aria-invalid="true"[^>]*autofocus', page)
    assert 'id="f-phone-error"' in page
    # Everything typed is still there.
    assert DESCRIPTION in page and "Trần Thị Bích" in page and PLACE in page
    assert f'value="{typed}"' in page
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(action="case.create").exists()


def test_an_anonymous_tip_needs_no_phone(client):
    response = _tip(client, anonymous="1", name="", phone="abc")
    assert response.status_code == 302
    assert Case.objects.get().is_anonymous


def test_the_api_checks_the_phone_too(post_case):
    response = post_case(reporter={"name": "Trần Thị Bích", "phone": "abc"})
    assert response.status_code == 400
    assert "Số điện thoại không đúng" in response.content.decode()
    assert not Case.objects.exists()


# --- where it happened ----------------------------------------------------------------------


def test_the_place_is_on_every_form_stored_sealed_and_shown_to_staff_only(
    client, handler, make_staff
):
    form = client.get(f"/phan-anh/?don-vi={THO_XUONG}").content.decode()
    assert 'name="address"' in form and "Nơi xảy ra" in form and 'id="f-address-help"' in form
    assert _tip(client, address=PLACE).status_code == 302
    case = Case.objects.get()
    # Sealed like the description; no column holds it in the clear.
    assert PLACE not in case.address_sealed and case.address_sealed.startswith("v")
    assert crypto.unseal(case.address_sealed, context=case.sealing_context("address")) == PLACE
    row = Case.objects.filter(pk=case.pk).values().get()
    assert not [k for k, v in row.items() if isinstance(v, str) and "Xương Giang" in v]

    client.force_login(handler)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert PLACE in page and 'id="case-place"' in page
    assert AuditEntry.objects.filter(action="case.content_open", actor=handler).exists()

    client.force_login(make_staff(THO_XUONG, "viewer"))  # counts, not a citizen's words
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert PLACE not in page
    client.force_login(make_staff(TRAN_NGUYEN_HAN, "investigator"))
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404
    client.logout()
    status = client.get(f"/phan-anh/tra-cuu/?ma={case.tracking_code}").content.decode()
    assert PLACE not in status and DESCRIPTION not in status


# --- Post/Redirect/Get ----------------------------------------------------------------------


def test_reloading_the_sent_page_creates_no_second_case_and_shows_the_codes_once(client):
    response = _tip(client, anonymous="1", name="", phone="")
    assert response.status_code == 302 and response["Location"] == "/phan-anh/da-gui/"
    first = client.get("/phan-anh/da-gui/")
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    page = first.content.decode()
    receipt = re.search(r'id="receipt">([\d ]+)<', page).group(1).replace(" ", "")
    case = Case.objects.get()
    assert case.tracking_code in page
    # Nothing secret travelled in a URL, and the session holds nothing of it any more.
    assert receipt not in response["Location"]
    assert "cases.sent" not in client.session

    again = client.get("/phan-anh/da-gui/")
    assert again.status_code == 200
    page = again.content.decode()
    assert receipt not in page and case.tracking_code not in page
    assert "chỉ hiện một lần" in page
    assert Case.objects.count() == 1


def test_the_session_holds_the_receipt_sealed_until_it_is_shown(client):
    _tip(client, anonymous="1", name="", phone="")
    sent = client.session["cases.sent"]
    case = Case.objects.get()
    assert sent["case"] == case.pk
    assert sent["receipt"].startswith("v") and not re.search(r"\d{16}", sent["receipt"])


# --- the receipt -----------------------------------------------------------------------------


def test_the_receipt_page_has_copy_print_and_save_and_says_what_each_code_is(client):
    _tip(client, anonymous="1", name="", phone="")
    page = client.get("/phan-anh/da-gui/").content.decode()
    assert 'data-copy="tracking-code"' in page and 'data-copy="receipt"' in page
    assert page.count("Sao chép") >= 2 and 'role="status"' in page
    assert 'id="receipt-print"' in page and "Lưu / In" in page
    assert 'id="receipt-download"' in page and "cases/receipt.js" in page
    assert "Mã tra cứu" in page and "mật khẩu riêng" in page
    assert "không ai lấy lại hay cấp lại được" in page
    assert DESCRIPTION not in page  # what is printed or saved holds only the codes


def test_a_named_tip_gets_its_tracking_code_with_a_copy_button(client):
    _tip(client)
    page = client.get("/phan-anh/da-gui/").content.decode()
    assert 'data-copy="tracking-code"' in page and 'id="receipt"' not in page
    assert "Trần Thị Bích" not in page and "0912" not in page


# --- progress and the whole thread ----------------------------------------------------------


def _current_step(page: str) -> str:
    match = re.search(r'aria-current="step">.*?<strong>([^<]+)</strong>', page, re.S)
    return match.group(1) if match else ""


def test_status_shows_the_steps_with_the_deadline_and_no_content(client, handler):
    from langnghe.cases.services import case_assign, case_classify, case_resolve

    _tip(client)
    case = Case.objects.get()
    url = f"/phan-anh/tra-cuu/?ma={case.tracking_code}"
    page = client.get(url).content.decode()
    assert _current_step(page) == "Đã tiếp nhận"
    steps = re.findall(r"<strong>(Đã tiếp nhận|Đang xác minh|Đang xử lý|Đã có kết quả)<", page)
    assert steps == ["Đã tiếp nhận", "Đang xác minh", "Đang xử lý", "Đã có kết quả"]
    due = case.deadlines.filter(met_at=None).order_by("due_at").first().due_at
    from django.utils import timezone

    assert f"Hạn bước này: {timezone.localtime(due):%d/%m/%Y}" in page
    assert DESCRIPTION not in page

    case_classify(case=case, by=handler, category_code="public_order")
    assert _current_step(client.get(url).content.decode()) == "Đang xác minh"
    case_assign(case=case, by=handler, assignee=handler)
    page = client.get(url).content.decode()
    assert _current_step(page) == "Đang xử lý" and 'id="case-progress-label">Đang xử lý' in page
    case_resolve(case=case, by=handler, result="Đã lập biên bản, xử phạt.")
    page = client.get(url).content.decode()
    assert _current_step(page) == "" and page.count("(đã xong)") == 4
    assert "→ resolved" not in page and "verifying" not in page


def test_the_mailbox_thread_starts_with_the_original_report_then_the_replies(client, handler):
    from langnghe.cases.services import case_reply

    _tip(client, anonymous="1", name="", phone="")
    receipt = re.search(r'id="receipt">([\d ]+)<', client.get("/phan-anh/da-gui/").content.decode())
    case = Case.objects.get()
    case_reply(case=case, by=handler, body="Cảm ơn bạn, công an phường đã cử tổ tuần tra.")
    client.post(
        "/phan-anh/bien-nhan/",
        {"receipt": receipt.group(1), "action": "message", "body": "Tối qua lại có đua xe."},
    )
    page = client.post("/phan-anh/bien-nhan/", {"receipt": receipt.group(1)}).content.decode()
    thread = page[page.index('id="messages"') :]
    original = thread.index(DESCRIPTION)
    reply = thread.index("cử tổ tuần tra")
    added = thread.index("Tối qua lại có đua xe")
    assert original < reply < added
    assert 'id="original-report"' in thread and _current_step(page) == "Đã tiếp nhận"


# --- attachments -----------------------------------------------------------------------------


def _photo_tip(client, name="anh.bin"):
    upload = io.BytesIO(_tipster_photo())
    upload.name = name
    response = _tip(client, files=upload)
    assert response.status_code == 302, response.content.decode()[:300]
    case = Case.objects.get()
    return case, case.attachments.get()


def test_a_jpeg_downloads_as_jpg_whatever_its_sent_name_and_the_download_is_logged(client, handler):
    case, attachment = _photo_tip(client, name="IMG_0001.bin")
    client.force_login(handler)
    response = client.get(f"/staff/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="{case.tracking_code}-{attachment.pk}.jpg"'
    assert AuditEntry.objects.filter(
        action="case.attachment_open", actor=handler, target_id=str(case.pk)
    ).exists()


def test_thumbnails_for_the_units_handlers_only(client, handler, make_staff):
    case, attachment = _photo_tip(client)
    assert attachment.thumbnail_name.endswith(".thumb.jpg")
    stored = default_storage.open(attachment.thumbnail_name).read()
    assert not stored.startswith(b"\xff\xd8")  # sealed at rest, like the file
    url = f"/staff/cases/{case.pk}/attachments/{attachment.pk}/thumbnail/"

    client.force_login(handler)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert f'src="{url}"' in page and "Ảnh JPEG" in page and "image/jpeg" not in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG" and max(image.size) <= 320
    assert not image.getexif() and not ({"exif", "icc_profile", "comment", "xmp"} & set(image.info))
    assert b"SERIAL" not in response.content and b"CameraMaker" not in response.content

    for other in (
        make_staff(TRAN_NGUYEN_HAN, "supervisor"),  # another commune
        make_staff(TRAN_NGUYEN_HAN, "investigator"),
        make_staff(THO_XUONG, "viewer"),  # the same commune, without a handler's role
    ):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(f"/staff/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page, never the image


def test_a_thumbnail_is_made_on_first_view_for_an_older_image(client, handler):
    case, attachment = _photo_tip(client)
    default_storage.delete(attachment.thumbnail_name)
    CaseAttachment.objects.filter(pk=attachment.pk).update(thumbnail_name="")
    client.force_login(handler)
    url = f"/staff/cases/{case.pk}/attachments/{attachment.pk}/thumbnail/"
    assert client.get(url).status_code == 200
    attachment.refresh_from_db()
    assert attachment.thumbnail_name and default_storage.exists(attachment.thumbnail_name)
    assert client.get(url).status_code == 200


def test_a_pdf_has_no_thumbnail(client, handler):
    from .test_file_metadata import _author_pdf

    upload = io.BytesIO(_author_pdf())
    upload.name = "don.pdf"
    assert _tip(client, files=upload).status_code == 302
    case = Case.objects.get()
    attachment = case.attachments.get()
    assert attachment.thumbnail_name == ""
    client.force_login(handler)
    assert (
        client.get(f"/staff/cases/{case.pk}/attachments/{attachment.pk}/thumbnail/").status_code
        == 404
    )
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Tải Tài liệu PDF" in page and "/thumbnail/" not in page


def test_retention_deletes_the_thumbnail_with_the_file(
    client, handler, django_capture_on_commit_callbacks
):
    from langnghe.cases.retention import case_retention_purge
    from langnghe.cases.services import case_assign, case_classify, case_resolve

    case, attachment = _photo_tip(client)
    case_classify(case=case, by=handler, category_code="public_order")
    case_assign(case=case, by=handler, assignee=handler)
    case_resolve(case=case, by=handler, result="Xong.")
    with django_capture_on_commit_callbacks(execute=True):
        assert case_retention_purge(case=case) == 1
    assert not default_storage.exists(attachment.storage_name)
    assert not default_storage.exists(attachment.thumbnail_name)
