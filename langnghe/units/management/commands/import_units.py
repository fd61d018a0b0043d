from django.core.management.base import BaseCommand, CommandError

from langnghe.core.exceptions import ApplicationError
from langnghe.units.networks import import_province_network


class Command(BaseCommand):
    help = (
        "Tạo mạng lưới đơn vị hiện hành (2025: tỉnh → xã) của một tỉnh, thành phố "
        "từ gói vietnam-provinces."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", required=True, help='Tên tỉnh/thành phố, ví dụ "Bắc Ninh" hoặc "bac ninh"'
        )
        parser.add_argument("--prefix", help="Tiền tố mã đơn vị (mặc định T<mã tỉnh>)")
        parser.add_argument(
            "--no-departments",
            action="store_true",
            help="Không tạo 4 phòng nghiệp vụ PA08, PC06, PC07, PC08",
        )

    def handle(self, *args, province, prefix, no_departments, **options):
        try:
            root, result = import_province_network(
                province_name=province, prefix=prefix, with_departments=not no_departments
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{root.name} ({root.code}): {result.total} đơn vị — mới {result.created}, "
                f"cập nhật {result.updated}, giữ nguyên {result.unchanged}."
            )
        )
