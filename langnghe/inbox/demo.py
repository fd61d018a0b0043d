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


def load(stdout) -> None:
    unit = Unit.objects.filter(code=DEMO_UNIT).first()
    if unit is None or Conversation.objects.filter(unit=unit, external_id="demo-web-1").exists():
        return
    for external_id, name, text in SAMPLES:
        services.message_receive(
            unit=unit, channel="web", external_id=external_id, text=text, citizen_name=name
        )
    stdout.write(f"Trực ban: {len(SAMPLES)} hội thoại mẫu tại {unit.name}")
