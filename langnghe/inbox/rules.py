"""Automatic answers: emergencies and messages outside duty hours.

``classify_urgency(text)`` is the one interface the triage app will replace with its classifier;
until then it is a conservative keyword rule: it only fires on unambiguous phrases, because a
false alarm pages every officer on duty, while a miss still reaches the desk as usual.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from langnghe.core.text import fold
from langnghe.triage.selectors import triage_text

from .selectors import roster_now

# Nationwide emergency numbers (Quyết định 1383/QĐ-BTTTT; 113 công an, 114 cứu hỏa – cứu nạn,
# 115 cấp cứu y tế).
EMERGENCY_NUMBERS = {"police": "113", "fire": "114", "ambulance": "115"}

# Folded phrases (no diacritics), matched on word boundaries.
_RULES: list[tuple[str, tuple[str, ...]]] = [
    (
        "fire",
        (
            "chay nha",
            "dang chay",
            "bi chay",
            "hoa hoan",
            "chay lon",
            "no binh gas",
            "mac ket",
            "duoi nuoc",
            "chet duoi",
        ),
    ),
    (
        "ambulance",
        (
            "cap cuu",
            "bat tinh",
            "ngung tho",
            "khong tho duoc",
            "chay mau nhieu",
            "dot quy",
            "tai nan giao thong",
            "bi thuong nang",
        ),
    ),
    (
        "police",
        (
            "cuop",
            "giet nguoi",
            "dam nguoi",
            "dang danh nhau",
            "bat coc",
            "hanh hung",
            "co dao",
            "co sung",
            "de doa giet",
            "dang bi danh",
            "cuu toi",
            "cuu voi",
        ),
    ),
]


@dataclass(frozen=True)
class Urgency:
    is_urgent: bool
    kind: str = ""  # police, fire, ambulance
    number: str = ""


_KIND_BY_NUMBER = {number: kind for kind, number in EMERGENCY_NUMBERS.items()}


def classify_urgency(text: str, *, triage=None) -> Urgency:
    """Whether a citizen's message reports an emergency, and which number to call.

    The triage classifier (langnghe.triage) decides; the conservative keyword rules below are
    kept as a second net, because here a missed emergency costs far more than a false alarm.
    """
    result = triage if triage is not None else triage_text(text or "")
    if result.urgent:
        number = result.hotline or EMERGENCY_NUMBERS["police"]
        return Urgency(True, _KIND_BY_NUMBER.get(number, "police"), number)
    folded = f" {' '.join(re.findall(r'[a-z0-9]+', fold(text or '')))} "
    for kind, phrases in _RULES:
        if any(f" {p} " in folded for p in phrases):
            return Urgency(True, kind, EMERGENCY_NUMBERS[kind])
    return Urgency(False)


_DAYS = {
    "thu hai": 0,
    "thu ba": 1,
    "thu tu": 2,
    "thu nam": 3,
    "thu sau": 4,
    "thu bay": 5,
    "chu nhat": 6,
}
_DAY_RE = re.compile(r"(thu hai|thu ba|thu tu|thu nam|thu sau|thu bay|chu nhat)")
_TIME_RE = re.compile(r"(\d{1,2})[:h](\d{2})\s*[-–]\s*(\d{1,2})[:h](\d{2})")


def duty_windows(office_hours: str) -> dict[int, list[tuple[dt.time, dt.time]]] | None:
    """Parse "Thứ Hai – Thứ Sáu 7:30–11:30, 13:30–17:00; Thứ Bảy 7:30–11:30" into
    {weekday: [(start, end), …]}. None means always on duty ("24/7") or unreadable text —
    then no automatic out-of-hours reply is sent (never tell a citizen the desk is closed
    when we are not sure)."""
    text = fold(office_hours or "")
    if not text or "24/7" in text or "24/24" in text:
        return None
    windows: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for part in text.split(";"):
        days = [_DAYS[d] for d in _DAY_RE.findall(part)]
        times = _TIME_RE.findall(part)
        if not days or not times:
            continue
        span = range(days[0], days[-1] + 1) if len(days) >= 2 else days
        for day in span:
            for h1, m1, h2, m2 in times:
                windows.setdefault(day, []).append(
                    (dt.time(int(h1), int(m1)), dt.time(int(h2), int(m2)))
                )
    return windows or None


def is_on_duty(unit, at: dt.datetime | None = None) -> bool:
    """Whether the desk of ``unit`` is staffed at ``at`` (now): by its duty roster when it keeps
    one then (``selectors.roster_now``), else by its office hours."""
    staffed, _running = roster_now(unit, at or timezone.now())
    return in_office_hours(unit, at) if staffed is None else staffed


def in_office_hours(unit, at: dt.datetime | None = None) -> bool:
    windows = duty_windows(unit.office_hours)
    if windows is None:
        return True
    local = timezone.localtime(at or timezone.now())
    return any(start <= local.time() < end for start, end in windows.get(local.weekday(), []))


# Who answers each emergency number, as a citizen names them.
EMERGENCY_SERVICES = {
    "police": "Công an",
    "fire": "Cứu hỏa, cứu nạn",
    "ambulance": "Cấp cứu y tế",
}


def emergency_service(urgency: Urgency) -> str:
    """ "113 (Công an)": the number first, then who answers it."""
    return f"{urgency.number} ({EMERGENCY_SERVICES[urgency.kind]})"


def emergency_reply(urgency: Urgency) -> str:
    return (
        f"Nếu đang nguy hiểm, hãy gọi ngay {emergency_service(urgency)}. "
        "Cán bộ trực ban đã được báo và sẽ liên hệ lại ngay."
    )


def emergency_note(urgency: Urgency) -> str:
    """The internal note beside an emergency: what to call, in words (no internal kind)."""
    return f"Tin khẩn cấp, số cần gọi: {emergency_service(urgency)}. Cần xử lý ngay."


def on_duty_reply(unit, at: dt.datetime | None = None) -> str:
    """The acknowledgement of a conversation's first message when the roster has an officer on
    duty outside office hours (a night shift): no out-of-hours notice then, but the citizen
    still learns the message arrived and someone will answer. Once per conversation, never
    after an answer; "" in office hours (the desk answers as usual)."""
    if in_office_hours(unit, at):
        return ""
    return (
        f"{unit.name}: Trực ban đã nhận tin nhắn và sẽ trả lời sớm. "
        "Khẩn cấp: 113 (công an), 114 (cứu hỏa), 115 (cấp cứu)."
    )


def out_of_hours_reply(unit) -> str:
    phone = unit.duty_phone or unit.hotline
    line = f" Việc cần gấp, xin gọi đường dây nóng {phone}." if phone else ""
    return (
        f"{unit.name} đã nhận tin nhắn. Hiện ngoài giờ làm việc ({unit.office_hours}); "
        f"cán bộ sẽ trả lời sớm nhất.{line} Khẩn cấp: 113 (công an), 114 (cứu hỏa), 115 (cấp cứu)."
    )
