"""`langnghe serve`: the web server (ASGI: pages, API, websockets) and the task worker together.

One command for the embedded default. In production run more web processes (with REDIS_URL so
they share live events) and more `langnghe db_worker` processes; workers take jobs with
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so they never take the same one.
"""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Chạy máy chủ web và tiến trình xử lý tác vụ nền cùng lúc."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="Số tiến trình web (cần REDIS_URL nếu > 1)"
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=1,
            help="Số tiến trình xử lý tác vụ nền (0 = không chạy)",
        )

    def handle(self, *args, host, port, workers, task_workers, no_periodic, **options):
        import uvicorn

        if not 1 <= port <= 65535:
            raise CommandError("Cổng phải trong khoảng 1–65535.")
        if workers < 1 or task_workers < 0:
            raise CommandError("Số tiến trình không hợp lệ.")
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError(
                "Chạy nhiều tiến trình web cần REDIS_URL để chia sẻ sự kiện "
                "trực tiếp giữa các tiến trình."
            )
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "langnghe",
                    "db_worker",
                    "--queue-name",
                    "*",
                    "--no-reload",
                    "--interval",
                    "0.5",
                ]
            )
            for _ in range(task_workers)
        ]
        if not no_periodic:
            children.append(subprocess.Popen([sys.executable, "-m", "langnghe", "run_periodic"]))

        def stop_children(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, lambda *a: (stop_children(), sys.exit(0)))
        self.stdout.write(
            f"Lắng Nghe đang chạy tại http://{host}:{port}/ "
            f"({workers} tiến trình web, {task_workers} tiến trình tác vụ nền)"
        )
        try:
            uvicorn.run(
                "langnghe.asgi:application",
                host=host,
                port=port,
                workers=workers,
                lifespan="off",
                log_level="info",
                proxy_headers=False,
            )
        finally:
            stop_children()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
