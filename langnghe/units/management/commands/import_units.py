from django.core.management.base import BaseCommand, CommandError

from langnghe.core.exceptions import ApplicationError
from langnghe.units.networks import import_province_network


class Command(BaseCommand):
    help = (
        "Tạo (hoặc cập nhật) mạng lưới Công an hiện hành của một tỉnh, thành phố (từ 1/7/2025, "
        "hai cấp): Công an tỉnh, các phòng tiếp công dân, đồn Công an khu công nghiệp và Công an "
        "mọi xã, phường kèm tọa độ. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", required=True, help='Tên tỉnh/thành phố, ví dụ "Bắc Ninh" hoặc "bac ninh"'
        )
        parser.add_argument("--prefix", help="Tiền tố mã đơn vị (mặc định T<mã tỉnh>)")
        parser.add_argument(
            "--no-departments",
            action="store_true",
            help="Không tạo các phòng nghiệp vụ cấp tỉnh",
        )

    def handle(self, *args, province, prefix, no_departments, **options):
        try:
            root, result = import_province_network(
                province_name=province, prefix=prefix, with_departments=not no_departments
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for name in result.without_coordinates:
            self.stderr.write(f"Không có tọa độ (vietnamadminunits không có xã này): {name}")
        for mismatch in result.code_mismatches:
            self.stderr.write(
                f"Mã xã khác nhau giữa vietnam-provinces và vietnamadminunits: {mismatch}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{root.name} ({root.code}): {result.total} đơn vị — mới {result.created}, "
                f"cập nhật {result.updated}, giữ nguyên {result.unchanged}."
            )
        )
