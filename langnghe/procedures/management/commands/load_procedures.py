import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.core.exceptions import ApplicationError
from langnghe.procedures.services import BUNDLED_CATALOGUE, procedure_catalogue_load


class Command(BaseCommand):
    help = (
        "Nạp danh mục thủ tục hành chính (mặc định: tệp kèm theo ứng dụng). Chạy lại nhiều "
        "lần không tạo trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(BUNDLED_CATALOGUE), help='tệp JSON dạng {"procedures": [...]}'
        )
        parser.add_argument(
            "--deactivate-missing", action="store_true", help="ẩn các thủ tục không có trong tệp"
        )

    def handle(self, *args, file, deactivate_missing, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc}") from exc
        try:
            result = procedure_catalogue_load(data=data, deactivate_missing=deactivate_missing)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Thủ tục: {result.total} (mới {result.created}, cập nhật {result.updated}, "
                f"không đổi {result.unchanged}, ẩn {result.deactivated})."
            )
        )
