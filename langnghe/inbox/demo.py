"""Demo conversations at phường Thọ Xương (web chat), idempotent."""

from langnghe.units.models import Unit

from . import services
from .models import Conversation

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


def load(stdout) -> None:
    from .models import CannedReply

    province = Unit.objects.filter(parent__isnull=True, code="BG").first()
    if province is not None and not CannedReply.objects.filter(unit=province).exists():
        CannedReply.objects.bulk_create(
            CannedReply(unit=province, title=title, text=text) for title, text in CANNED
        )
    unit = Unit.objects.filter(code=DEMO_UNIT).first()
    if unit is None or Conversation.objects.filter(unit=unit, external_id="demo-web-1").exists():
        return
    for external_id, name, text in SAMPLES:
        services.message_receive(
            unit=unit, channel="web", external_id=external_id, text=text, citizen_name=name
        )
    stdout.write(f"Trực ban: {len(SAMPLES)} hội thoại mẫu tại {unit.name}")
