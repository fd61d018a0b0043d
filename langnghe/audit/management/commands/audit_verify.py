from django.core.management.base import BaseCommand, CommandError

from langnghe.audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Kiểm tra chuỗi băm của nhật ký: thoát 0 nếu nguyên vẹn, khác 0 và chỉ ra mục đầu "
        "tiên bị sửa hoặc bị xóa."
    )

    def handle(self, *args, **options):
        checked, problem = verify_chain()
        if problem:
            raise CommandError(f"Nhật ký KHÔNG nguyên vẹn — {problem} (đã kiểm {checked} mục).")
        self.stdout.write(self.style.SUCCESS(f"Nhật ký nguyên vẹn: {checked} mục."))
