"""Rebuild the triage model from the data files and officers' corrections (reproducible)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from langnghe.triage import classifier
from langnghe.triage.selectors import correction_training_rows


class Command(BaseCommand):
    help = "Huấn luyện lại bộ phân loại tin nhắn (dữ liệu trong langnghe/triage/data + sửa nhãn)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-corrections",
            action="store_true",
            help="chỉ dùng các tệp dữ liệu, bỏ qua nhãn cán bộ đã sửa",
        )

    def handle(self, *args, no_corrections: bool = False, **options):
        corrections: list[dict] = []
        if not no_corrections:
            try:
                corrections = correction_training_rows()
            except DatabaseError as exc:
                # A database that was never migrated holds no corrections.
                self.stderr.write(f"Bỏ qua nhãn đã sửa: không đọc được cơ sở dữ liệu ({exc}).")
        started = time.perf_counter()
        try:
            rows = classifier.training_rows(corrections)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Dữ liệu huấn luyện lỗi: {exc}") from exc
        bundle = classifier.train(rows)
        classifier.save(bundle)
        classifier.reset_model()
        meta = bundle["meta"]
        size = classifier.MODEL_FILE.stat().st_size / 1024
        self.stdout.write(
            f"trained on {meta['messages']} messages ({len(corrections)} corrections), "
            f"data {meta['data']}, scikit-learn {meta['sklearn']}, "
            f"{time.perf_counter() - started:.1f} s → {classifier.MODEL_FILE} ({size:.0f} KiB)"
        )
