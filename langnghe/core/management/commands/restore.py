import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.core.backup import backup_restore
from langnghe.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Khôi phục từ tệp sao lưu (thay toàn bộ dữ liệu hiện có). Mật khẩu sao lưu lấy từ "
        "LANGNGHE_BACKUP_PASSPHRASE."
    )

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("--yes", action="store_true", help="Không hỏi lại")

    def handle(self, *args, source, yes, **options):
        passphrase = os.environ.get("LANGNGHE_BACKUP_PASSPHRASE", "")
        if not passphrase:
            raise CommandError("Cần đặt LANGNGHE_BACKUP_PASSPHRASE.")
        if (
            not yes
            and input("Dữ liệu hiện có sẽ bị thay thế. Gõ 'dong y' để tiếp tục: ") != "dong y"
        ):
            raise CommandError("Đã hủy.")
        try:
            result = backup_restore(source=Path(source), passphrase=passphrase)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục {result['objects']:,} bản ghi và {result['files']} tệp đính kèm."
            )
        )
