"""The survey exports a unit files: the PDF as an administrative document with tables inside
the margins and Vietnamese percentages ("66,7 %"), the XLSX "Theo đơn vị" sheet with each
unit's own figures and its subtree's, labelled, as the console's ranking counts them."""

import io
import re
import uuid

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from langnghe.surveys import exports
from langnghe.surveys.selectors import DateRange, ranking_compute
from langnghe.surveys.services import response_submit

pytestmark = pytest.mark.django_db

THO_XUONG, CITY = "BG-X07201", "BG-H213"


@pytest.fixture
def answers():
    """Three answers in Thọ Xương (5, 4, 1: 66,7 % satisfied), one in the city's own office."""
    for overall in ("5", "4", "1"):
        response_submit(unit_code=THO_XUONG, client_id=uuid.uuid4(), answers={"overall": overall})
    response_submit(unit_code=CITY, client_id=uuid.uuid4(), answers={"overall": "5"})


def _params() -> dict:
    today = timezone.localdate()
    return {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}


def test_survey_pdf_writes_vietnamese_percentages_and_the_national_heading(unit, answers):
    content, _rows = exports.build(unit(CITY), _params(), "pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "CÔNG AN THÀNH PHỐ BẮC GIANG" in text and "/BC-CATP" in text
    assert "66,7 %" in text  # Thọ Xương in the ranking
    assert "75,0 %" in text  # the whole area: 3 of 4 satisfied
    assert not re.search(r"\d\.\d\s?%", text), "a percentage with a decimal point"
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), "a date in ISO form"
    assert "Toàn địa bàn (gồm đơn vị trực thuộc)" in text


def test_survey_xlsx_by_unit_gives_own_and_subtree_figures_as_the_ranking(unit, answers):
    city = unit(CITY)
    content, _rows = exports.build(city, _params(), "xlsx")
    book = load_workbook(io.BytesIO(content))
    sheet = book["Theo đơn vị"]
    assert "Công an thành phố Bắc Giang" in sheet["A1"].value and "xuất ngày" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header[2:] == [
        "Riêng đơn vị: số phiếu",
        "Riêng đơn vị: chỉ số hài lòng",
        "Toàn địa bàn (gồm đơn vị trực thuộc): số phiếu",
        "Toàn địa bàn (gồm đơn vị trực thuộc): chỉ số hài lòng",
    ]
    assert sheet["A3"].font.bold and sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["B"].width >= 30
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows[CITY][2:4] == (1, 1.0) and rows[CITY][4] == 4
    assert rows[CITY][5] == pytest.approx(0.75)
    assert rows[THO_XUONG][2] == rows[THO_XUONG][4] == 3
    assert rows[THO_XUONG][5] == pytest.approx(0.667)
    percent_cell = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == THO_XUONG)[5]
    assert percent_cell.number_format == "0.0%"
    # The subtree figures are the console ranking's.
    today = timezone.localdate()
    ranked = {r["code"]: r for r in ranking_compute(city, DateRange(today.replace(day=1), today))}
    assert ranked[THO_XUONG]["responses"] == rows[THO_XUONG][4]
    assert ranked[THO_XUONG]["index"] == pytest.approx(100 * rows[THO_XUONG][5], abs=0.05)
