"""CPU per request, split between this process and its PostgreSQL backend: what `make bench`'s
ratios come from, one path at a time, without HTTP or a load tool in the way.

    PYTHONPATH=. DJANGO_SETTINGS_MODULE=bench.settings REDIS_URL=redis://127.0.0.1:6379/0 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/langnghe_bench \
        .venv/bin/python bench/cpu.py healthz|survey|page|fold|webhook|drain|send|read [N] [--profile]

``healthz``, ``survey`` and ``page`` (an anonymous commune page) call the WSGI application (the
whole middleware stack) N times after a warm-up; ``BENCH_WITHOUT`` (bench/settings.py) turns a
speed mechanism off to measure what it buys; ``fold`` stores N survey responses, then times the fold that adds them to the
counters (the clock's work per response, off the request); ``webhook`` acknowledges N signed
Zalo events (stored, not processed); ``drain`` stores N and then times the drain that
processes them; ``send`` makes N waiting automatic answers due again (those the drains left:
run ``drain`` first) and times one batch sending them (the bench's Zalo is unreachable, so
every send fails and is queued for a retry); ``read`` times what a drain makes of N fresh
messages' texts without the database (the triage, and the procedure answer of a question;
``--cold`` empties the per-word memos before each). The fixtures are the ones
bench/prepare.py wrote under var/bench (BENCH_DIR) in the last `make bench`; ``webhook``,
``drain`` and ``read`` first have it write fresh signed events (``--keep-queue``), so they store new events rather than meet
redeliveries of events already stored. ``--profile`` prints where the time goes (cProfile on
CPU time).
"""

import cProfile
import io
import json
import os
import pstats
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402

from langnghe.connectors.models import OutboundMessage  # noqa: E402
from langnghe.connectors.services import outbound_send_many, webhook_events_drain  # noqa: E402
from langnghe.procedures.selectors import procedure_answer  # noqa: E402
from langnghe.surveys.models import QuestionType  # noqa: E402
from langnghe.surveys.selectors import template_effective  # noqa: E402
from langnghe.surveys.services import counters_fold  # noqa: E402
from langnghe.triage.selectors import triage_text  # noqa: E402
from langnghe.units.models import Unit  # noqa: E402

WORK = Path(os.environ.get("BENCH_DIR", Path(__file__).resolve().parent.parent / "var" / "bench"))
app = WSGIHandler()


def call(method: str, path: str, body: bytes = b"", **headers) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        **{f"HTTP_{k.upper()}": v for k, v in headers.items()},
    }
    status = []
    content = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    return status[0], content


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (0 on SQLite)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def survey_caller():
    communes = list(
        Unit.objects.filter(kind__code="commune", is_active=True).values_list("code", flat=True)
    )
    template = template_effective(Unit.objects.get(code=communes[0]))
    answers = {
        q.key: q.choice_values()[-1]
        for q in template.questions.all()
        if q.type in (QuestionType.SCALE, QuestionType.SINGLE)
    }

    def survey():
        body = {"unit": random.choice(communes), "client_id": str(uuid.uuid4()), "answers": answers}
        status, content = call("POST", "/api/v1/surveys/responses", json.dumps(body).encode())
        assert status.startswith("201"), (status, content)

    return survey


def page_caller():
    """An anonymous GET of a commune's page (the page cache answers it unless turned off)."""
    commune = Unit.objects.filter(kind__code="commune", is_active=True).order_by("code").first()
    path = commune.get_absolute_url()

    def page():
        status, content = call("GET", path)
        assert status.startswith("200"), (status, content[:200])

    return page


def healthz():
    status, content = call("GET", "/healthz")
    assert status.startswith("200"), (status, content)


def measure(label: str, run, n: int, profile: bool) -> None:
    profiler = cProfile.Profile(time.process_time) if profile else None
    pg0, cpu0, wall0 = backend_cpu(), time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    done = run()
    if profiler:
        profiler.disable()
    pg1, cpu1, wall1 = backend_cpu(), time.process_time(), time.perf_counter()
    done = done or n
    print(
        f"{label}: {done} — per one: this process {1000 * (cpu1 - cpu0) / done:.2f} ms CPU, "
        f"PostgreSQL backend {1000 * (pg1 - pg0) / done:.2f} ms CPU, "
        f"wall {1000 * (wall1 - wall0) / done:.2f} ms"
    )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(
            os.environ.get("SORT", "cumulative")
        ).print_stats(int(os.environ.get("TOP", "50")))
        print(out.getvalue())


def fresh_events(n: int) -> None:
    """New signed events in events.txt (bench/prepare.py, leaving what is stored alone)."""
    prepare = Path(__file__).resolve().parent / "prepare.py"
    count = str(max(40_000, n + 200))
    command = [sys.executable, str(prepare), str(WORK), count, "--keep-queue"]
    if subprocess.run(command, stdout=subprocess.DEVNULL).returncode:  # noqa: S603 (ours)
        raise SystemExit("bench/prepare.py failed")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    what, n = args[0], int(args[1]) if len(args) > 1 else 2000
    profile = "--profile" in sys.argv
    if what in ("webhook", "drain"):
        fresh_events(n)
    if what in ("healthz", "survey", "page"):
        one = {"healthz": healthz, "survey": survey_caller, "page": page_caller}[what]
        one = one() if what != "healthz" else one
        for _ in range(200):  # warm-up: imports, the survey snapshot, prepared statements
            one()
        measure(what, lambda: [one() for _ in range(n)] and None, n, profile)
    elif what == "fold":
        counters_fold()  # what an earlier run left
        one = survey_caller()
        for _ in range(n):
            one()
        measure("fold", counters_fold, n, profile)
    elif what == "webhook":
        lines = (WORK / "events.txt").read_text().splitlines()
        path = json.loads((WORK / "fixtures.json").read_text())["webhook_path"]
        sent = iter(lines)

        def webhook():
            signature, body = next(sent).split("\t", 1)
            status, content = call(
                "POST", path, body.encode(), x_zevent_signature=f"mac={signature}"
            )
            assert status.startswith("200"), (status, content)

        for _ in range(200):
            webhook()
        measure("webhook", lambda: [webhook() for _ in range(n)] and None, n, profile)
    elif what == "drain":
        lines = (WORK / "events.txt").read_text().splitlines()[:n]
        path = json.loads((WORK / "fixtures.json").read_text())["webhook_path"]
        for line in lines:
            signature, body = line.split("\t", 1)
            status, content = call(
                "POST", path, body.encode(), x_zevent_signature=f"mac={signature}"
            )
            assert status.startswith("200"), (status, content)
        triage_text("Cho hỏi thủ tục")  # models and the search index loaded, as in a worker
        procedure_answer("Cho hỏi thủ tục đăng ký tạm trú")

        def drain_all() -> int:
            done = taken = webhook_events_drain(linger=0)
            while taken:  # a drain hands over after 10 s; go on until nothing is left
                taken = webhook_events_drain(linger=0)
                done += taken
            return done

        measure("drain", drain_all, n, profile)
    elif what == "read":
        # What a drain's worker makes of each citizen's message, without the database: the
        # triage and, for a question, the procedure answer — on the bench's fresh texts, so
        # nothing is answered from the per-text memo. ``--cold`` empties the per-word memos of
        # the search index and the triage model before each message (as without them).
        from langnghe.procedures.selectors import search_index
        from langnghe.triage.classifier import get_model

        fresh_events(n)
        texts = [
            json.loads(line.split("\t", 1)[1])["message"]["text"]
            for line in (WORK / "events.txt").read_text().splitlines()[:n]
        ]
        triage_text("Cho hỏi thủ tục")  # models and the search index loaded, as in a worker
        procedure_answer("Cho hỏi thủ tục đăng ký tạm trú")
        index, model, cold = search_index(), get_model(), "--cold" in sys.argv

        def read_all() -> None:
            for text in texts:
                if cold:
                    index._word_memo.clear()
                    model._word_memo.clear()
                if triage_text(text).category == "procedure_question":
                    procedure_answer(text)

        measure("read" + (" (cold)" if cold else ""), read_all, len(texts), profile)
    elif what == "send":
        from django.utils import timezone

        waiting = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING)
        ids = list(waiting.order_by("id").values_list("pk", flat=True)[:n])
        if not ids:
            raise SystemExit("no waiting answer to send: run `bench/cpu.py drain` first")
        OutboundMessage.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
        measure("send", lambda: sum(outbound_send_many(outbound_ids=ids).values()), n, profile)
    else:
        raise SystemExit(
            "usage: bench/cpu.py healthz|survey|page|fold|webhook|drain|send|read [N] [--profile]"
            " [--cold]"
        )


if __name__ == "__main__":
    main()
