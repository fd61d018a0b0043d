"""Numbers and dates as Vietnamese readers write them, for files made outside a template (PDF,
XLSX, text): "1.234" (dot for thousands), "83,3 %" (comma for decimals, a space before the
sign), "05/12/2026", and the date line of an administrative document "ngày 05 tháng 12 năm
2026" (Nghị định 30/2020/NĐ-CP, Phụ lục I, "Địa danh và thời gian ban hành": a day below 10 and the months 1 and 2 take
a leading zero, so nothing can be written in front of them afterwards).
"""

import datetime as dt

MISSING = "—"


def vn_number(value, decimals: int = 1) -> str:
    """1234 → "1.234"; 83.26 → "83,3"; None → "—"."""
    if value is None:
        return MISSING
    if isinstance(value, float):
        text = f"{value:,.{decimals}f}"
    else:
        text = f"{value:,}"
    # 1,234.5 → 1.234,5 (swap the separators through a placeholder).
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_percent(value, decimals: int = 1) -> str:
    """83.26 (already a percentage) → "83,3 %"; None → "—"."""
    if value is None:
        return MISSING
    return f"{vn_number(float(value), decimals)} %"


def vn_date(value: dt.date | str | None) -> str:
    """A date (or an ISO date string) → "05/12/2026"."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


def document_date(value: dt.date) -> str:
    """ "ngày 05 tháng 12 năm 2026", "ngày 15 tháng 02 năm 2026", "ngày 15 tháng 3 năm 2026"
    (NĐ 30/2020/NĐ-CP: leading zero for days below 10 and for the months 1 and 2 only)."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
