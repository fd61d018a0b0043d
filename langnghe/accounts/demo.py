"""Demo staff for the Bắc Giang network. Demo only: the password is printed by `make run`."""

from langnghe.units.models import Unit

from .models import User
from .services import staff_create

DEMO_PASSWORD = "langnghe-demo"

# (username, unit code, role, full name)
DEMO_STAFF = [
    ("quantri", "BG", "admin", "Quản trị tỉnh (demo)"),
    ("chihuy.tinh", "BG", "supervisor", "Chỉ huy Công an tỉnh (demo)"),
    ("chihuy.tpbg", "BG-H213", "supervisor", "Chỉ huy Công an TP Bắc Giang (demo)"),
    ("trucban.thoxuong", "BG-X07201", "duty_officer", "Trực ban CA phường Thọ Xương (demo)"),
    ("thuly.thoxuong", "BG-X07201", "investigator", "Thụ lý CA phường Thọ Xương (demo)"),
    ("bientap.tinh", "BG", "editor", "Biên tập Công an tỉnh (demo)"),
]


def load(stdout) -> None:
    made = 0
    for username, code, role, full_name in DEMO_STAFF:
        unit = Unit.objects.filter(code=code).first()
        if unit is None or User.objects.filter(username=username).exists():
            continue
        staff_create(
            username=username, password=DEMO_PASSWORD, unit=unit, role=role, full_name=full_name
        )
        made += 1
    if not User.objects.filter(is_superuser=True).exists():
        User.objects.create_superuser("admin", password=DEMO_PASSWORD, full_name="Superuser")
        made += 1
    stdout.write(f"Cán bộ demo: {made} tài khoản mới")
