"""The reports a unit files: the PDF in the administrative form of NĐ 30/2020/NĐ-CP (heading,
number, date, tables inside the margins, Vietnamese formats) and the XLSX, both agreeing with
the dashboard and saying whose each figure is (the unit's own or its subtree's)."""

import io
import re
import subprocess
import uuid

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from langnghe.audit.models import AuditEntry
from langnghe.cases.services import case_create
from langnghe.core.formats import document_date
from langnghe.core.templatetags.vn_format import vn_date, vn_number, vn_percent100
from langnghe.insights import selectors, services
from langnghe.insights.materialize import insights_refresh
from langnghe.insights.models import Report
from langnghe.surveys.services import response_submit
from langnghe.units.letterhead import letterhead_for

pytestmark = pytest.mark.django_db

PROVINCE, CITY, THO_XUONG = "BG", "BG-H213", "BG-X07201"


@pytest.fixture
def data():
    """One case and three survey answers (5, 4, 1: two of three satisfied, 66,7 %) in Thọ
    Xương, this month."""
    for place in ("đường Hùng Vương", "chợ Thọ Xương"):
        case_create(
            category_code="public_order",
            description=f"Nhóm thanh niên tụ tập gây ồn ào tại {place}.",
            unit_code=THO_XUONG,
            is_anonymous=True,
        )
    for overall in ("5", "4", "1"):
        response_submit(unit_code=THO_XUONG, client_id=uuid.uuid4(), answers={"overall": overall})
    insights_refresh()


def _report(user, unit, report_format, capture) -> Report:
    from django.utils import timezone

    period = selectors.month_period(f"{timezone.localdate():%Y-%m}")
    with capture(execute=True):
        report = services.report_request(
            user=user, unit=unit, period=period, report_format=report_format
        )
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- The document ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "superior", "issuer", "number"),
    [
        (THO_XUONG, "CÔNG AN THÀNH PHỐ BẮC GIANG", "CÔNG AN PHƯỜNG THỌ XƯƠNG", "Số: 01/BC-CAP"),
        (PROVINCE, "BỘ CÔNG AN", "CÔNG AN TỈNH BẮC GIANG", "Số: 01/BC-CAT"),
    ],
)
def test_monthly_pdf_has_the_administrative_form(
    make_staff, unit, data, django_capture_on_commit_callbacks, code, superior, issuer, number
):
    from django.utils import timezone

    report = _report(make_staff(code), unit(code), "pdf", django_capture_on_commit_callbacks)
    text = _pdf_text(bytes(report.content))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert superior in text and issuer in text
    assert number in text
    place = "Thọ Xương" if code == THO_XUONG else "Bắc Giang"
    assert f"{place}, {document_date(timezone.localdate())}" in text
    today = timezone.localdate()
    assert f"tháng {today.month} năm {today.year}" in text  # the subject names the month
    assert "BÁO CÁO" in text and "Nơi nhận:" in text and "Lưu: VT." in text
    assert ("GIÁM ĐỐC" if code == PROVINCE else "TRƯỞNG CÔNG AN") in text
    assert "66,7 %" in text  # the satisfaction index, as the dashboard writes it
    assert not re.search(r"\d\.\d\s?%", text), "a percentage written with a decimal point"
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), "a date in ISO form"
    if code == PROVINCE:
        assert "PHỤ LỤC" in text and "Toàn địa bàn (gồm đơn vị trực thuộc)" in text
        assert "Riêng đơn vị" in text
        # The annex is landscape: its table has nine columns.
        pages = PdfReader(io.BytesIO(bytes(report.content))).pages
        assert float(pages[-1].mediabox.width) > float(pages[-1].mediabox.height)
    else:
        assert "không có đơn vị trực thuộc" in text


def test_report_numbers_run_per_unit_and_year_and_are_audited(
    make_staff, unit, django_capture_on_commit_callbacks
):
    user = make_staff(CITY, "supervisor")
    period = selectors.month_period("2026-11")
    first = services.report_request(user=user, unit=unit(CITY), period=period, report_format="pdf")
    second = services.report_request(user=user, unit=unit(CITY), period=period, report_format="pdf")
    sheet = services.report_request(user=user, unit=unit(CITY), period=period, report_format="xlsx")
    other = services.report_request(
        user=make_staff(THO_XUONG), unit=unit(THO_XUONG), period=period, report_format="pdf"
    )
    assert (first.number, second.number, sheet.number, other.number) == (1, 2, None, 1)
    entry = AuditEntry.objects.filter(action="insights_report.request").order_by("-id")[0]
    assert entry.data["number"] == 1 and entry.target_id == str(other.pk)


def test_letterhead_of_a_department_and_dates_of_the_decree(unit):
    heading = letterhead_for(unit("BG-PC08"))
    assert heading.superior == "CÔNG AN TỈNH BẮC GIANG"
    assert heading.issuer == "PHÒNG CẢNH SÁT GIAO THÔNG"
    assert heading.number(7) == "Số: 07/BC-CAT-PC08"
    assert heading.place == "Bắc Giang" and heading.signer_title == "TRƯỞNG PHÒNG"
    import datetime as dt

    # NĐ 30/2020: a leading zero for days below 10 and for the months 1 and 2 only.
    assert document_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert document_date(dt.date(2026, 3, 15)) == "ngày 15 tháng 3 năm 2026"
    assert (vn_number(1234567), vn_percent100(83.26), vn_date("2026-12-05")) == (
        "1.234.567",
        "83,3 %",
        "05/12/2026",
    )


def _ink_box(content: bytes, page: int, tmp_path) -> tuple[int, int, int, int, int, int]:
    """(left, top, right, bottom, width, height) of the non-white pixels of ``page`` rendered
    at 50 dpi by pdftoppm."""
    from PIL import Image

    prefix = tmp_path / f"page{page}"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), pdf, prefix],
        check=True,
    )
    image = Image.open(next(tmp_path.glob(f"page{page}*.png"))).convert("L")
    # Anything darker than light grey is ink (the table's header fill is lighter).
    box = image.point(lambda v: 255 if v < 200 else 0).getbbox()
    return (*box, *image.size)


def test_tables_stay_inside_the_margins(
    make_staff, unit, data, django_capture_on_commit_callbacks, tmp_path
):
    report = _report(
        make_staff(PROVINCE), unit(PROVINCE), "pdf", django_capture_on_commit_callbacks
    )
    content = bytes(report.content)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    dots_per_mm = 50 / 25.4
    for page in (1, pages):  # the portrait first page and the landscape annex
        left, _top, right, _bottom, width, height = _ink_box(content, page, tmp_path)
        # Right margin 15 mm portrait, 20 mm landscape (NĐ 30/2020 Phụ lục I, "Định lề trang"); a
        # pixel of anti-aliasing allowed.
        margin = 15 if width < height else 20
        assert right <= width - margin * dots_per_mm + 2, (page, right, width)
        assert left >= (20 if width > height else 30) * dots_per_mm - 2, (page, left)
    text = _pdf_text(content)
    assert "Đúng hạn%Quá hạn" not in text
    assert "Tỉ lệ giải quyết đúng hạn" in text


# --- Agreement: page, PDF, XLSX ----------------------------------------------------------------


def test_xlsx_agrees_with_the_page_and_the_pdf_and_labels_whose_figures(
    client, make_staff, unit, data, django_capture_on_commit_callbacks
):
    staff = make_staff(CITY, "supervisor")
    city = unit(CITY)
    sheet_report = _report(staff, city, "xlsx", django_capture_on_commit_callbacks)
    pdf_report = _report(staff, city, "pdf", django_capture_on_commit_callbacks)
    book = load_workbook(io.BytesIO(bytes(sheet_report.content)))
    assert {"Tổng hợp", "Theo đơn vị", "Xu hướng", "Cần chú ý", "Theo loại vụ việc"} <= set(
        book.sheetnames
    )

    summary = book["Tổng hợp"]
    assert "Công an thành phố Bắc Giang" in summary["A1"].value
    assert re.search(r"từ \d\d/\d\d/\d{4} đến \d\d/\d\d/\d{4}", summary["A2"].value)
    assert "xuất ngày" in summary["A2"].value
    header = [c.value for c in summary[3]]
    assert header[2] == "Toàn địa bàn (gồm đơn vị trực thuộc): kỳ này"
    assert header[4] == "Riêng đơn vị: kỳ này"
    assert summary.freeze_panes == "A4" and summary["A3"].font.bold
    assert summary.column_dimensions["B"].width >= 30
    figures = {row[1].value: row for row in summary.iter_rows(min_row=4)}
    received = figures["Tiếp nhận"]
    assert (received[2].value, received[4].value) == (2, 0)  # the city's subtree; its own
    assert received[2].number_format == "#,##0"
    satisfaction = figures["Chỉ số hài lòng"]
    assert satisfaction[2].value == pytest.approx(0.667) and satisfaction[4].value is None
    assert satisfaction[2].number_format == "0.0%"

    # The same figures on the dashboard and in the PDF.
    expected = selectors.kpis_from_summary(
        selectors.summary_compute(city, selectors.Period(sheet_report.start, sheet_report.end))
    )
    assert (expected["cases_received"], expected["satisfaction"]) == (2, 66.7)
    pdf_text = _pdf_text(bytes(pdf_report.content))
    assert "66,7 %" in pdf_text
    client.force_login(staff)
    dashboard = client.get(f"/staff/insights/?unit={CITY}").content.decode()
    tile = re.search(r'data-kpi="satisfaction".*?kpi-value">([^<]+)<', dashboard, re.S)
    assert tile and tile.group(1).strip() == "66,7 %"

    units = book["Theo đơn vị"]
    assert units.freeze_panes == "A4" and units.column_dimensions["B"].width >= 30
    head = [c.value for c in units[3]]
    assert head[:3] == ["Mã đơn vị", "Đơn vị", "Phạm vi số liệu"]
    rows = [[c.value for c in row] for row in units.iter_rows(min_row=4)]
    by_scope = {}
    for row in rows:
        by_scope.setdefault(row[2], []).append(row)
    tho_xuong = next(r for r in rows if r[0] == THO_XUONG)
    assert tho_xuong[2] == "Gồm đơn vị trực thuộc"
    (own,) = by_scope["Riêng đơn vị"]
    (total,) = by_scope["Toàn địa bàn (gồm đơn vị trực thuộc)"]
    responses = head.index("Phiếu khảo sát")
    cases = head.index("Vụ việc tiếp nhận")
    assert (tho_xuong[cases], own[cases], total[cases]) == (2, 0, 2)
    assert total[responses] == 3 and total[head.index("Chỉ số hài lòng")] == pytest.approx(0.667)
    # The rows above the total add up to it.
    children = by_scope["Gồm đơn vị trực thuộc"]
    for column in (cases, responses):
        assert sum(r[column] for r in children) + own[column] == total[column]
