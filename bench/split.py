# ruff: noqa: S603 — the tool starts its own server and wrk
"""Where the machine's CPU goes per request under load: the web processes, PostgreSQL, the clock
(the survey counters' fold), and the rest (wrk, interrupts, processes that ended), for
``GET /healthz`` and the survey POST (and the Zalo webhook with ``--webhook``), each under wrk
on the server `make bench` runs (gunicorn, sync workers). `bench/cpu.py` says what one request
costs alone; this says what it costs among the others, on the same two cores.

    .venv/bin/python bench/split.py [--workers 4] [--duration 8] [--rounds 2] [--webhook]

Run after a `make bench` (it uses its database and the fixtures bench/prepare.py wrote under
var/bench; before each webhook run it has bench/prepare.py write fresh signed events) and with
nothing else loading the machine. Each line: the rate, then the CPU of the
whole machine per request (/proc/stat: busy time, all cores) and its parts (/proc/<pid>/stat
of each process, by kind). Processes are told apart by their command line: gunicorn is the
web, `postgres` PostgreSQL (every backend and its background processes), run_periodic the
clock. Exits non-zero if the server does not start or a run has errors.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run as bench  # noqa: E402 — the same server command, wrk wrapper and database

HZ = os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, tuple[str, int]]:
    """pid → (kind, CPU ticks so far) of every process there is."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (_kind(name, command), int(fields[11]) + int(fields[12]))
    return found


def _kind(name: str, command: str) -> str:
    if "gunicorn" in command:
        return "web"
    if name.startswith("postgres") or command.startswith("postgres"):
        return "pg"
    if "run_periodic" in command:
        return "clock"
    return "rest"


def machine_busy() -> int:
    """Ticks of all cores not idle nor waiting on I/O."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]


def measure(label, path, script, env, duration) -> dict:
    before, busy_before = processes(), machine_busy()
    result = bench.wrk(
        path, conns=64 if script != "webhook.lua" else 32, duration=duration, script=script, env=env
    )
    after, busy_after = processes(), machine_busy()
    parts = {"web": 0, "pg": 0, "clock": 0}
    for pid, (kind, ticks) in after.items():
        if kind in parts:
            parts[kind] += ticks - before.get(pid, (kind, 0))[1]
    requests = result["rate"] * duration
    if result["errors"] or not requests:
        raise SystemExit(f"{label}: {result['errors']} errors, {requests:.0f} requests")

    def per(ticks: int) -> float:
        return ticks / HZ * 1000 / requests

    busy = busy_after - busy_before
    rest = busy - sum(parts.values())
    line = {"rate": result["rate"], "machine": per(busy), **{k: per(v) for k, v in parts.items()}}
    line["rest"] = per(rest)
    print(
        f"{label:8s} {result['rate']:7,.0f}/s  ms of CPU per request: machine {line['machine']:.3f}"
        f" = web {line['web']:.3f} + PostgreSQL {line['pg']:.3f} + clock {line['clock']:.3f}"
        f" + rest (wrk, interrupts, ended) {line['rest']:.3f}",
        flush=True,
    )
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=bench.SYNC_WORKERS)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--webhook", action="store_true")
    args = parser.parse_args()
    work = ROOT / "var" / "bench"
    fixtures = work / "fixtures.json"
    if not fixtures.exists():
        raise SystemExit("no var/bench/fixtures.json: run `make bench` first")
    fx = json.loads(fixtures.read_text())
    env = {
        **bench.base_env(work),
        "DATABASE_URL": bench.PG_URL
        if bench.pg_reachable()
        else f"sqlite:///{work / 'bench.sqlite3'}",
        "BENCH_ANSWERS": json.dumps(fx["answers"], ensure_ascii=False),
        "BENCH_WEBHOOK_PATH": fx["webhook_path"],
        "BENCH_THREADS": "2",
    }
    if url := bench.redis_url():
        env["REDIS_URL"] = url
    clock = bench.start_quiet(
        [bench.PY, "-m", "langnghe", "run_periodic", "--only", "surveys.counters_fold"], env
    )
    command = bench.web_commands(
        host="127.0.0.1",
        port=bench.PORT,
        workers=args.workers,
        http="wsgi",
        ws_port=bench.WS_PORT,
    )[0]
    web = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        bench.wait_port(bench.PORT)
        time.sleep(1)
        bench.wrk("/", conns=64, duration=2, script="survey.lua", env=env)  # snapshots loaded
        runs = [("healthz", "/healthz", None), ("survey", "/", "survey.lua")]
        if args.webhook:
            runs.append(("webhook", "/", "webhook.lua"))
        for _ in range(args.rounds):
            for label, path, script in runs:
                if script == "webhook.lua":
                    # Fresh signed events (and the stored ones set aside): events sent before
                    # would be redeliveries, a different path (found, not stored).
                    fresh = [bench.PY, "bench/prepare.py", str(work), "40000"]
                    if subprocess.run(fresh, env=env, cwd=ROOT, capture_output=True).returncode:
                        raise SystemExit("bench/prepare.py failed")
                measure(label, path, script, env, args.duration)
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        os.killpg(clock.pid, signal.SIGTERM)
        web.wait(timeout=30)


if __name__ == "__main__":
    main()
