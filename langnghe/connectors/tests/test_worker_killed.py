"""Fault: the worker sending the outbox is killed in the middle of a send.

Zalo's /message/cs has no idempotency key, so delivery is at least once: a worker killed after
Zalo took the message but before it recorded the answer leaves the row claimed; once the lease
(the backoff) runs out, the next worker sends it again. The test proves the two promises: the
message is never lost, and it goes out at most twice (one duplicate, only in this window).
A worker killed before Zalo took the message sends it exactly once.

Real processes on a file database: `langnghe outbox_run` is killed with SIGKILL.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from langnghe.connectors.simulator import ZaloSimulator

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[3]
APP_ID, SECRET = "2718281828", "oa-secret-for-the-fault-test"

SETUP = """
from langnghe.units.networks import load_demo_network
from langnghe.units.models import Unit
from langnghe.accounts.services import staff_create
from langnghe.connectors.services import zalo_connect
from langnghe.inbox import services as inbox
load_demo_network()
unit = Unit.objects.get(code="BG-X07201")
unit.office_hours = "trực ban 24/7"
unit.save(update_fields=["office_hours"])
zalo_connect(unit=unit, app_id="{app}", oa_id="oa-fault", secret_key="{secret}",
             access_token="at-fault", refresh_token="rt-fault", api_base="{sim}")
officer = staff_create(username="tb.fault", password="mat-khau-123", unit=unit,
                       role="duty_officer")
message = inbox.message_receive(unit=unit, channel="zalo", external_id="zu-fault",
                                text="Xin chào trực ban")
inbox.message_reply(conversation=message.conversation, by=officer, text="Chào bạn, đã nhận.")
"""

STATUS = """
from langnghe.connectors.models import OutboundMessage
row = OutboundMessage.objects.get()
print(row.status, row.attempts)
"""


@pytest.fixture
def world(tmp_path):
    sim = ZaloSimulator(
        app_id=APP_ID, secret_key=SECRET, access_token="at-fault", refresh_token="rt-fault"
    ).start()
    sim.user("zu-fault")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LANGNGHE_VAR_DIR": str(tmp_path / "var"),
        "LANGNGHE_OUTBOX_BACKOFF_BASE": "1",
        "LANGNGHE_ZALO_SANDBOX": "1",  # the simulator stands in for Zalo
        "DJANGO_SETTINGS_MODULE": "langnghe.settings.base",
    }
    env.pop("TEST_DATABASE_URL", None)

    def manage(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "-m", "langnghe", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            **kwargs,
        )

    assert manage("migrate", "-v0").returncode == 0
    made = manage("shell", "-v", "0", "-c", SETUP.format(app=APP_ID, secret=SECRET, sim=sim.url))
    assert made.returncode == 0, made.stderr
    yield sim, env, manage
    sim.release.set()
    sim.stop()


def _status(manage) -> str:
    return manage("shell", "-v", "0", "-c", STATUS).stdout.strip()


def _worker(env):
    return subprocess.Popen(
        [sys.executable, "-m", "langnghe", "outbox_run", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_killed_after_zalo_took_it_is_resent_once(world):
    sim, env, manage = world
    sim.stall_after_record.set()  # Zalo records the message, then the answer is held back
    worker = _worker(env)
    try:
        assert _wait(lambda: len(sim.sent) == 1), "the worker never sent"
        worker.send_signal(signal.SIGKILL)  # dies waiting for Zalo's answer
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert _status(manage).split() == ["pending", "1"]
    sim.stall_after_record.clear()
    sim.release.set()
    time.sleep(1.2)  # the lease of the dead worker's claim runs out
    again = manage("outbox_run", "--once")
    assert again.returncode == 0, again.stderr
    assert _status(manage).split() == ["sent", "2"]
    texts = [s["text"] for s in sim.sent]
    assert texts == ["Chào bạn, đã nhận."] * 2  # at least once: one duplicate, never lost


def test_killed_before_zalo_took_it_is_sent_exactly_once(world):
    sim, env, manage = world
    sim.fail_queue.append(-32)  # first try: Zalo busy → the row backs off (nothing recorded)
    worker = _worker(env)
    try:
        assert _wait(lambda: _status(manage) == "pending 1")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert sim.sent == []
    time.sleep(2.5)
    assert manage("outbox_run", "--once").returncode == 0
    assert _status(manage).split()[0] == "sent"
    assert [s["text"] for s in sim.sent] == ["Chào bạn, đã nhận."]
