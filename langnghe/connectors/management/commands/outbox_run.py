"""`langnghe outbox_run [--once]`: send due outbox messages (retries with backoff)."""

import time

from django.core.management.base import BaseCommand

from langnghe.connectors.services import outbox_run


class Command(BaseCommand):
    help = "Gửi các tin nhắn đang chờ trong hộp thư đi (Zalo OA)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="chạy một lượt rồi thoát")
        parser.add_argument("--interval", type=float, default=5.0, help="giây giữa các lượt")

    def handle(self, *args, once, interval, **options):
        while True:
            counts = outbox_run()
            if counts or once:
                summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "không có"
                self.stdout.write(f"Hộp thư đi: {summary}")
            if once:
                return
            time.sleep(max(interval, 0.5))
