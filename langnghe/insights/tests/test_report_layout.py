"""The monthly PDF as an officer reads it: the previous calendar month, chart labels that fit,
a heading kept with its chart, one form of percentage."""

import datetime as dt
import io
import re
import uuid

import pytest
from django.utils import timezone
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from langnghe.core import documents
from langnghe.core.periods import next_month
from langnghe.insights import reports
from langnghe.insights.materialize import insights_refresh
from langnghe.insights.models import Report
from langnghe.surveys.services import response_submit

pytestmark = pytest.mark.django_db


def test_a_long_unit_name_wraps_inside_the_label_area():
    documents.register_fonts(reports.FONT_DIR)
    name = "Phòng Cảnh sát quản lý hành chính về trật tự xã hội"
    width = 120.0
    lines = reports._wrap_label(name, width)
    assert len(lines) == 2
    assert " ".join(lines) == name  # nothing cut off ("… về trậ")
    for line in lines:
        assert stringWidth(line, documents.FAMILY, reports.LABEL_FONT_SIZE) <= width
    # Longer than two lines: shortened with "…", still inside.
    lines = reports._wrap_label(name * 3, width)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(
        stringWidth(line, documents.FAMILY, reports.LABEL_FONT_SIZE) <= width for line in lines
    )


def test_axis_ticks_in_the_vietnamese_form():
    assert [reports.axis_percent(v) for v in (0, 20, 100)] == ["0 %", "20 %", "100 %"]


def test_november_report_compares_with_october_and_keeps_the_chart_with_its_heading(
    unit, monkeypatch
):
    for code in ("BG-H213", "BG-H215"):
        response_submit(unit_code=code, client_id=uuid.uuid4(), answers={"overall": "5"})
    insights_refresh()
    built = []
    original = documents.Document.build

    def build(self, story, *args, **kw):
        built.extend(story)
        return original(self, story, *args, **kw)

    monkeypatch.setattr(documents.Document, "build", build)

    def pdf_text(start, end):
        report = Report(unit=unit("BG"), start=start, end=end, format="pdf", number=1)
        content = reports.report_pdf(reports.report_data(report, lambda _p: None), lambda _p: None)
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)

    flat = re.sub(r"\s+", " ", pdf_text(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert "so sánh với kỳ trước, tháng 10 năm 2026" in flat
    assert "02/10/2026" not in flat
    built.clear()
    today = timezone.localdate()
    text = pdf_text(today.replace(day=1), next_month(today) - dt.timedelta(days=1))
    # Every percentage "83,3 %", never "0%".
    assert not re.search(r"\d%", text), re.findall(r".{10}\d%", text)
    # The annex chart's heading sits in one block with the chart.
    from reportlab.graphics.shapes import Drawing
    from reportlab.platypus import KeepTogether

    blocks = [
        f
        for f in built
        if isinstance(f, KeepTogether)
        and any("Chỉ số hài lòng theo đơn vị" in getattr(x, "text", "") for x in f._content)
    ]
    assert len(blocks) == 1 and any(isinstance(x, Drawing) for x in blocks[0]._content)
