"""`langnghe serve`: bad numbers are refused in Vietnamese before anything starts; the web
command lines of each shape."""

import pytest
from django.core.management import CommandError, call_command

from langnghe.core.management.commands.serve import THREADS, web_commands


@pytest.mark.parametrize(
    "args, message",
    [
        (["--workers", "0"], "Số tiến trình không hợp lệ."),
        (["--task-workers", "-1"], "Số tiến trình không hợp lệ."),
        (["--workers", "2", "--threads", "0"], "Số luồng (--threads) phải từ 1 trở lên."),
        (["--port", "70000"], "Cổng phải trong khoảng 1–65535."),
    ],
)
def test_bad_numbers_are_refused_before_anything_starts(args, message, monkeypatch):
    import subprocess

    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("started a process"))
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("serve", *args)


def test_each_shape_runs_what_it_says():
    shape = {"host": "127.0.0.1", "port": 8000, "workers": 2, "http": "wsgi", "ws_port": 8001}
    sync, websockets = web_commands(**shape)
    assert sync[sync.index("--worker-class") + 1] == "sync" and "--threads" not in sync
    assert "uvicorn" in websockets and "8001" in websockets
    gthread, _ = web_commands(**shape, worker_class="gthread", threads=8)
    assert gthread[gthread.index("--threads") + 1] == "8"
    assert gthread[gthread.index("--keep-alive") + 1] == "0"
    default_threads, _ = web_commands(**shape, worker_class="gthread")
    assert default_threads[default_threads.index("--threads") + 1] == str(THREADS)
    [alone] = web_commands(**{**shape, "workers": 1})  # one uvicorn process for everything
    assert "uvicorn" in alone and "gunicorn" not in alone


def test_procfile_prints_the_processes_and_starts_nothing(monkeypatch, settings, capsys):
    import shlex
    import subprocess

    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.LANGNGHE_PUBLIC_URL = "http://127.0.0.1:8000"
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("started a process"))
    call_command("serve", "--workers", "2", "--task-workers", "2", "--procfile")
    lines = capsys.readouterr().out.strip().splitlines()
    names = [line.split(":", 1)[0] for line in lines]
    assert names == ["web", "websocket", "worker1", "worker2", "periodic"]
    web = shlex.split(lines[0].split(": ", 1)[1])
    assert "gunicorn" in web and web[web.index("--workers") + 1] == "2"
    assert "db_worker" in lines[2] and "run_periodic" in lines[4]
