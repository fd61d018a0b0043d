"""The monthly (or any period) report of a subtree: PDF (reportlab, DejaVu Sans for the
Vietnamese glyphs — the file shipped with the surveys app) and XLSX (openpyxl). The figures are
the same selectors as the dashboard, so paper and screen never disagree."""

import io
from collections.abc import Callable

from django.utils import timezone

from langnghe.surveys.printing import FONT_DIR

from . import selectors
from .models import Report

FONT, FONT_BOLD = "InsightsSans", "InsightsSans-Bold"


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds} giây"
    if seconds < 3600:
        return f"{seconds // 60} phút"
    return f"{seconds // 3600} giờ {seconds % 3600 // 60} phút"


def number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def report_data(report: Report, progress: Callable[[int], None]) -> dict:
    period = selectors.Period(report.start, report.end)
    summary = selectors.summary_compute(report.unit, period)
    progress(20)
    previous = selectors.summary_compute(report.unit, period.previous())
    progress(35)
    children = selectors.breakdown_compute(report.unit, period)
    progress(50)
    trend = selectors.trend_compute(report.unit, period)
    attention = selectors.attention_compute(report.unit, period)
    progress(65)
    return {
        "summary": summary,
        "previous": previous,
        "children": children,
        "trend": trend,
        "attention": attention,
    }


def summary_lines(summary: dict, previous: dict) -> list[tuple[str, str, str, str]]:
    """(area, figure, this period, previous period) rows shared by PDF and XLSX."""
    rows = []

    def add(area, label, path, fmt=number):
        now, before = summary, previous
        for key in path:
            now, before = now[key], before[key]
        rows.append((area, label, fmt(now), fmt(before)))

    add("Kênh", "Bài đăng", ("channels", "posts"))
    add("Kênh", "Lượt xem", ("channels", "views"))
    add("Kênh", "Lượt chia sẻ", ("channels", "shares"))
    add("Kênh", "Người quan tâm (hiện tại)", ("channels", "followers"))
    add("Kênh", "Người quan tâm mới", ("channels", "followers_new"))
    add("Trực ban", "Hội thoại", ("inbox", "conversations"))
    add("Trực ban", "Chưa trả lời", ("inbox", "unanswered"))
    add("Trực ban", "Trả lời đầu tiên — trung vị", ("inbox", "first_response_median_s"), duration)
    add("Trực ban", "Trả lời đầu tiên — p90", ("inbox", "first_response_p90_s"), duration)
    add("Vụ việc", "Tiếp nhận", ("cases", "received"))
    add("Vụ việc", "Đã giải quyết", ("cases", "resolved"))
    add("Vụ việc", "Đang mở (hiện tại)", ("cases", "open_now"))
    add("Vụ việc", "Quá hạn (hiện tại)", ("cases", "overdue_now"))
    add("Vụ việc", "Tỉ lệ đúng hạn (%)", ("cases", "on_time_rate"))
    add("Khảo sát", "Phiếu", ("surveys", "responses"))
    add("Khảo sát", "Chỉ số hài lòng (%)", ("surveys", "index"))
    add("Khảo sát", "Góp ý tiêu cực", ("surveys", "negative_comments"))
    return rows


CHILD_COLUMNS = [
    ("name", "Đơn vị"),
    ("cases_received", "Vụ việc"),
    ("on_time_rate", "Đúng hạn %"),
    ("overdue_now", "Quá hạn"),
    ("conversations", "Hội thoại"),
    ("first_response_median_s", "Trả lời (trung vị)"),
    ("responses", "Phiếu"),
    ("satisfaction", "Hài lòng %"),
    ("posts", "Bài đăng"),
]


def _child_text(row: dict, key: str) -> str:
    value = row[key]
    return duration(value) if key == "first_response_median_s" else number(value)


def report_pdf(data: dict, progress: Callable[[int], None]) -> bytes:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    summary, previous = data["summary"], data["previous"]
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19)
    heading = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=11, leading=15, spaceBefore=8)
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    story = [
        Paragraph(f"Báo cáo tổng hợp — {summary['unit']['name']}", title),
        Paragraph(
            f"Từ {summary['from']} đến {summary['to']} (kỳ trước: {previous['from']} – "
            f"{previous['to']}). Lập lúc {timezone.localtime():%H:%M %d/%m/%Y}.",
            body,
        ),
        Paragraph("1. Các chỉ tiêu chính", heading),
    ]
    lines = [("Lĩnh vực", "Chỉ tiêu", "Kỳ này", "Kỳ trước")] + summary_lines(summary, previous)
    table = Table(lines, colWidths=[25 * mm, 70 * mm, 35 * mm, 35 * mm], repeatRows=1)
    table.setStyle(table_style)
    story.append(table)

    trend = data["trend"]
    if trend:
        story.append(Paragraph("2. Xu hướng", heading))
        drawing = Drawing(170 * mm, 60 * mm)
        chart = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 30, 25, 150 * mm, 45 * mm
        chart.data = [
            [t["cases"] for t in trend],
            [t["conversations"] for t in trend],
            [t["responses"] for t in trend],
        ]
        every = max(1, len(trend) // 8)
        chart.categoryAxis.categoryNames = [
            t["label"] if i % every == 0 else "" for i, t in enumerate(trend)
        ]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        for i, colour in enumerate(("#0b4f8a", "#c0392b", "#1e8449")):
            chart.lines[i].strokeColor = colors.HexColor(colour)
            chart.lines[i].strokeWidth = 1.5
        drawing.add(chart)
        for i, (name, colour) in enumerate(
            (("Vụ việc", "#0b4f8a"), ("Hội thoại", "#c0392b"), ("Phiếu khảo sát", "#1e8449"))
        ):
            drawing.add(
                String(
                    40 + i * 110,
                    4,
                    name,
                    fontName=FONT,
                    fontSize=8,
                    fillColor=colors.HexColor(colour),
                )
            )
        story.append(drawing)
    progress(75)

    children = data["children"]
    if children:
        story.append(Paragraph("3. Theo đơn vị trực thuộc", heading))
        rows = [[label for _k, label in CHILD_COLUMNS]]
        for row in children:
            rows.append(
                [Paragraph(row["name"], body)]
                + [_child_text(row, key) for key, _label in CHILD_COLUMNS[1:]]
            )
        table = Table(
            rows, colWidths=[50 * mm] + [15.5 * mm] * (len(CHILD_COLUMNS) - 1), repeatRows=1
        )
        table.setStyle(table_style)
        story.append(table)
        rated = [r for r in children if r["satisfaction"] is not None][:25]
        if rated:
            story.append(Spacer(1, 4 * mm))
            height = 12 * len(rated) + 30
            drawing = Drawing(170 * mm, height)
            bars = HorizontalBarChart()
            bars.x, bars.y, bars.width, bars.height = 120, 10, 100 * mm, height - 20
            bars.data = [[r["satisfaction"] for r in rated]]
            bars.categoryAxis.categoryNames = [r["name"][:32] for r in rated]
            bars.categoryAxis.labels.fontName = FONT
            bars.categoryAxis.labels.fontSize = 7
            bars.valueAxis.labels.fontName = FONT
            bars.valueAxis.valueMin, bars.valueAxis.valueMax = 0, 100
            bars.bars[0].fillColor = colors.HexColor("#0b4f8a")
            drawing.add(bars)
            story.append(Paragraph("Chỉ số hài lòng theo đơn vị (%)", body))
            story.append(drawing)

    story.append(Paragraph("4. Đơn vị cần chú ý", heading))
    if data["attention"]:
        for item in data["attention"]:
            story.append(Paragraph(f"• <b>{item['name']}</b>: {'; '.join(item['reasons'])}", body))
    else:
        story.append(Paragraph("Không có đơn vị nào cần chú ý trong kỳ.", body))
    categories = summary["cases"].get("by_category") or []
    if categories:
        story.append(Paragraph("5. Vụ việc theo loại", heading))
        rows = [("Loại", "Tiếp nhận")] + [(c["name"], number(c["received"])) for c in categories]
        table = Table(rows, colWidths=[120 * mm, 30 * mm], repeatRows=1)
        table.setStyle(table_style)
        story.append(table)
    progress(85)

    buffer = io.BytesIO()

    def footer(canvas, doc):
        canvas.setFont(FONT, 7)
        canvas.drawString(
            15 * mm, 10 * mm, f"Lắng Nghe — {summary['unit']['name']} — trang {doc.page}"
        )

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"Báo cáo {summary['unit']['name']} {summary['from']} – {summary['to']}",
        author="Lắng Nghe",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def report_xlsx(data: dict, progress: Callable[[int], None]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font

    summary, previous = data["summary"], data["previous"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet.append([f"Báo cáo tổng hợp — {summary['unit']['name']}"])
    sheet.append([f"Từ {summary['from']} đến {summary['to']}"])
    sheet.append(["Lĩnh vực", "Chỉ tiêu", "Kỳ này", "Kỳ trước"])
    for row in summary_lines(summary, previous):
        sheet.append(list(row))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["B"].width = 34

    units = book.create_sheet("Đơn vị")
    units.append(["Mã"] + [label for _k, label in CHILD_COLUMNS] + ["Người quan tâm"])
    for row in data["children"]:
        units.append([row["code"]] + [row[k] for k, _l in CHILD_COLUMNS] + [row["followers"]])
    units.column_dimensions["B"].width = 40
    progress(80)

    trend = book.create_sheet("Xu hướng")
    trend.append(["Kỳ", "Vụ việc", "Hội thoại", "Phiếu khảo sát", "Bài đăng"])
    for t in data["trend"]:
        trend.append([t["label"], t["cases"], t["conversations"], t["responses"], t["posts"]])
    if data["trend"]:
        chart = LineChart()
        chart.title = "Xu hướng"
        values = Reference(trend, min_col=2, max_col=5, min_row=1, max_row=len(data["trend"]) + 1)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(Reference(trend, min_col=1, min_row=2, max_row=len(data["trend"]) + 1))
        trend.add_chart(chart, "G2")

    attention = book.create_sheet("Cần chú ý")
    attention.append(["Mã", "Đơn vị", "Lý do"])
    for item in data["attention"]:
        attention.append([item["code"], item["name"], "; ".join(item["reasons"])])
    categories = book.create_sheet("Theo loại vụ việc")
    categories.append(["Mã", "Loại", "Tiếp nhận"])
    for c in summary["cases"].get("by_category") or []:
        categories.append([c["code"], c["name"], c["received"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_build(report: Report, *, progress: Callable[[int], None]) -> tuple[bytes, str]:
    progress(5)
    data = report_data(report, progress)
    build = report_pdf if report.format == "pdf" else report_xlsx
    content = build(data, progress)
    name = f"bao-cao-{report.unit.code}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.{report.format}"
    return content, name
