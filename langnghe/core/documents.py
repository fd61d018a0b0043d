"""Administrative documents on paper (reportlab platypus), in the form of Nghị định
30/2020/NĐ-CP về công tác văn thư, Phụ lục I "Thể thức, kỹ thuật trình bày văn bản hành chính":

- top left, the issuing body: the direct superior body in capitals, the issuing unit in bold
  capitals below it with a short rule (1/3 to 1/2 of its line), then "Số: 05/BC-CAP";
- top right, the national heading: Quốc hiệu "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in bold
  capitals, the motto (tiêu ngữ) "Độc lập - Tự do - Hạnh phúc" in bold with a rule as long as
  itself, then "<Địa danh>, ngày 05 tháng 12 năm 2026" in italics;
- the kind of document ("BÁO CÁO") centred in bold capitals, the subject (trích yếu) below it
  in bold with a short rule;
- at the end, "Nơi nhận:" (bold italics) with its list on the left, the signer's title in bold
  capitals on the right with room for the signature; page numbers at the top centre from the
  second page ("không hiển thị số trang thứ nhất").

The decree sets Times New Roman 13–14 pt; the files here use DejaVu Sans (bundled, every
Vietnamese glyph) a size smaller, as it is wider. Tables are sized to the frame: column widths
from weights, header cells as paragraphs that wrap, the header repeated on every page, numbers
right-aligned. Nothing here knows a domain app: callers pass strings (``units.letterhead``
makes them for a unit).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FAMILY = "DocSans"
FONTS = {
    FAMILY: "DejaVuSans.ttf",
    f"{FAMILY}-Bold": "DejaVuSans-Bold.ttf",
    f"{FAMILY}-Italic": "DejaVuSans-Oblique.ttf",
    f"{FAMILY}-BoldItalic": "DejaVuSans-BoldOblique.ttf",
}
BOLD, ITALIC, BOLD_ITALIC = f"{FAMILY}-Bold", f"{FAMILY}-Italic", f"{FAMILY}-BoldItalic"
# Margins of Phụ lục I, "Định lề trang" (top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm).
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
GRID = colors.HexColor("#7b8794")
HEADER_FILL = colors.HexColor("#e8eef5")


def register_fonts(font_dir: Path) -> None:
    """Register the DejaVu family once (regular, bold, italic, bold italic) so <b> and <i>
    work inside paragraphs."""
    if FAMILY in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(font_dir / file)))
    pdfmetrics.registerFontFamily(
        FAMILY, normal=FAMILY, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
    )


def _style(name: str, **kw) -> ParagraphStyle:
    base = {"fontName": FAMILY, "fontSize": 10.5, "leading": 14}
    return ParagraphStyle(name, **(base | kw))


STYLES = {
    "body": _style("body", alignment=TA_LEFT, firstLineIndent=8 * mm, spaceAfter=4),
    "plain": _style("plain"),
    "note": _style("note", fontName=ITALIC, fontSize=9, leading=12, spaceAfter=4),
    "section": _style("section", fontName=BOLD, spaceBefore=8, spaceAfter=4),
    "cell": _style("cell", fontSize=8.5, leading=10.5),
    "cell_number": _style("cell_number", fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
    "cell_bold": _style("cell_bold", fontName=BOLD, fontSize=8.5, leading=10.5),
    "header_cell": _style(
        "header_cell", fontName=BOLD, fontSize=8.5, leading=10.5, alignment=TA_CENTER
    ),
    "superior": _style("superior", fontSize=10, leading=13, alignment=TA_CENTER),
    "issuer": _style("issuer", fontName=BOLD, fontSize=10, leading=13, alignment=TA_CENTER),
    "national": _style("national", fontName=BOLD, fontSize=10, leading=13, alignment=TA_CENTER),
    "motto": _style("motto", fontName=BOLD, fontSize=10.5, leading=14, alignment=TA_CENTER),
    "number": _style("number", fontSize=10.5, leading=14, alignment=TA_CENTER),
    "place_date": _style("place_date", fontName=ITALIC, fontSize=10.5, alignment=TA_CENTER),
    "kind": _style("kind", fontName=BOLD, fontSize=13, leading=17, alignment=TA_CENTER),
    "subject": _style("subject", fontName=BOLD, fontSize=11, leading=15, alignment=TA_CENTER),
    "recipients_title": _style("recipients_title", fontName=BOLD_ITALIC, fontSize=9.5),
    "recipient": _style("recipient", fontSize=8.5, leading=11),
    "signer": _style("signer", fontName=BOLD, fontSize=10.5, alignment=TA_CENTER),
}


@dataclass(frozen=True)
class Heading:
    superior: str  # "CÔNG AN TỈNH BẮC GIANG"
    issuer: str  # "CÔNG AN PHƯỜNG THỌ XƯƠNG"
    number: str  # "Số: 05/BC-CAP"
    place_date: str  # "Thọ Xương, ngày 05 tháng 12 năm 2026"
    kind: str  # "BÁO CÁO"
    subject: str  # "Kết quả … tháng 11 năm 2026"


def _text_width(text: str, style: ParagraphStyle) -> float:
    return pdfmetrics.stringWidth(text, style.fontName, style.fontSize)


def _rule(width: float) -> HRFlowable:
    return HRFlowable(
        width=width, thickness=0.6, color=colors.black, hAlign="CENTER", spaceBefore=1, spaceAfter=3
    )


def heading_flowables(heading: Heading, width: float) -> list:
    """The issuing body and the national heading side by side, then the title and subject."""
    left_width, right_width = width * 0.42, width * 0.58
    issuer = Paragraph(escape(heading.issuer), STYLES["issuer"])
    # The short rule under the issuing unit: 1/3 to 1/2 of its (last) line — here 40 %.
    issuer_line = min(_text_width(heading.issuer, STYLES["issuer"]), left_width - 6)
    left = [
        Paragraph(escape(heading.superior), STYLES["superior"]),
        issuer,
        _rule(issuer_line * 0.4),
    ]
    right = [
        Paragraph(NATIONAL_NAME, STYLES["national"]),
        Paragraph(MOTTO, STYLES["motto"]),
        _rule(_text_width(MOTTO, STYLES["motto"])),
    ]
    top = Table(
        [
            [left, right],
            [
                Paragraph(escape(heading.number), STYLES["number"]),
                Paragraph(escape(heading.place_date), STYLES["place_date"]),
            ],
        ],
        colWidths=[left_width, right_width],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # Cells place their flowables (the rules) by this, not by the rule's hAlign.
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 2),
            ]
        ),
    )
    subject_line = min(_text_width(heading.subject, STYLES["subject"]), width)
    return [
        top,
        Spacer(1, 8 * mm),
        Paragraph(escape(heading.kind), STYLES["kind"]),
        Paragraph(escape(heading.subject), STYLES["subject"]),
        _rule(max(subject_line / 3, 25 * mm)),
        Spacer(1, 3 * mm),
    ]


def closing_flowables(recipients: Sequence[str], signer_title: str, width: float) -> list:
    """ "Nơi nhận:" and its list on the left; the signer's title and room to sign on the right
    (the name is written by hand or typed when the report is signed)."""
    left = [Paragraph("Nơi nhận:", STYLES["recipients_title"])] + [
        Paragraph("- " + escape(line), STYLES["recipient"]) for line in recipients
    ]
    right = [Paragraph(escape(signer_title), STYLES["signer"]), Spacer(1, 28 * mm)]
    table = Table(
        [[left, right]],
        colWidths=[width * 0.45, width * 0.55],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return [Spacer(1, 6 * mm), KeepTogether([table])]


def fitted_table(
    header: Sequence[str],
    rows: Sequence[Sequence],
    *,
    weights: Sequence[float],
    width: float,
    numeric: Sequence[int] = (),
    bold_rows: Sequence[int] = (),
) -> Table:
    """A table exactly ``width`` wide: column widths in proportion to ``weights``; header
    cells and text cells as paragraphs, so they wrap inside their column instead of running
    into the next; the header repeated on each page; the ``numeric`` columns right-aligned.
    ``bold_rows``: indexes into ``rows`` (totals)."""
    if len(weights) != len(header):
        raise ValueError("one weight per column")
    total = float(sum(weights))
    col_widths = [width * w / total for w in weights]
    numeric = set(numeric)
    data = [[Paragraph(escape(str(h)), STYLES["header_cell"]) for h in header]]
    for r, row in enumerate(rows):
        style = STYLES["cell_bold"] if r in bold_rows else STYLES["cell"]
        cells = []
        for c, value in enumerate(row):
            if isinstance(value, Paragraph):
                cells.append(value)
            elif c in numeric:
                number_style = ParagraphStyle(
                    f"n{r}", parent=STYLES["cell_number"], fontName=style.fontName
                )
                cells.append(Paragraph(escape(str(value)), number_style))
            else:
                cells.append(Paragraph(escape(str(value)), style))
        data.append(cells)
    table = Table(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


class Document(BaseDocTemplate):
    """A4 portrait pages, and landscape ones for wide annexes (switch with
    ``NextPageTemplate("landscape")`` then ``PageBreak()``). Page numbers at the top centre
    from page 2 (Phụ lục I, "Số trang văn bản")."""

    def __init__(self, buffer, *, title: str, author: str):
        super().__init__(buffer, pagesize=A4, title=title, author=author, **_margins())
        portrait_frame = Frame(
            self.leftMargin, self.bottomMargin, self.width, self.height, id="portrait"
        )
        wide = landscape(A4)
        # Landscape: the binding edge (30 mm) is at the top of the turned page.
        landscape_frame = Frame(
            MARGINS["bottom"],
            MARGINS["right"],
            wide[0] - MARGINS["bottom"] - MARGINS["top"],
            wide[1] - MARGINS["right"] - MARGINS["left"],
            id="landscape",
        )
        self.addPageTemplates(
            [
                PageTemplate("portrait", [portrait_frame], onPage=_page_number, pagesize=A4),
                PageTemplate("landscape", [landscape_frame], onPage=_page_number, pagesize=wide),
            ]
        )

    @property
    def portrait_width(self) -> float:
        return self.width

    @property
    def landscape_width(self) -> float:
        return landscape(A4)[0] - MARGINS["bottom"] - MARGINS["top"]


def _margins() -> dict:
    return {
        "leftMargin": MARGINS["left"],
        "rightMargin": MARGINS["right"],
        "topMargin": MARGINS["top"],
        "bottomMargin": MARGINS["bottom"],
    }


def _page_number(canvas, doc) -> None:
    if doc.page < 2:
        return
    width, height = canvas._pagesize
    canvas.setFont(FAMILY, 9)
    canvas.drawCentredString(width / 2, height - 12 * mm, str(doc.page))
