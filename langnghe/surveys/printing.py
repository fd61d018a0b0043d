"""QR codes (segno) and printable posters (reportlab) for the survey forms.

The poster font is DejaVu Sans, shipped in ``fonts/`` (Bitstream Vera licence, see
fonts/LICENSE-DejaVu.txt): it has every Vietnamese glyph, so posters do not depend on the
fonts installed on the server.
"""

import io
from pathlib import Path

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from langnghe.units.models import Unit

from .security import form_url, shared_url

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "LangNgheSans", "LangNgheSans-Bold"
PAGE_SIZES = {"a4": A4, "a5": A5}
PRIMARY = HexColor("#0b4f8a")


def qr_for(url: str) -> segno.QRCode:
    # Level M survives a scuffed or partly glared poster; the URL stays short enough for a
    # version ≤ 8 code that phone cameras read from a metre away.
    return segno.make(url, error="m", micro=False)


def qr_png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_for(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_for(url).save(
        buffer, kind="svg", scale=scale, border=4, xmldecl=False, title="Mã QR khảo sát sự hài lòng"
    )
    return buffer.getvalue()


def unit_qr_url(unit: Unit) -> str:
    return form_url(unit.code)


def shared_qr_url() -> str:
    return shared_url()


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, side: float) -> None:
    """Vector QR: one filled square per dark module, crisp at any print size."""
    matrix = [list(row) for row in qr_for(url).matrix]
    border = 4
    count = len(matrix) + 2 * border
    module = side / count
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + (c + border) * module,
                    y + side - (r + border + 1) * module,
                    module + 0.05,
                    module + 0.05,
                    stroke=0,
                    fill=1,
                )


def _poster_page(canvas: Canvas, *, title: str, unit_name: str, url: str, size) -> None:
    width, height = size
    scale = width / A4[0]
    margin = 18 * mm * scale
    text_width = width - 2 * margin
    canvas.setFillColor(PRIMARY)
    canvas.rect(0, height - 34 * mm * scale, width, 34 * mm * scale, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.setFont(FONT_BOLD, 24 * scale)
    canvas.drawCentredString(width / 2, height - 16 * mm * scale, title)
    canvas.setFont(FONT, 13 * scale)
    canvas.drawCentredString(
        width / 2, height - 26 * mm * scale, "Ý kiến của ông/bà giúp chúng tôi phục vụ tốt hơn"
    )
    y = height - 48 * mm * scale
    canvas.setFillColor(HexColor("#1b1f24"))
    for line in _wrap(unit_name.upper(), FONT_BOLD, 20 * scale, text_width):
        canvas.setFont(FONT_BOLD, 20 * scale)
        canvas.drawCentredString(width / 2, y, line)
        y -= 9 * mm * scale
    side = 110 * mm * scale
    qr_y = y - side - 4 * mm * scale
    _draw_qr(canvas, url, (width - side) / 2, qr_y, side)
    y = qr_y - 12 * mm * scale
    steps = [
        "1. Mở Zalo (hoặc camera điện thoại), chọn quét mã QR.",
        "2. Quét mã QR ở trên: phiếu khảo sát mở ra, không cần đăng nhập.",
        "3. Chọn mức độ hài lòng, ghi góp ý (nếu có) và bấm “Gửi đánh giá”.",
    ]
    canvas.setFont(FONT, 13 * scale)
    for step in steps:
        for line in _wrap(step, FONT, 13 * scale, text_width):
            canvas.drawString(margin, y, line)
            y -= 7 * mm * scale
    canvas.setFont(FONT, 9 * scale)
    canvas.setFillColor(HexColor("#4f5864"))
    canvas.drawCentredString(
        width / 2, 12 * mm * scale, "Phiếu ẩn danh. Không thu thập họ tên, số điện thoại."
    )
    canvas.drawCentredString(width / 2, 8 * mm * scale, url if len(url) < 90 else url[:87] + "…")
    canvas.showPage()


def posters_pdf(units: list[Unit], *, size: str = "a4") -> bytes:
    """One poster per unit (A4 or A5), in the order given."""
    _register_fonts()
    page = PAGE_SIZES[size]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page, pageCompression=1)
    canvas.setTitle("Mã QR khảo sát sự hài lòng")
    canvas.setAuthor("Lắng Nghe")
    for unit in units:
        _poster_page(
            canvas,
            title="ĐÁNH GIÁ SỰ HÀI LÒNG",
            unit_name=unit.name,
            url=unit_qr_url(unit),
            size=page,
        )
    canvas.save()
    return buffer.getvalue()
