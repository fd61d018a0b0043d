"""Demo conversations at phường Thọ Xương (web chat), idempotent."""

from langnghe.accounts.models import User
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from . import services
from .models import CannedReply, Conversation, DutyShift

DEMO_UNIT = "BG-X07201"
SAMPLES = [
    ("demo-web-1", "Chị Hoa", "Cho hỏi làm căn cước cho con 10 tuổi cần giấy tờ gì?"),
    ("demo-web-2", "", "Tối qua có nhóm thanh niên tụ tập nẹt pô ở đường Xương Giang."),
    ("demo-web-3", "Anh Tuấn", "Tôi nhặt được ví có giấy tờ tên Nguyễn Văn Nam."),
]


# Saved answers of the province desk, usable by every unit below it.
CANNED = [
    (
        "Cảm ơn, đã tiếp nhận",
        "Cảm ơn anh/chị đã liên hệ. Công an đã tiếp nhận thông tin và sẽ "
        "phản hồi trong thời gian sớm nhất.",
    ),
    (
        "Hướng dẫn gọi khẩn cấp",
        "Nếu đang có nguy hiểm, xin gọi ngay 113 (công an), 114 (cứu "
        "hỏa, cứu nạn) hoặc 115 (cấp cứu).",
    ),
    (
        "Tra cứu thủ tục",
        "Anh/chị xem hướng dẫn thủ tục, giấy tờ cần mang và lệ phí tại mục "
        "“Thủ tục hành chính” trên trang của đơn vị, hoặc nộp trực tuyến qua Cổng dịch vụ công.",
    ),
]


# The demo roster of Thọ Xương: day and night shifts of a day each, from 7:30, the ward's duty
# officer leading every other one; kept a week ahead each time the demo is ensured.
DEMO_ROSTER = [("trucban.thoxuong", True), ("chihuy.tpbg", False)]
ROSTER_DAYS = 7


def _roster(unit, stdout) -> None:
    import datetime as dt

    from django.utils import timezone

    planner = User.objects.filter(username="chihuy.tpbg").first()
    officers = [(User.objects.filter(username=name).first(), lead) for name, lead in DEMO_ROSTER]
    if planner is None or any(officer is None for officer, _ in officers):
        return
    today = timezone.localdate()
    made = 0
    for offset in range(-1, ROSTER_DAYS):
        start = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(7, 30))
        )
        if DutyShift.objects.filter(unit=unit, starts_at=start).exists():
            continue
        officer, lead = officers[(today + dt.timedelta(days=offset)).toordinal() % len(officers)]
        try:
            services.duty_shift_create(
                unit=unit,
                officer=officer,
                starts_at=start,
                ends_at=start + dt.timedelta(days=1),
                is_lead=lead,
                by=planner,
            )
        except ApplicationError:  # already over, or the officer is taken then
            continue
        made += 1
    if made:
        stdout.write(f"Lịch trực: {made} ca mới tại {unit.name}")


def load(stdout) -> None:
    province = Unit.objects.filter(parent__isnull=True, code="BG").first()
    if province is not None and not CannedReply.objects.filter(unit=province).exists():
        CannedReply.objects.bulk_create(
            CannedReply(unit=province, title=title, text=text) for title, text in CANNED
        )
    unit = Unit.objects.filter(code=DEMO_UNIT).first()
    if unit is None:
        return
    _roster(unit, stdout)
    if Conversation.objects.filter(unit=unit, external_id="demo-web-1").exists():
        return
    for external_id, name, text in SAMPLES:
        services.message_receive(
            unit=unit, channel="web", external_id=external_id, text=text, citizen_name=name
        )
    stdout.write(f"Trực ban: {len(SAMPLES)} hội thoại mẫu tại {unit.name}")
