import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.core.backup import backup_restore
from langnghe.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Khôi phục từ tệp sao lưu (thay toàn bộ cơ sở dữ liệu). Tệp được kiểm tra trọn vẹn "
        "trước (từng khung mã hóa, đủ đến cuối, đúng loại cơ sở dữ liệu) rồi mới hỏi và thay. "
        "Mật khẩu sao lưu lấy từ LANGNGHE_BACKUP_PASSPHRASE. Dừng `langnghe serve` trước."
    )

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("--yes", action="store_true", help="Không hỏi lại")

    def handle(self, *args, source, yes, **options):
        passphrase = os.environ.get("LANGNGHE_BACKUP_PASSPHRASE", "")
        if not passphrase:
            raise CommandError("Cần đặt LANGNGHE_BACKUP_PASSPHRASE.")

        def confirm(summary: dict) -> bool:
            self.stdout.write(
                f"Bản sao lưu hợp lệ: cơ sở dữ liệu {summary['database_bytes']:,} byte, "
                f"{summary['files']} tệp đính kèm."
            )
            if yes:
                return True
            answer = input("Dữ liệu hiện có sẽ bị thay thế. Gõ 'dong y' để tiếp tục: ")
            return answer.strip() == "dong y"

        try:
            result = backup_restore(source=Path(source), passphrase=passphrase, confirm=confirm)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục cơ sở dữ liệu ({result['database_bytes']:,} byte) và "
                f"{result['files']} tệp đính kèm. Chạy tiếp `langnghe migrate` và "
                "`langnghe audit_verify`."
            )
        )
