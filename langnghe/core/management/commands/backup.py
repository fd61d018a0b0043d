import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.core.backup import backup_create
from langnghe.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (một ảnh chụp nhất quán: pg_dump trên PostgreSQL, API sao lưu "
        "trực tuyến trên SQLite) và tệp đính kèm vào một tệp mã hóa (AES-256-GCM theo từng "
        "khung), ghi dần nên bộ nhớ không tăng theo cỡ dữ liệu. Mật khẩu sao lưu lấy từ biến "
        "môi trường LANGNGHE_BACKUP_PASSPHRASE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, dest="destination")

    def handle(self, *args, destination, **options):
        passphrase = os.environ.get("LANGNGHE_BACKUP_PASSPHRASE", "")
        if not passphrase:
            raise CommandError("Cần đặt LANGNGHE_BACKUP_PASSPHRASE (ít nhất 12 ký tự).")
        try:
            result = backup_create(destination=Path(destination), passphrase=passphrase)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu vào {destination}: {result['bytes']:,} byte "
                f"(cơ sở dữ liệu {result['database_bytes']:,} byte trước khi nén), "
                f"{result['files']} tệp đính kèm."
            )
        )
