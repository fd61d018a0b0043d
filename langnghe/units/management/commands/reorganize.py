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
        parser.add_argument(
            "--successor",
            action="append",
            default=[],
            metavar="MÃ_CŨ=MÃ_XÃ_MỚI",
            help="Đơn vị kế thừa của một xã mà dữ liệu chuyển đổi không xác định được, theo nghị "
            "quyết sắp xếp (ví dụ BG-X07690=07682); lặp lại được",
        )

    def handle(self, *args, province, dry_run, successor, **options):
        pairs = [item.partition("=") for item in successor]
        if any(not old or not sep or not new.strip().isdigit() for old, sep, new in pairs):
            raise CommandError("--successor phải có dạng MÃ_CŨ=MÃ_XÃ_MỚI, ví dụ BG-X07690=07682.")
        successors = {old: new for old, _sep, new in pairs}
        try:
            plan = (
                plan_reorganization(province, successors=successors)
                if dry_run
                else reorganize(province, successors=successors)
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        write = self.stdout.write
        if not plan.closing:
            write(f"Không có đơn vị cũ nào cần chuyển sang mạng lưới {plan.province_name}.")
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
