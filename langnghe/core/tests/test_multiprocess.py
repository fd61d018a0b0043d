# ruff: noqa: S603, S607 — the test starts the project's own processes
"""The production shape, for real (issue 10): two web processes (gunicorn, WSGI) and two task
workers (`langnghe db_worker`) on one PostgreSQL database (and Redis when it answers at
127.0.0.1:6379). Survey responses and signed Zalo events go through both web processes over
real HTTP — some sent twice, to the other process — and every one must be stored exactly once
and counted exactly once (the clock's fold and the checks' reads fold side by side); every
webhook event must be handled once (one inbox message per Zalo message id) although two
workers poll the same queue.

PostgreSQL only (skipped on SQLite): the test makes its own database `langnghe_mp_test` on the
server of the test settings, migrates it with `langnghe migrate`, and drops it at the end.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib import error, request

import pytest
from django.conf import settings
from django.db import connection

from langnghe.connectors import zalo
from langnghe.connectors.simulator import ZaloSimulator

pytestmark = [pytest.mark.multiprocess]

ROOT = Path(__file__).resolve().parents[3]
DB_NAME = "langnghe_mp_test"
APP_ID, SECRET, OA_ID = "mp-app", "mp-secret-key", "mp-oa"
N_RESPONSES, N_EVENTS, REPEATS = 120, 200, 30  # responses stay under the per-address limit


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_url() -> str:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
    except OSError:
        return ""
    return "redis://127.0.0.1:6379/9"


def _admin_conninfo(dbname: str) -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "dbname": dbname,
    }


def _admin(sql: str) -> None:
    import psycopg

    info = _admin_conninfo("postgres")
    with psycopg.connect(**{k: v for k, v in info.items() if v is not None}, autocommit=True) as c:
        c.execute(sql)


def _url(info: dict) -> str:
    auth = info["user"] + (f":{info['password']}" if info["password"] else "")
    return f"postgres://{auth}@{info['host']}:{info['port']}/{info['dbname']}"


def _run(env, *args, timeout=120) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "langnghe", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


SETUP = """
import json
from langnghe.units.networks import current_provinces, import_province_network
from langnghe.units.models import Unit
from langnghe.surveys.services import builtin_templates_ensure
from langnghe.surveys.selectors import template_effective
from langnghe.surveys.models import QuestionType
from langnghe.connectors.services import zalo_connect
root, _ = import_province_network(province_name=current_provinces()[0]["name"])
builtin_templates_ensure()
communes = list(Unit.objects.filter(kind__code="commune", path__startswith=root.path)
                .order_by("id")[:4])
answers = {}
for q in template_effective(communes[0]).questions.all():
    if q.type in (QuestionType.SCALE, QuestionType.SINGLE):
        answers[q.key] = q.choice_values()[-1]
    elif q.required:
        answers[q.key] = "Tốt"
desk = communes[0]
desk.office_hours = "trực ban 24/7"
desk.save(update_fields=["office_hours"])
zalo_connect(unit=desk, app_id=%(app)r, oa_id=%(oa)r, secret_key=%(secret)r,
             access_token="at", refresh_token="rt", api_base=%(api)r)
print(json.dumps({"units": [u.code for u in communes], "answers": answers, "desk": desk.code}))
"""

CHECK = """
import json
from django.db.models import Count, Sum
from langnghe.surveys.models import SurveyResponse, DailyCount
from langnghe.surveys.services import counters_settle
from langnghe.connectors.models import WebhookEvent
from langnghe.inbox.models import Message
ids = list(SurveyResponse.objects.values_list("client_id", flat=True))
counters_settle()  # what a read of the results does first
per_msg = (Message.objects.filter(direction="in").values("external_id")
           .annotate(n=Count("id")).filter(n__gt=1).count())
print(json.dumps({
    "client_ids": [str(i) for i in ids],
    "counted": DailyCount.objects.filter(metric="responses").aggregate(n=Sum("count"))["n"],
    "events": WebhookEvent.objects.count(),
    "event_keys": WebhookEvent.objects.values("event_key").distinct().count(),
    "pending": WebhookEvent.objects.filter(status="received").count(),
    "statuses": dict(WebhookEvent.objects.values_list("status").annotate(n=Count("id"))),
    "messages_in": Message.objects.filter(direction="in").count(),
    "duplicated_messages": per_msg,
}))
"""


def _post(url: str, body: bytes, headers: dict) -> int:
    req = request.Request(url, data=body, headers=headers, method="POST")
    for attempt in range(3):
        try:
            with request.urlopen(req, timeout=20) as r:  # noqa: S310 — loopback
                return r.status
        except error.HTTPError as exc:
            return exc.code
        except (error.URLError, ConnectionError):
            if attempt == 2:
                raise
            time.sleep(0.5)
    return 0


@pytest.fixture
def stack():
    """Database, two web processes, two task workers; yields their ports and the fixtures."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with TEST_DATABASE_URL)")
    if not _can_run_gunicorn():
        pytest.skip("gunicorn not installed")
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")
    sim = ZaloSimulator(app_id=APP_ID, secret_key=SECRET, access_token="at", oa_id=OA_ID).start()
    var = tempfile.mkdtemp(prefix="langnghe-mp-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "langnghe.settings.base",
        "DATABASE_URL": _url(_admin_conninfo(DB_NAME)),
        "LANGNGHE_VAR_DIR": var,  # one secret key and one data key for every process
        "LANGNGHE_ZALO_SANDBOX": "1",  # the simulator stands in for Zalo
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": _redis_url(),
    }
    env.pop("TEST_DATABASE_URL", None)
    procs: list[subprocess.Popen] = []
    try:
        _run(env, "migrate", "--noinput", "-v0", timeout=180)
        fx = json.loads(
            _run(env, "shell", "-c", SETUP % {"app": APP_ID, "oa": OA_ID, "secret": SECRET,
                                             "api": sim.url}).strip().splitlines()[-1]
        )  # fmt: skip
        ports = [_free_port(), _free_port()]
        for port in ports:
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "langnghe.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--threads",
                        "4",
                        "--worker-class",
                        "gthread",
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    cwd=ROOT,
                    start_new_session=True,
                )  # fmt: skip
            )
        quiet = {"env": env, "cwd": ROOT, "start_new_session": True}
        quiet |= {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        for _ in range(2):
            worker = ["db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.1"]
            procs.append(subprocess.Popen([sys.executable, "-m", "langnghe", *worker], **quiet))
        # The clock's fold of the survey counters runs beside them, as `langnghe serve` runs
        # it, while each check below folds too (a read folds first): the two take turns.
        clock = ["run_periodic", "--only", "surveys.counters_fold"]
        procs.append(subprocess.Popen([sys.executable, "-m", "langnghe", *clock], **quiet))
        for port in ports:
            _wait_http(port)
        yield {"ports": ports, "env": env, **fx}
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        sim.stop()
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _can_run_gunicorn() -> bool:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def _wait_http(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except (error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"web process on {port} did not answer")


def test_two_web_processes_two_workers_store_everything_once(stack):
    a, b = (f"http://127.0.0.1:{p}" for p in stack["ports"])
    units, answers = stack["units"], stack["answers"]
    json_headers = {"Content-Type": "application/json"}

    # Survey responses: each has its own client_id; REPEATS of them are sent again, to the
    # other process (a phone retrying after a lost answer, landing on another web process).
    client_ids = [str(uuid.uuid4()) for _ in range(N_RESPONSES)]
    sends = [((a, b)[i % 2], cid, units[i % len(units)]) for i, cid in enumerate(client_ids)]
    sends += [((b, a)[i % 2], client_ids[i], units[i % len(units)]) for i in range(REPEATS)]

    def send_response(item):
        base, cid, unit = item
        body = json.dumps({"unit": unit, "client_id": cid, "answers": answers}).encode()
        return _post(base + "/api/v1/surveys/responses", body, json_headers)

    # Zalo events, signed like Zalo does; REPEATS redelivered to the other process.
    now_ms = str(int(time.time() * 1000))
    events = []
    for i in range(N_EVENTS):
        body = json.dumps(
            {
                "app_id": APP_ID,
                "event_name": "user_send_text",
                "timestamp": now_ms,
                "sender": {"id": f"citizen-{i % 25}"},
                "recipient": {"id": OA_ID},
                "message": {"msg_id": f"mp-{i}", "text": f"Cho hỏi thủ tục tạm trú {i}"},
            }
        ).encode()
        sig = {"X-ZEvent-Signature": "mac=" + zalo.mac(APP_ID, body, now_ms, SECRET)}
        events.append((body, {**json_headers, **sig}))
    hook = f"/webhooks/zalo/{stack['desk']}/"
    deliveries = [((a, b)[i % 2], e) for i, e in enumerate(events)]
    deliveries += [((b, a)[i % 2], events[i]) for i in range(REPEATS)]

    def deliver(item):
        base, (body, headers) = item
        return _post(base + hook, body, headers)

    with ThreadPoolExecutor(max_workers=16) as pool:
        survey_status = list(pool.map(send_response, sends))
        hook_status = list(pool.map(deliver, deliveries))
    assert all(s in (200, 201) for s in survey_status), sorted(set(survey_status))
    assert survey_status[:N_RESPONSES].count(201) == N_RESPONSES
    assert all(s == 200 for s in hook_status), sorted(set(hook_status))

    # The two workers drain the queue.
    deadline = time.monotonic() + 40
    while True:
        state = json.loads(_run(stack["env"], "shell", "-c", CHECK).strip().splitlines()[-1])
        if state["pending"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)

    stored = state["client_ids"]
    assert len(stored) == len(set(stored)) == N_RESPONSES
    assert set(stored) == set(client_ids)
    assert state["counted"] == N_RESPONSES  # the counters moved once per response
    assert state["events"] == state["event_keys"] == N_EVENTS
    assert state["pending"] == 0, state["statuses"]
    assert state["statuses"] == {"processed": N_EVENTS}, state["statuses"]
    assert state["messages_in"] == N_EVENTS and state["duplicated_messages"] == 0
