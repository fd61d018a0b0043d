"""The clock: each periodic job in its own thread, so a slow one does not hold back the others."""

import threading
import time

import pytest

from langnghe.core.management.commands.run_periodic import job_loop, run_job


def test_a_slow_job_does_not_hold_back_a_fast_one():
    stopping = threading.Event()
    runs = {"fast": 0, "slow": 0}

    def slow():
        runs["slow"] += 1
        time.sleep(1.0)

    def fast():
        runs["fast"] += 1

    threads = [
        threading.Thread(target=job_loop, args=("slow", 60, slow, stopping)),
        threading.Thread(target=job_loop, args=("fast", 0.05, fast, stopping)),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the slow job is still in its first run
    stopping.set()
    for thread in threads:
        thread.join(timeout=5)
    assert runs["slow"] == 1
    assert runs["fast"] >= 3


@pytest.mark.django_db
def test_a_failing_job_is_logged_not_raised(caplog):
    def broken():
        raise RuntimeError("boom")

    run_job("broken", broken)
    assert "periodic job broken failed" in caplog.text


def test_only_an_unknown_job_is_refused():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Không có tác vụ định kỳ: nope"):
        call_command("run_periodic", "--once", "--only", "nope")
