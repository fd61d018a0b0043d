from django.core.management import call_command
from django.core.management.base import BaseCommand

from langnghe.accounts.demo import DEMO_PASSWORD, DEMO_STAFF
from langnghe.demo import history
from langnghe.units.models import Unit


class Command(BaseCommand):
    help = "Nạp dữ liệu demo nếu cơ sở dữ liệu còn trống, rồi in địa chỉ và tài khoản demo."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        if not Unit.objects.exists():
            call_command("load_demo", stdout=self.stdout)
        # A year of activity for the dashboard and reports (once; an older demo gets it too).
        history.history_load(stdout=self.stdout)
        base = f"http://{host}:{port}"
        lines = [
            "",
            "Lắng Nghe — địa chỉ:",
            f"  Trang công dân        {base}/",
            f"  Bảng điều khiển       {base}/staff/",
            f"  API (OpenAPI)         {base}/api/v1/docs",
            f"  Quản trị hệ thống     {base}/django-admin/  (admin / {DEMO_PASSWORD})",
            "",
            f"Tài khoản cán bộ demo (mật khẩu: {DEMO_PASSWORD}):",
            *(f"  {u:<20} {role:<13} {code:<10} {name}" for u, code, role, name in DEMO_STAFF),
            "",
        ]
        self.stdout.write("\n".join(lines))
