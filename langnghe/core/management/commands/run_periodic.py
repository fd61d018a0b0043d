"""`langnghe run_periodic`: the clock of the platform. Runs each app's periodic jobs (outbox
retries, overdue escalation, scheduled posts, counter flushes…) at their intervals. Started by
`langnghe serve`; in production run one or more beside the workers (jobs are idempotent)."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from langnghe.discovery import periodic_jobs

log = logging.getLogger("langnghe.periodic")


class Command(BaseCommand):
    help = "Chạy các tác vụ định kỳ của các ứng dụng (gửi lại tin nhắn, báo quá hạn…)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Chạy mỗi tác vụ một lần rồi thoát")

    def handle(self, *args, once, **options):
        jobs = periodic_jobs()
        next_run = {name: 0.0 for name, _every, _func in jobs}
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            now = time.monotonic()
            for name, every, func in jobs:
                if now < next_run[name]:
                    continue
                close_old_connections()
                try:
                    result = func()
                    if result:  # routine work: visible with LOG_LEVEL=DEBUG
                        log.debug("%s: %s", name, result)
                except Exception:  # a failing job must not stop the others
                    log.exception("periodic job %s failed", name)
                next_run[name] = time.monotonic() + every
            if once:
                return
            time.sleep(0.5)
