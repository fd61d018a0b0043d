"""Issue #27, an outside tester's findings on the citizen's tip pages: a form shown again with
its error is a page (200), not a failed request; tracking codes as read off paper; an anonymous
tip keeps no identity; the receipt thread names the files sent and the place given."""

import io
import re

import pytest
from PIL import Image

from langnghe.cases import crypto
from langnghe.cases.models import Case

from .conftest import THO_XUONG

pytestmark = pytest.mark.django_db

PLACE = "Ngõ 12 đường Xương Giang, phường Thọ Xương"


def _send(client, **fields):
    body = {"unit": THO_XUONG, "category": "public_order", "description": "Đua xe ban đêm"}
    body.update(fields)
    return client.post(f"/phan-anh/?don-vi={THO_XUONG}", body)


def _anonymous_receipt(client, **fields) -> str:
    response = _send(client, anonymous="1", **fields)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return re.search(r'id="receipt">([\d ]+)<', page).group(1).replace(" ", "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "Vui lòng nhập nội dung"),
        ({"name": "Trần Thị Bích", "phone": "abc"}, "Số điện thoại không đúng"),
    ],
)
def test_a_refused_tip_form_is_shown_again_with_200(client, fields, message):
    response = _send(client, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_an_unknown_tracking_code_or_receipt_is_shown_with_200(client):
    unknown = client.get("/phan-anh/tra-cuu/", {"ma": "LNXXXXXXXX"})
    assert unknown.status_code == 200
    assert "Không tìm thấy vụ việc" in unknown.content.decode()
    wrong = client.post("/phan-anh/bien-nhan/", {"receipt": "1111 2222 3333 4444"})
    assert wrong.status_code == 200 and "Mã biên nhận không đúng" in wrong.content.decode()
    # A real refusal of a resource keeps its status: a unit that does not exist.
    assert client.get("/tro-chuyen/BG-NOPE/").status_code == 404


@pytest.mark.parametrize("typed", ["{a} {b}", "{a}-{b}", "{lower}", " {a} - {b} ", "{a}–{b}"])
def test_a_tracking_code_with_spaces_or_dashes_is_found(client, typed):
    assert _send(client, name="Trần Thị Bích", phone="0912345678").status_code == 302
    code = Case.objects.get().tracking_code
    typed = typed.format(a=code[:2], b=code[2:], lower=f"{code[:2]}-{code[2:]}".lower())
    page = client.get("/phan-anh/tra-cuu/", {"ma": typed})
    assert page.status_code == 200
    assert code in page.content.decode() and "Không tìm thấy" not in page.content.decode()


def test_an_anonymous_tip_stores_no_name_or_phone_even_when_typed(client):
    _anonymous_receipt(client, name="Trần Thị Bích", phone="0912 345 678", reporter_address="X")
    case = Case.objects.get()
    assert case.is_anonymous
    sealed = case.reporter_sealed
    reporter = (
        crypto.unseal_json(sealed, context=case.sealing_context("reporter")) if sealed else {}
    )
    assert not (reporter or {}).get("name") and not (reporter or {}).get("phone")
    # The form hides and disables them when "Gửi ẩn danh" is ticked (script below).
    form = client.get("/phan-anh/").content.decode()
    assert 'id="reporter-identity"' in form and "cases/report_form.js" in form


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_the_receipt_thread_names_the_file_and_shows_the_place(client):
    receipt = _anonymous_receipt(client, address=PLACE)
    photo = io.BytesIO(_jpeg())
    photo.name = "IMG_Tran_Thi_Bich.jpg"
    client.post("/phan-anh/bien-nhan/", {"receipt": receipt, "action": "file", "files": [photo]})
    page = client.post("/phan-anh/bien-nhan/", {"receipt": receipt}).content.decode()
    attachment = Case.objects.get().attachments.get()
    kb = max(1, round(attachment.size / 1024))
    assert f"đã gửi 1 ảnh (JPEG, {kb} KB)" in page
    assert "(đã gửi một tệp)" not in page
    assert "Tran_Thi_Bich" not in page  # the original file name is never kept
    original = re.search(r'id="original-report">(.*?)</li>', page, re.S).group(1)
    assert PLACE in original and "Nơi xảy ra" in original
    assert "Ông/bà (tin đã gửi)" in original


def test_the_sent_page_speaks_to_the_citizen(client):
    response = _send(client, name="Trần Thị Bích", phone="0912345678")
    page = client.get(response["Location"]).content.decode()
    assert "Thời hạn giải quyết theo quy định" in page
    assert "nội bộ" not in page and "TTLT" not in page
    assert not re.search(r"(?<!\w)[Bb]ạn(?!\w)", page)
