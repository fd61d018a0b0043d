"""The monthly (or any period) report of a unit: a PDF a unit can file (an administrative
document in the form of Nghị định 30/2020/NĐ-CP, see ``core.documents``) and an XLSX workbook
with the same figures.

The figures are the dashboard's selectors, so paper and screen never disagree, and every figure
says whose it is: "Toàn địa bàn (gồm đơn vị trực thuộc)" — the unit and every unit below it, as
the dashboard counts — or "Riêng đơn vị" — the unit's own rows only (``selectors.own_scope``).
In the annex each subordinate unit's row is its whole subtree, then the unit's own row, then
the total: the counts of the rows above add up to the total.

The document number is the unit's per-year sequence taken when the PDF was requested
(``services.report_number_next``); the document date is the day it was requested, so the same
report renders the same every time.
"""

import datetime as dt
import io
from collections.abc import Callable

from django.utils import timezone

from langnghe.core import documents
from langnghe.core.documents import FAMILY, STYLES, Heading, fitted_table
from langnghe.core.formats import document_date
from langnghe.core.periods import next_month
from langnghe.core.templatetags.vn_format import vn_date, vn_number, vn_percent100
from langnghe.surveys.printing import FONT_DIR
from langnghe.units.letterhead import letterhead_for

from . import selectors
from .models import Report

SUBTREE = "Toàn địa bàn (gồm đơn vị trực thuộc)"
OWN = "Riêng đơn vị"
SUBJECT = "Kết quả tiếp nhận, giải quyết vụ việc, trực ban và khảo sát sự hài lòng của người dân"


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds} giây"
    if seconds < 3600:
        return f"{seconds // 60} phút"
    return f"{seconds // 3600} giờ {seconds % 3600 // 60} phút"


# (area, label, path in the summary, kind) — kind: count | percent | duration.
SUMMARY_FIGURES = [
    ("Kênh thông tin", "Bài đăng", ("channels", "posts"), "count"),
    ("Kênh thông tin", "Lượt xem", ("channels", "views"), "count"),
    ("Kênh thông tin", "Lượt chia sẻ", ("channels", "shares"), "count"),
    ("Kênh thông tin", "Người quan tâm (hiện tại)", ("channels", "followers"), "count"),
    ("Kênh thông tin", "Người quan tâm mới", ("channels", "followers_new"), "count"),
    ("Trực ban", "Hội thoại", ("inbox", "conversations"), "count"),
    ("Trực ban", "Chưa trả lời", ("inbox", "unanswered"), "count"),
    ("Trực ban", "Trả lời đầu tiên — trung vị", ("inbox", "first_response_median_s"), "duration"),
    (
        "Trực ban",
        "Trả lời đầu tiên — 90 % trong vòng",
        ("inbox", "first_response_p90_s"),
        "duration",
    ),
    ("Vụ việc", "Tiếp nhận", ("cases", "received"), "count"),
    ("Vụ việc", "Đã giải quyết", ("cases", "resolved"), "count"),
    ("Vụ việc", "Đang mở (hiện tại)", ("cases", "open_now"), "count"),
    ("Vụ việc", "Đang quá hạn (hiện tại)", ("cases", "overdue_now"), "count"),
    ("Vụ việc", "Tỉ lệ giải quyết đúng hạn", ("cases", "on_time_rate"), "percent"),
    ("Khảo sát", "Phiếu khảo sát", ("surveys", "responses"), "count"),
    ("Khảo sát", "Chỉ số hài lòng", ("surveys", "index"), "percent"),
    ("Khảo sát", "Góp ý tiêu cực", ("surveys", "negative_comments"), "count"),
]

# The annex: one row per subordinate unit (its subtree), the unit's own row, the total.
CHILD_COLUMNS = [
    ("cases_received", "Vụ việc tiếp nhận", "count"),
    ("on_time_rate", "Tỉ lệ giải quyết đúng hạn", "percent"),
    ("overdue_now", "Đang quá hạn (hiện tại)", "count"),
    ("conversations", "Hội thoại trực ban", "count"),
    ("first_response_median_s", "Trả lời đầu tiên (trung vị)", "duration"),
    ("responses", "Phiếu khảo sát", "count"),
    ("satisfaction", "Chỉ số hài lòng", "percent"),
    ("posts", "Bài đăng", "count"),
]


def figure_text(value, kind: str) -> str:
    if kind == "percent":
        return vn_percent100(value)
    if kind == "duration":
        return duration(value)
    return vn_number(value)


def _pick(summary: dict, path: tuple[str, ...]):
    value = summary
    for key in path:
        value = value[key]
    return value


def period_text(start: dt.date, end: dt.date) -> str:
    """ "tháng 11 năm 2026" for a whole month, else "từ ngày 01/11/2026 đến ngày 15/11/2026"."""
    if start.day == 1 and end == next_month(start) - dt.timedelta(days=1):
        return f"tháng {start.month} năm {start.year}"
    return f"từ ngày {vn_date(start)} đến ngày {vn_date(end)}"


def report_data(report: Report, progress: Callable[[int], None]) -> dict:
    period = selectors.Period(report.start, report.end)
    summary = selectors.summary_compute(report.unit, period)
    progress(15)
    previous = selectors.summary_compute(report.unit, period.previous())
    progress(25)
    children = selectors.breakdown_compute(report.unit, period)
    own = selectors.summary_compute(selectors.own_scope(report.unit), period) if children else None
    progress(45)
    trend = selectors.trend_compute(report.unit, period)
    attention = selectors.attention_compute(report.unit, period)
    progress(60)
    issued = timezone.localdate(report.created_at) if report.created_at else timezone.localdate()
    return {
        "unit": report.unit,
        "period": period,
        "number": report.number,
        "issued": issued,
        "letterhead": letterhead_for(report.unit),
        "summary": summary,
        "previous": previous,
        "own": own,
        "children": children,
        "trend": trend,
        "attention": attention,
    }


def summary_table(data: dict) -> tuple[list[str], list[tuple]]:
    """Header and rows (area, label, kind, this period, previous period[, own]) of the main
    figures, shared by the PDF and the XLSX: values are raw, each writer formats them."""
    scope = SUBTREE if data["children"] else OWN
    header = ["Lĩnh vực", "Chỉ tiêu", f"{scope}: kỳ này", f"{scope}: kỳ trước"]
    if data["own"] is not None:
        header.append(f"{OWN}: kỳ này")
    rows = []
    for area, label, path, kind in SUMMARY_FIGURES:
        row = [area, label, kind, _pick(data["summary"], path), _pick(data["previous"], path)]
        if data["own"] is not None:
            row.append(_pick(data["own"], path))
        rows.append(tuple(row))
    return header, rows


def annex_rows(data: dict) -> list[dict]:
    """The subordinate units (each with its subtree), the unit's own row, the total row —
    each a dict {"code", "name", "scope", key: value}."""
    unit = data["unit"]
    rows = [
        {"code": c["code"], "name": c["name"], "scope": "Gồm đơn vị trực thuộc"}
        | {k: c[k] for k, _l, _kind in CHILD_COLUMNS}
        for c in data["children"]
    ]
    if data["own"] is not None:
        own = selectors.kpis_from_summary(data["own"])
        rows.append(
            {"code": unit.code, "name": f"{unit.name} (riêng đơn vị)", "scope": OWN}
            | {k: own[k] for k, _l, _kind in CHILD_COLUMNS}
        )
    total = selectors.kpis_from_summary(data["summary"])
    rows.append(
        {"code": unit.code, "name": f"Tổng: {unit.name} (toàn địa bàn)", "scope": SUBTREE}
        | {k: total[k] for k, _l, _kind in CHILD_COLUMNS}
    )
    return rows


def _heading(data: dict):
    letterhead = data["letterhead"]
    return Heading(
        superior=letterhead.superior,
        issuer=letterhead.issuer,
        number=letterhead.number(data["number"]),
        place_date=f"{letterhead.place}, {document_date(data['issued'])}",
        kind="BÁO CÁO",
        subject=f"{SUBJECT} {period_text(data['period'].start, data['period'].end)}",
    )


def _narrative(data: dict) -> list[str]:
    s, p = data["summary"], data["previous"]
    unit, period = data["unit"], data["period"]
    where = "Trên toàn địa bàn (gồm các đơn vị trực thuộc)" if data["children"] else "Đơn vị"
    return [
        f"Thực hiện chế độ báo cáo định kỳ, {unit.name} báo cáo kết quả tiếp nhận, giải quyết "
        f"vụ việc, trực ban và khảo sát sự hài lòng của người dân "
        f"{period_text(period.start, period.end)} (so sánh với kỳ trước, "
        f"{period_text(period.previous().start, period.previous().end)}), như sau:",
        f"{where}, trong kỳ đã tiếp nhận "
        f"{vn_number(s['cases']['received'])} vụ việc (kỳ trước "
        f"{vn_number(p['cases']['received'])}), giải quyết {vn_number(s['cases']['resolved'])}; "
        f"tỉ lệ giải quyết đúng hạn {vn_percent100(s['cases']['on_time_rate'])}; hiện còn "
        f"{vn_number(s['cases']['open_now'])} vụ việc đang mở, trong đó "
        f"{vn_number(s['cases']['overdue_now'])} vụ việc quá hạn. Trực ban tiếp nhận "
        f"{vn_number(s['inbox']['conversations'])} hội thoại, thời gian trả lời đầu tiên "
        f"(trung vị) {duration(s['inbox']['first_response_median_s'])}. Người dân gửi "
        f"{vn_number(s['surveys']['responses'])} phiếu khảo sát, chỉ số hài lòng "
        f"{vn_percent100(s['surveys']['index'])} (kỳ trước {vn_percent100(p['surveys']['index'])}).",
    ]


def _trend_drawing(trend: list[dict], width: float):
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    drawing = Drawing(width, 62 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y = 30, 28
    chart.width, chart.height = width - 45, 48 * mm
    chart.data = [
        [t["cases"] for t in trend],
        [t["conversations"] for t in trend],
        [t["responses"] for t in trend],
    ]
    every = max(1, len(trend) // 8)
    chart.categoryAxis.categoryNames = [
        t["label"] if i % every == 0 else "" for i, t in enumerate(trend)
    ]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = FAMILY, 7
    chart.valueAxis.valueMin = 0
    if max((max(series) for series in chart.data), default=0) < 5:
        chart.valueAxis.valueMax, chart.valueAxis.valueStep = 5, 1  # whole numbers, not 0,2
    chart.valueAxis.labelTextFormat = lambda v: vn_number(v, 0 if v == round(v) else 1)
    for i, colour in enumerate(("#0b4f8a", "#c0392b", "#1e8449")):
        chart.lines[i].strokeColor = colors.HexColor(colour)
        chart.lines[i].strokeWidth = 1.5
    drawing.add(chart)
    legend = (("Vụ việc", "#0b4f8a"), ("Hội thoại", "#c0392b"), ("Phiếu khảo sát", "#1e8449"))
    for i, (name, colour) in enumerate(legend):
        drawing.add(
            String(
                30 + i * 100,
                4,
                name,
                fontName=FAMILY,
                fontSize=8,
                fillColor=colors.HexColor(colour),
            )
        )
    return drawing


LABEL_FONT_SIZE = 7
LABEL_MAX_LINES = 2


def _wrap_label(text: str, width: float) -> list[str]:
    """A unit's name in lines no wider than ``width`` points (at most LABEL_MAX_LINES, the
    last ending in "…" when the name is longer still): a label never runs out of its area."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def fits(line: str) -> bool:
        return stringWidth(line, FAMILY, LABEL_FONT_SIZE) <= width

    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if fits(candidate) or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    if len(lines) > LABEL_MAX_LINES:
        lines = lines[: LABEL_MAX_LINES - 1] + [" ".join(lines[LABEL_MAX_LINES - 1 :])]
    last = lines[-1]
    if not fits(last):
        while last and not fits(last + "…"):
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return lines


def axis_percent(value: float) -> str:
    """An axis tick in the Vietnamese form of every percentage in the report: "20 %"."""
    return vn_percent100(value, 0)


def _satisfaction_drawing(rated: list[dict], width: float):
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    label_width = min(230.0, width * 0.4)
    labels = [_wrap_label(r["name"], label_width) for r in rated]
    row = 10 + 8 * max(len(lines) for lines in labels)
    height = row * len(rated) + 30
    drawing = Drawing(width, height)
    bars = HorizontalBarChart()
    bars.x, bars.y = label_width + 10, 12
    bars.width, bars.height = width - label_width - 30, height - 22
    bars.data = [[r["satisfaction"] for r in rated]]
    bars.categoryAxis.categoryNames = ["\n".join(lines) for lines in labels]
    for axis in (bars.categoryAxis, bars.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = FAMILY, LABEL_FONT_SIZE
    bars.categoryAxis.labels.leading = LABEL_FONT_SIZE + 1
    bars.valueAxis.valueMin, bars.valueAxis.valueMax = 0, 100
    bars.valueAxis.valueStep = 20
    bars.valueAxis.labelTextFormat = axis_percent
    bars.bars[0].fillColor = colors.HexColor("#0b4f8a")
    drawing.add(bars)
    return drawing


def report_pdf(data: dict, progress: Callable[[int], None]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.platypus import KeepTogether, NextPageTemplate, PageBreak, Paragraph, Spacer

    documents.register_fonts(FONT_DIR)
    summary, unit, letterhead = data["summary"], data["unit"], data["letterhead"]
    buffer = io.BytesIO()
    heading = _heading(data)
    doc = documents.Document(
        buffer,
        title=f"Báo cáo {unit.name} {period_text(data['period'].start, data['period'].end)}",
        author=unit.name,
    )
    width = doc.portrait_width
    story = documents.heading_flowables(heading, width)
    # A figure stays with its unit sign: "84,2 %" never breaks before the "%".
    story += [
        Paragraph(escape(text.replace(" %", "\u00a0%")), STYLES["body"])
        for text in _narrative(data)
    ]

    story.append(Paragraph("1. Các chỉ tiêu chính", STYLES["section"]))
    header, rows = summary_table(data)
    cells = [
        (area, label, *(figure_text(v, kind) for v in values))
        for area, label, kind, *values in rows
    ]
    figure_columns = len(header) - 2
    story.append(
        fitted_table(
            header,
            cells,
            weights=[2.2, 4.2] + [2.2] * figure_columns,
            width=width,
            numeric=range(2, len(header)),
        )
    )
    if data["children"]:
        scope_note = (
            f"“{SUBTREE}”: số liệu của {unit.name} và mọi đơn vị trực thuộc, như trên bảng "
            f"tổng hợp; “{OWN}”: chỉ số liệu do chính {unit.name} tiếp nhận."
        )
    else:
        scope_note = f"{unit.name} không có đơn vị trực thuộc: số liệu là của riêng đơn vị."
    story.append(
        Paragraph(
            escape(f"{scope_note} Các chỉ tiêu “hiện tại” tính đến lúc lập báo cáo."),
            STYLES["note"],
        )
    )

    if data["trend"]:
        scope = "toàn địa bàn" if data["children"] else "riêng đơn vị"
        story.append(
            KeepTogether(
                [
                    Paragraph(f"2. Xu hướng trong kỳ ({scope})", STYLES["section"]),
                    _trend_drawing(data["trend"], width),
                ]
            )
        )
    progress(70)

    story.append(Paragraph("3. Đơn vị cần chú ý", STYLES["section"]))
    if data["attention"]:
        for item in data["attention"]:
            story.append(
                Paragraph(
                    f"- <b>{escape(item['name'])}</b>: {escape('; '.join(item['reasons']))}.",
                    STYLES["plain"],
                )
            )
    else:
        story.append(Paragraph("Không có đơn vị nào cần chú ý trong kỳ.", STYLES["plain"]))
    categories = summary["cases"].get("by_category") or []
    if categories:
        scope = "toàn địa bàn" if data["children"] else "riêng đơn vị"
        story.append(Paragraph(f"4. Vụ việc tiếp nhận theo loại ({scope})", STYLES["section"]))
        story.append(
            fitted_table(
                ["Loại vụ việc", "Tiếp nhận"],
                [(c["name"], vn_number(c["received"])) for c in categories],
                weights=[5, 1.5],
                width=width,
                numeric=[1],
            )
        )
    if data["children"]:
        story.append(
            Paragraph(
                "Số liệu chi tiết theo từng đơn vị trực thuộc tại Phụ lục kèm theo.",
                STYLES["note"],
            )
        )
    story += documents.closing_flowables(letterhead.recipients, letterhead.signer_title, width)
    progress(80)

    if data["children"]:
        wide = doc.landscape_width
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += [
            Paragraph("PHỤ LỤC", STYLES["kind"]),
            Paragraph("Số liệu theo đơn vị trực thuộc", STYLES["subject"]),
            Paragraph(
                escape(
                    f"(Kèm theo Báo cáo {heading.number.removeprefix('Số: ').strip()} "
                    f"ngày {vn_date(data['issued'])} của {unit.name})"
                ),
                documents._style("annex_note", fontName=documents.ITALIC, alignment=1),
            ),
            Spacer(1, 4),
            Paragraph(
                escape(
                    "Mỗi đơn vị trực thuộc: số liệu của đơn vị đó gồm cả các đơn vị trực thuộc "
                    f"của nó. Dòng “{OWN}”: chỉ số liệu của chính {unit.name}. Dòng tổng: "
                    f"{SUBTREE.lower()}, bằng bảng tổng hợp; các cột số lượng cộng lại bằng "
                    "dòng tổng."
                ),
                STYLES["note"],
            ),
        ]
        rows = annex_rows(data)
        story.append(
            fitted_table(
                ["TT", "Đơn vị"] + [label for _k, label, _kind in CHILD_COLUMNS],
                [
                    (
                        str(i + 1) if i < len(data["children"]) else "",
                        row["name"],
                        *(figure_text(row[k], kind) for k, _l, kind in CHILD_COLUMNS),
                    )
                    for i, row in enumerate(rows)
                ],
                weights=[0.8, 6.5] + [2.2] * len(CHILD_COLUMNS),
                width=wide,
                numeric=[0] + list(range(2, len(CHILD_COLUMNS) + 2)),
                bold_rows=[len(rows) - 1],
            )
        )
        rated = [r for r in data["children"] if r["satisfaction"] is not None][:25]
        if rated:
            story.append(Spacer(1, 6))
            # The heading moves with its chart to the next page rather than stay alone.
            story.append(
                KeepTogether(
                    [
                        Paragraph("Chỉ số hài lòng theo đơn vị trực thuộc (%)", STYLES["section"]),
                        _satisfaction_drawing(rated, wide),
                    ]
                )
            )
    progress(85)
    doc.build(story)
    return buffer.getvalue()


# --- XLSX ---------------------------------------------------------------------------------------

XLSX_FORMATS = {"count": "#,##0", "percent": "0.0%", "duration": "@"}


def _xlsx_value(value, kind: str):
    """A cell value: counts as numbers, percentages as fractions (formatted 0.0%), durations
    as the same text as the PDF's."""
    if value is None:
        return None
    if kind == "percent":
        return value / 100
    if kind == "duration":
        return duration(value)
    return value


def _xlsx_sheet(book, title: str, caption: list[str], header: list[str], widths: list[float]):
    """A sheet with a title row (unit, period, date of export), the header row in bold, frozen
    below it, and the column widths set. Returns the sheet and the header's row number."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    for line in caption:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header)
    header_row = len(caption) + 1
    fill = PatternFill("solid", fgColor="E8EEF5")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.row_dimensions[header_row].height = 45
    return sheet, header_row


def report_xlsx(data: dict, progress: Callable[[int], None]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference

    unit, period = data["unit"], data["period"]
    caption = [
        f"Báo cáo {SUBJECT.lower()} — {unit.name}",
        f"Kỳ báo cáo: {period_text(period.start, period.end)} "
        f"(từ {vn_date(period.start)} đến {vn_date(period.end)}); "
        f"xuất ngày {timezone.localtime():%d/%m/%Y %H:%M}",
    ]
    book = Workbook()
    book.remove(book.active)

    header, rows = summary_table(data)
    sheet, top = _xlsx_sheet(book, "Tổng hợp", caption, header, [16, 36] + [22] * (len(header) - 2))
    for area, label, kind, *values in rows:
        sheet.append([area, label, *(_xlsx_value(v, kind) for v in values)])
        for cell in sheet[sheet.max_row][2:]:
            cell.number_format = XLSX_FORMATS[kind]

    units_header = ["Mã đơn vị", "Đơn vị", "Phạm vi số liệu"] + [
        label for _k, label, _kind in CHILD_COLUMNS
    ]
    units, _ = _xlsx_sheet(
        book, "Theo đơn vị", caption, units_header, [14, 44, 30] + [16] * len(CHILD_COLUMNS)
    )
    for row in annex_rows(data):
        units.append(
            [row["code"], row["name"], row["scope"]]
            + [_xlsx_value(row[k], kind) for k, _l, kind in CHILD_COLUMNS]
        )
        for cell, (_k, _l, kind) in zip(units[units.max_row][3:], CHILD_COLUMNS, strict=True):
            cell.number_format = XLSX_FORMATS[kind]
    progress(80)

    trend_header = ["Kỳ", "Vụ việc", "Hội thoại", "Phiếu khảo sát", "Bài đăng"]
    trend, top = _xlsx_sheet(
        book, "Xu hướng", caption + [f"Phạm vi: {SUBTREE.lower()}"], trend_header, [12] + [14] * 4
    )
    for t in data["trend"]:
        trend.append([t["label"], t["cases"], t["conversations"], t["responses"], t["posts"]])
        for cell in trend[trend.max_row][1:]:
            cell.number_format = XLSX_FORMATS["count"]
    if data["trend"]:
        chart = LineChart()
        chart.title = "Xu hướng"
        last = top + len(data["trend"])
        values = Reference(trend, min_col=2, max_col=5, min_row=top, max_row=last)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(Reference(trend, min_col=1, min_row=top + 1, max_row=last))
        trend.add_chart(chart, "G4")

    attention, _ = _xlsx_sheet(
        book, "Cần chú ý", caption, ["Mã đơn vị", "Đơn vị", "Lý do"], [14, 44, 80]
    )
    for item in data["attention"]:
        attention.append([item["code"], item["name"], "; ".join(item["reasons"])])
    categories, _ = _xlsx_sheet(
        book,
        "Theo loại vụ việc",
        caption + [f"Phạm vi: {SUBTREE.lower()}"],
        ["Loại vụ việc", "Tiếp nhận"],
        [50, 14],
    )
    for c in data["summary"]["cases"].get("by_category") or []:
        categories.append([c["name"], c["received"]])
        categories.cell(row=categories.max_row, column=2).number_format = XLSX_FORMATS["count"]
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
