import datetime

import pytest

from langnghe.procedures.models import Procedure
from langnghe.procedures.selectors import active_fee_reductions

pytestmark = pytest.mark.django_db


def test_procedure_page_shows_the_facts(client, catalogue):
    page = client.get("/thu-tuc/cap-ho-chieu-pho-thong/").content.decode()
    for text in [
        "Cấp hộ chiếu phổ thông ở trong nước",
        "8 ngày làm việc",
        "200.000 đồng",
        "Phòng PA08",
        "TK01",
        "Luật Xuất cảnh, nhập cảnh",
        "Nguồn:",
        "Người dân thường gọi: “làm hộ chiếu”",
    ]:
        assert text in page
    assert "reference/" not in page and "Còn gọi là" not in page


def test_uncertain_figures_are_flagged_on_the_page(client, catalogue):
    page = client.get("/thu-tuc/cap-doi-giay-phep-lai-xe/").content.decode()
    note = page.split('id="procedure-uncertain"')[1].split("</p>")[0]
    assert "hỏi lại cán bộ tiếp nhận" in note
    # Said as kinds of information, not as the catalogue's research notes.
    assert "nguồn thứ cấp" not in note and "national_code" not in note


def test_an_unknown_national_code_alone_is_no_note_for_the_citizen(client, catalogue):
    from langnghe.procedures.display import uncertain_topics

    assert uncertain_topics(["national_code"]) == []
    assert uncertain_topics(
        ["national_code", "lệ phí 135.000 đồng (nguồn thứ cấp)", "mẫu NA5", "thời hạn 7 ngày"]
    ) == ["thời hạn giải quyết", "lệ phí", "giấy tờ cần nộp"]
    assert uncertain_topics(["số nghị định"]) == ["căn cứ pháp lý"]
    only_code = Procedure.objects.filter(uncertain=["national_code"]).first()
    if only_code is not None:
        page = client.get(f"/thu-tuc/{only_code.code}/").content.decode()
        assert 'id="procedure-uncertain"' not in page


def test_expired_reduction_is_not_shown(client, catalogue):
    gplx = Procedure.objects.get(code="cap-doi-giay-phep-lai-xe")
    assert active_fee_reductions(gplx, today=datetime.date(2025, 6, 1))
    assert not active_fee_reductions(gplx, today=datetime.date(2026, 1, 1))


def test_unknown_procedure_is_a_404(client, catalogue):
    assert client.get("/thu-tuc/khong-co-thu-tuc-nay/").status_code == 404


def test_public_search_page(client, catalogue):
    page = client.get("/thu-tuc/", {"q": "nhap ho khau cho vo"}).content.decode()
    assert 'id="procedure-results"' in page
    first = page.split('id="procedure-results"')[1]
    assert first.index("Đăng ký thường trú") < first.index("</ol>")


def test_public_search_page_bad_input(client, catalogue):
    page = client.get("/thu-tuc/", {"q": "???"}).content.decode()
    assert "Chúng tôi chưa tìm thấy thủ tục của Công an phù hợp" in page
    long = client.get("/thu-tuc/", {"q": "x" * 600})
    assert long.status_code == 200
    assert "tối đa 500" in long.content.decode()


def test_catalogue_page_lists_every_field(client, catalogue):
    page = client.get("/thu-tuc/").content.decode()
    for label in ["Cư trú", "Xuất nhập cảnh", "Giấy phép lái xe", "Lý lịch tư pháp"]:
        assert label in page


def test_commune_page_lists_commune_procedures_only(client, catalogue, unit):
    page = client.get(unit("BG-X07201").get_absolute_url()).content.decode()
    section = page.split('id="unit-procedures"')[1].split("</section>")[0]
    assert "Đăng ký thường trú" in section and "Cấp thẻ căn cước" in section
    assert "Cấp hộ chiếu phổ thông" not in section  # PA08 only
    assert "/thu-tuc/don-vi/" in section


@pytest.mark.parametrize(
    ("code", "present", "absent"),
    [
        ("BG-PA08", "Cấp hộ chiếu phổ thông", "Đăng ký thường trú"),
        ("BG-PC06", "Đăng ký mẫu con dấu mới", "Cấp hộ chiếu phổ thông"),
        ("BG-PC07", "Thẩm định thiết kế về phòng cháy", "Cấp thẻ căn cước"),
        ("BG-PC08", "Cấp đổi giấy phép lái xe", "Thẩm định thiết kế"),
    ],
)
def test_department_pages_list_their_own_procedures(client, catalogue, unit, code, present, absent):
    page = client.get(unit(code).get_absolute_url()).content.decode()
    section = page.split('id="unit-procedures"')[1].split("</section>")[0]
    assert present in section
    assert absent not in section


def test_province_page_groups_by_level(client, catalogue, unit):
    page = client.get(unit("BG").get_absolute_url()).content.decode()
    section = page.split('id="unit-procedures"')[1].split("</section>")[0]
    for heading in [
        "Công an cấp xã, phường",
        "(PA08)",
        "(PC06)",
        "(PC07)",
        "(PC08)",
        "Cấp Phiếu lý lịch tư pháp",
    ]:
        assert heading in section


def test_district_page_explains_the_2025_reform(client, catalogue, unit):
    page = client.get(unit("BG-H213").get_absolute_url()).content.decode()
    assert "không còn công an cấp huyện" in page


def test_unit_list_and_printable_sheet_with_qr(client, catalogue, unit):
    tho_xuong = unit("BG-X07201")
    listing = client.get(f"/thu-tuc/don-vi/{tho_xuong.slug}/").content.decode()
    assert "Thủ tục hành chính tại Công an phường Thọ Xương" in listing
    sheet = client.get(f"/thu-tuc/don-vi/{tho_xuong.slug}/in/").content.decode()
    assert "<svg" in sheet and 'id="unit-qr"' in sheet
    assert f"http://testserver/thu-tuc/don-vi/{tho_xuong.slug}/" in sheet
    assert "Đăng ký tạm trú" in sheet
    assert client.get("/thu-tuc/don-vi/khong-co/in/").status_code == 404


def test_an_unknown_national_code_is_not_a_note_for_the_citizen(client, catalogue):
    procedure = Procedure.objects.filter(national_code="").first()
    procedure.uncertain = ["national_code", "thời hạn"]
    procedure.save(update_fields=["uncertain"])
    page = client.get(f"/thu-tuc/{procedure.code}/").content.decode()
    note = page.split('id="procedure-uncertain"')[1].split("</p>")[0]
    assert "Thời hạn giải quyết có thể đã thay đổi" in note
    assert "national_code" not in page and "mã thủ tục hành chính quốc gia" not in note
