"""Gate of `make test`: the committed OpenAPI document matches the code (`--write` updates it)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.api import api

DOC = Path(__file__).resolve().parents[3] / "openapi.json"


class Command(BaseCommand):
    help = "So sánh tài liệu OpenAPI đã lưu (langnghe/openapi.json) với mã nguồn."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Ghi lại tài liệu từ mã nguồn")

    def handle(self, *args, write, **options):
        current = (
            json.dumps(
                api.get_openapi_schema(path_prefix="/api/v1"),
                ensure_ascii=False,
                indent=1,
                sort_keys=True,
            )
            + "\n"
        )
        if write:
            DOC.write_text(current, encoding="utf-8")
            self.stdout.write(f"Đã ghi {DOC}")
            return
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != current:
            raise CommandError(
                "Tài liệu OpenAPI đã lệch so với mã nguồn. Chạy "
                "`.venv/bin/python -m langnghe check_openapi --write` và commit."
            )
        self.stdout.write("OpenAPI: khớp.")
