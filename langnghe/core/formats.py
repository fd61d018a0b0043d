"""The date line of an administrative document, "ngày 05 tháng 12 năm 2026" (Nghị định
30/2020/NĐ-CP, Phụ lục I, "Địa danh và thời gian ban hành": a day below 10 and the months 1 and 2
take a leading zero, so nothing can be written in front of them afterwards). Numbers, percents
and plain dates, in templates and in files alike, are ``core/templatetags/vn_format.py``'s.
"""

import datetime as dt


def document_date(value: dt.date) -> str:
    """ "ngày 05 tháng 12 năm 2026", "ngày 15 tháng 02 năm 2026", "ngày 15 tháng 3 năm 2026"
    (NĐ 30/2020/NĐ-CP: leading zero for days below 10 and for the months 1 and 2 only)."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
