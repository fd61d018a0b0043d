from django.core.management.base import BaseCommand, CommandError

from langnghe.core.exceptions import ApplicationError
from langnghe.units.reorganize import plan_reorganization, reorganize


class Command(BaseCommand):
    help = (
        "Chuyển mạng lưới đơn vị cũ (trước 2025: tỉnh → huyện → xã) của các tỉnh đã sáp nhập "
        "vào một tỉnh sang mạng lưới hiện hành (tỉnh → xã), giữ nguyên lịch sử."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help='Tỉnh hiện hành, ví dụ "Bắc Ninh"')
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ in kế hoạch, không thay đổi gì"
        )

    def handle(self, *args, province, dry_run, **options):
        try:
            plan = plan_reorganization(province) if dry_run else reorganize(province)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        write = self.stdout.write
        if not plan.steps:
            write(f"Không có đơn vị cũ nào cần chuyển sang mạng lưới {plan.province_name}.")
            return
        write(
            ("KẾ HOẠCH (chưa thay đổi gì)" if dry_run else "ĐÃ SẮP XẾP LẠI")
            + f": {plan.province_name}"
        )
        for step in plan.closing:
            moves = ", ".join(f"{n} {what}" for what, n in step.moves.items())
            write(f"  {step.unit.name} → {step.successor_name}" + (f" ({moves})" if moves else ""))
        for step in plan.unplaced:
            write(
                self.style.WARNING(
                    f"  GIỮ NGUYÊN (chưa xác định được đơn vị kế thừa): {step.unit.name} — {step.why}"
                )
            )
        write(
            f"{len(plan.closing)} đơn vị {'sẽ ' if dry_run else ''}kết thúc và chuyển sang đơn vị "
            f"kế thừa; {len(plan.unplaced)} đơn vị giữ nguyên."
        )
