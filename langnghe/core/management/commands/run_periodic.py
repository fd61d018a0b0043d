"""`langnghe run_periodic`: the clock of the platform. Runs each app's periodic jobs (outbox
retries, overdue escalation, scheduled posts, counter folds…) at their intervals. Started by
`langnghe serve`; in production run one or more beside the workers (jobs are idempotent).

Each job has its own thread (and so its own database connection): a long one — the daily
retention pass reads every closed case — never holds back the one-second fold of the survey
counters or the outbox retries. SIGTERM or Ctrl-C stops the clock once the jobs in hand end."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections

from langnghe.discovery import periodic_jobs

log = logging.getLogger("langnghe.periodic")


def run_job(name: str, func) -> None:
    """One run of one job; a failure is logged, never raised (the other jobs go on)."""
    close_old_connections()
    try:
        result = func()
        if result:  # routine work: visible with LOG_LEVEL=DEBUG
            log.debug("%s: %s", name, result)
    except Exception:
        log.exception("periodic job %s failed", name)


def job_loop(name: str, every: float, func, stopping: threading.Event) -> None:
    try:
        while not stopping.is_set():
            run_job(name, func)
            stopping.wait(every)
    finally:
        connections.close_all()  # this thread's own connection


class Command(BaseCommand):
    help = "Chạy các tác vụ định kỳ của các ứng dụng (gửi lại tin nhắn, báo quá hạn…)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Chạy mỗi tác vụ một lần rồi thoát")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="TÊN",
            help="Chỉ chạy tác vụ này (lặp lại được), ví dụ surveys.counters_fold",
        )

    def handle(self, *args, once, only, **options):
        jobs = periodic_jobs()
        if only:
            unknown = set(only) - {name for name, _every, _func in jobs}
            if unknown:
                raise CommandError(
                    f"Không có tác vụ định kỳ: {', '.join(sorted(unknown))}. "
                    f"Các tác vụ: {', '.join(name for name, _e, _f in jobs)}."
                )
            jobs = [job for job in jobs if job[0] in only]
        if once:
            for name, _every, func in jobs:
                run_job(name, func)
            return
        stopping = threading.Event()

        def stop(*_):
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        threads = [
            threading.Thread(
                target=job_loop, args=(name, every, func, stopping), name=name, daemon=True
            )
            for name, every, func in jobs
        ]
        for thread in threads:
            thread.start()
        while not stopping.wait(0.5):  # the main thread takes the signals
            pass
        for thread in threads:
            thread.join()
