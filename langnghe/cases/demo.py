"""Demo cases for the console: a few of each kind in Thọ Xương and the city, idempotent."""

from django.db import transaction

from langnghe.accounts.models import User
from langnghe.accounts.services import staff_create
from langnghe.units.models import Unit

from .models import Case
from .services import case_assign, case_classify, case_create

DEMO = [
    ("crime_report", "Phát hiện nhóm thanh niên tàng trữ ma túy tại quán nước cuối ngõ.", True),
    (
        "public_order",
        "Đêm nào cũng có nhóm đua xe, nẹt pô trên đường Xương Giang sau 23 giờ.",
        False,
    ),
    ("service_feedback", "Hồ sơ cấp căn cước của tôi quá hẹn 5 ngày chưa có kết quả.", False),
]


def load(stdout) -> None:
    unit = Unit.objects.filter(code="BG-X07201").first()
    if unit is None or Case.objects.filter(channel_ref__startswith="demo-").exists():
        stdout.write("Vụ việc demo: đã có hoặc thiếu đơn vị, bỏ qua.")
        return
    if not User.objects.filter(username="demo_thoxuong_handler").exists():
        staff_create(
            username="demo_thoxuong_handler",
            password="demo-password-1",
            unit=unit,
            role="investigator",
            full_name="Cán bộ thụ lý (demo)",
        )
    handler = User.objects.get(username="demo_thoxuong_handler")
    with transaction.atomic():
        for index, (category, text, anonymous) in enumerate(DEMO):
            case, _receipt = case_create(
                category_code=category,
                description=text,
                unit_code=unit.code,
                is_anonymous=anonymous,
                channel="web",
                channel_ref=f"demo-{index}",
                reporter=None
                if anonymous
                else {"name": "Nguyễn Văn A (demo)", "phone": "0900000000"},
            )
            if index == 1:
                case_classify(case=case, by=handler)
                case_assign(case=case, by=handler, assignee=handler)
    stdout.write(f"Vụ việc demo: {len(DEMO)} tại {unit.name}.")
