"""Public pages (form on each unit page, status, receipt mailbox) and the console."""

import re

import pytest

from langnghe.cases.models import Case

from .conftest import THO_XUONG, TRAN_NGUYEN_HAN

pytestmark = pytest.mark.django_db


def test_unit_page_links_to_its_form(client, tho_xuong):
    page = client.get(tho_xuong.get_absolute_url()).content.decode()
    assert f"/phan-anh/?don-vi={THO_XUONG}" in page
    form = client.get(f"/phan-anh/?don-vi={THO_XUONG}").content.decode()
    assert tho_xuong.name in form and 'name="description"' in form


def test_anonymous_form_shows_receipt_once_and_mailbox_works(client):
    response = client.post(
        f"/phan-anh/?don-vi={THO_XUONG}",
        {
            "unit": THO_XUONG,
            "category": "crime_report",
            "description": "Trộm chó ban đêm",
            "anonymous": "1",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/phan-anh/da-gui/"
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    receipt = re.search(r'id="receipt">([\d ]+)<', page).group(1)
    case = Case.objects.get()
    assert case.unit.code == THO_XUONG and case.is_anonymous and case.channel == "web"
    assert receipt.replace(" ", "") not in case.receipt_hash

    mailbox = client.post("/phan-anh/bien-nhan/", {"receipt": receipt, "action": "view"})
    assert mailbox.status_code == 200 and case.tracking_code in mailbox.content.decode()
    added = client.post(
        "/phan-anh/bien-nhan/",
        {"receipt": receipt, "action": "message", "body": "Thêm: 2 người, xe Dream"},
    )
    assert "xe Dream" in added.content.decode()
    wrong = client.post("/phan-anh/bien-nhan/", {"receipt": "1111222233334444"})
    # The form shown again with its error, not a failed request (issue #27).
    assert wrong.status_code == 200
    assert "Mã biên nhận không đúng" in wrong.content.decode()
    assert case.tracking_code not in wrong.content.decode()

    status = client.get(f"/phan-anh/tra-cuu/?ma={case.tracking_code}").content.decode()
    assert "Đã tiếp nhận" in status and "Trộm chó" not in status
    unknown = client.get("/phan-anh/tra-cuu/?ma=LNNOTHERE")
    assert unknown.status_code == 200
    assert "Không tìm thấy vụ việc với mã tra cứu này." in unknown.content.decode()


def test_form_errors_are_shown_and_nothing_stored(client):
    response = client.post(
        "/phan-anh/", {"category": "public_order", "description": "", "anonymous": "1"}
    )
    assert response.status_code == 200  # the form shown again with its error (issue #27)
    assert "Vui lòng nhập nội dung" in response.content.decode()
    assert not Case.objects.exists()


def test_console_list_detail_and_scope(client, handler, make_staff):
    from langnghe.cases.services import case_create

    case, _ = case_create(
        category_code="public_order",
        description="Karaoke quá 22h",
        unit_code=THO_XUONG,
        reporter={"name": "Ẩn Tên", "phone": "0944 123 456"},
    )
    client.force_login(handler)
    listing = client.get("/staff/cases/").content.decode()
    assert case.tracking_code in listing
    detail = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Karaoke quá 22h" in detail and "Ẩn Tên" not in detail
    response = client.post(f"/staff/cases/{case.pk}/classify/", {"category": "public_order"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "classified"

    client.force_login(make_staff(TRAN_NGUYEN_HAN, "supervisor"))
    assert case.tracking_code not in client.get("/staff/cases/").content.decode()
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404
    assert client.post(f"/staff/cases/{case.pk}/verify/").status_code == 404


def test_console_records_a_walk_in_tip(client, handler):
    client.force_login(handler)
    response = client.post(
        "/staff/cases/new/",
        {
            "unit": THO_XUONG,
            "channel": "walk_in",
            "category": "crime_report",
            "description": "Người dân đến trình báo mất trộm",
            "name": "Đỗ Văn Hải",
            "phone": "0911000222",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "walk_in" and case.recorded_by == handler
    assert case.has_reporter_identity


def test_the_console_timeline_and_deadlines_speak_vietnamese(client, post_case, handler):
    from langnghe.cases.models import Case
    from langnghe.cases.services import case_assign

    case = Case.objects.get(pk=post_case().json()["id"])
    case_assign(case=case, by=handler, assignee=handler)
    client.force_login(handler)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "→ Đã phân công thụ lý" in page
    assert "→ assigned" not in page and "[U]" not in page
