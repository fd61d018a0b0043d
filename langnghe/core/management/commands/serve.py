"""`langnghe serve`: the web processes and the background workers of one machine.

Two shapes (docs/deploy.md, measured in docs/benchmarks.md):

- ``--workers 1`` (the default, ``make run``): one uvicorn ASGI process serves pages, API and
  websockets at one address. Simple; enough for a province.
- ``--workers N`` (N ≥ 2, needs REDIS_URL): gunicorn runs N WSGI processes for plain HTTP on
  ``--port`` — Django's HTTP path costs about a third under WSGI of what it costs under ASGI
  on this stack (perf-notes, and our own healthz figures) —, sync workers (one request at a
  time each) by default. ``--worker-class gthread`` gives each process ``--threads`` request
  threads (default 32), and each
  connection is closed after its answer (``--keep-alive 0``), so every request goes to
  whichever process is free rather than to the one its client first reached (behind the
  proxy, which keeps the client's own connection alive); docs/benchmarks.md compares the
  two. One uvicorn process serves
  the websockets (``/ws/…``) on ``--ws-port`` (default port + 1). A reverse proxy (Caddy or
  nginx, which also ends HTTPS) puts both behind one address; docs/deploy.md has the snippet.
  ``--http asgi`` keeps all-ASGI uvicorn workers instead (no proxy rule needed).

Beside them: ``--task-workers`` × ``langnghe db_worker`` (jobs taken with SELECT … FOR UPDATE
SKIP LOCKED, so two workers never take the same one) and one ``run_periodic``. SIGTERM or
SIGINT stops every child (each finishes its current request or job) and then exits.

``serve`` is a small supervisor on purpose. To run the same processes under systemd or honcho
instead, ``--procfile`` prints them as a Procfile (one line per process, the options given
applied) and exits; docs/deploy.md has the systemd units built from it.
"""

import ipaddress
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT = 20  # seconds a child gets to finish before it is killed


def _python(*args: str) -> list[str]:
    return [sys.executable, "-m", "langnghe", *args]


# uvicorn believes X-Forwarded-For from 127.0.0.1 by default and rewrites the client's address
# with it — any value, from anyone on the same host or behind a local proxy. The address is
# read by one rule instead, through LANGNGHE_TRUSTED_PROXIES (langnghe/core/clientaddr.py);
# gunicorn never rewrites it.
NO_PROXY_HEADERS = ["--no-proxy-headers"]

THREADS = 32  # request threads per gthread process (docs/benchmarks.md compares the shapes)


def web_commands(
    *,
    host: str,
    port: int,
    workers: int,
    http: str,
    ws_port: int,
    worker_class: str = "sync",
    threads: int = THREADS,
) -> list[list[str]]:
    """The web process command lines of a shape (also used by the benchmarks)."""
    if http == "asgi" or workers == 1:
        return [
            [
                sys.executable,
                "-m",
                "uvicorn",
                "langnghe.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--lifespan",
                "off",
                *NO_PROXY_HEADERS,
                "--no-access-log",
                "--log-level",
                "warning",
            ]
        ]
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "langnghe.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--graceful-timeout",
        str(STOP_TIMEOUT - 5),
        "--timeout",
        "60",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        # Each thread keeps its own database connection (CONN_MAX_AGE): workers × threads of
        # them, under PostgreSQL's max_connections (docs/deploy.md).
        gunicorn += ["--threads", str(threads), "--keep-alive", "0"]
    websockets = [
        sys.executable,
        "-m",
        "uvicorn",
        "langnghe.asgi:application",
        "--host",
        host,
        "--port",
        str(ws_port),
        "--lifespan",
        "off",
        *NO_PROXY_HEADERS,
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return [gunicorn, websockets]


# Task workers run at a lower CPU priority than the web processes: under a burst (a flood of
# Zalo events, a QR campaign) the acknowledgements and pages stay fast, and the queued work is
# done in the lulls (the queue is in the database, nothing is lost while it waits).
WORKER_NICE = 10


def worker_commands(*, task_workers: int, periodic: bool) -> list[list[str]]:
    nice = ["nice", "-n", str(WORKER_NICE)] if shutil.which("nice") else []
    commands = [
        [*nice, *_python("db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.2")]
        for _ in range(task_workers)
    ]
    if periodic:
        commands.append(_python("run_periodic"))
    return commands


def procfile_text(commands: list[list[str]]) -> str:
    """The processes as Procfile lines: ``web``, ``websocket``, ``worker1``…, ``periodic``."""
    lines, workers = [], 0
    for command in commands:
        if "db_worker" in command:
            workers += 1
            name = f"worker{workers}"
        elif "run_periodic" in command:
            name = "periodic"
        elif "gunicorn" in command or not lines:
            name = "web"
        else:
            name = "websocket"
        lines.append(f"{name}: {shlex.join(command)}")
    return "\n".join(lines)


def stop_all(children: list[subprocess.Popen], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM every child, wait for them together, SIGKILL what is left."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# Keys that must be the same on every machine and survive a reinstall: generated into var/ they
# would differ per host (sessions, QR links and sealed data unreadable elsewhere) and be lost
# with the disk.
PRODUCTION_KEYS = ("SECRET_KEY", "LANGNGHE_DATA_KEYS")


def _loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_production(*, host: str) -> bool:
    """Behind HTTPS (an https LANGNGHE_PUBLIC_URL), or DEBUG off and reachable from another
    machine (serving on a non-loopback address, or a public address that is not loopback)."""
    public_host = urlsplit(settings.LANGNGHE_PUBLIC_URL).hostname or ""
    return settings.LANGNGHE_PUBLIC_URL.startswith("https://") or (
        not settings.DEBUG and not (_loopback(host) and _loopback(public_host))
    )


def require_keys_from_environment(*, host: str) -> None:
    """In production, refuse to start on keys generated into var/ (docs/deploy.md, Keys)."""
    missing = [name for name in PRODUCTION_KEYS if not os.environ.get(name, "").strip()]
    if missing and is_production(host=host):
        raise CommandError(
            f"Chạy thật (production) cần {' và '.join(missing)} trong biến môi trường, giống "
            "nhau trên mọi máy chủ; không dùng khóa tự sinh trong var/. Xem docs/deploy.md "
            "(Khóa). Chạy thử trên máy mình: --host 127.0.0.1 với LANGNGHE_PUBLIC_URL "
            "http://127.0.0.1:…, hoặc DEBUG=true."
        )


class Command(BaseCommand):
    help = "Chạy máy chủ web và các tiến trình xử lý tác vụ nền."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="Số tiến trình web (cần REDIS_URL nếu > 1)"
        )
        parser.add_argument(
            "--http",
            choices=["wsgi", "asgi"],
            default="wsgi",
            help="Với --workers > 1: wsgi = gunicorn cho HTTP + uvicorn cho websocket (mặc "
            "định, nhanh hơn); asgi = toàn bộ qua uvicorn",
        )
        parser.add_argument(
            "--ws-port",
            type=int,
            default=0,
            help="Cổng websocket khi --http wsgi (mặc định port+1)",
        )
        parser.add_argument(
            "--worker-class",
            choices=["sync", "gthread"],
            default="sync",
            help="Loại worker gunicorn (sync: một yêu cầu mỗi tiến trình; gthread: nhiều luồng)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=THREADS,
            help=f"Số luồng mỗi tiến trình web gthread (mặc định {THREADS})",
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=1,
            help="Số tiến trình xử lý tác vụ nền (0 = không chạy)",
        )
        parser.add_argument(
            "--no-periodic", action="store_true", help="Không chạy tác vụ định kỳ (run_periodic)"
        )
        parser.add_argument(
            "--procfile",
            action="store_true",
            help="Chỉ in các tiến trình dạng Procfile (cho honcho/systemd) rồi thoát",
        )

    def handle(self, *args, host, port, workers, http, ws_port, worker_class, threads,
               task_workers, no_periodic, procfile=False, **options):  # fmt: skip
        ws_port = ws_port or port + 1
        for value in (port, ws_port):
            if not 1 <= value <= 65535:
                raise CommandError("Cổng phải trong khoảng 1–65535.")
        if workers < 1 or task_workers < 0:
            raise CommandError("Số tiến trình không hợp lệ.")
        if threads < 1:
            raise CommandError("Số luồng (--threads) phải từ 1 trở lên.")
        require_keys_from_environment(host=host)
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError(
                "Chạy nhiều tiến trình web cần REDIS_URL để chia sẻ sự kiện "
                "trực tiếp giữa các tiến trình."
            )
        commands = web_commands(
            host=host,
            port=port,
            workers=workers,
            http=http,
            ws_port=ws_port,
            worker_class=worker_class,
            threads=threads,
        ) + worker_commands(task_workers=task_workers, periodic=not no_periodic)
        if procfile:
            self.stdout.write(procfile_text(commands))
            return
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        children = [subprocess.Popen(command, env=env) for command in commands]  # noqa: S603
        stopping = False

        def request_stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        server = "gunicorn WSGI" if workers > 1 and http == "wsgi" else "uvicorn ASGI"
        shape = f"{workers} tiến trình web {server}"
        self.stdout.write(
            f"Lắng Nghe đang chạy tại http://{host}:{port}/ ({shape}, "
            f"{task_workers} tiến trình tác vụ nền)"
        )
        if workers > 1 and http == "wsgi":
            self.stdout.write(
                f"Websocket tại http://{host}:{ws_port}/ws/ — đặt sau proxy (docs/deploy.md)."
            )
        try:
            while not stopping:
                if any(child.poll() is not None for child in children):
                    self.stderr.write("Một tiến trình con đã dừng; dừng tất cả.")
                    break
                time.sleep(0.5)
        finally:
            stop_all(children)
        if not stopping:
            raise CommandError("Một tiến trình con dừng bất thường.")
