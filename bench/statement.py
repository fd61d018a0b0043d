"""The statement that stores one survey response, run by pgbench against the bench database
with no web process in the way: its rate, and the machine's CPU per statement (/proc/stat, so
the kernel's share of each commit's flush counts too).

    PYTHONPATH=. DJANGO_SETTINGS_MODULE=bench.settings \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/langnghe_bench \
        .venv/bin/python bench/statement.py [clients=4] [seconds=10]

The statement's text is the service's own (``surveys.services._checked_sql`` over
``_recent_counts_sql``, the checks gating the INSERT of the response and its pending row, one
commit); only its values are pgbench's: a random client_id and unit per statement, and the
unit's burst count looks back 5 seconds, not 5 minutes, so that a run does not count the rows of
the one before it (a few rows per unit, as in a `make bench` campaign). The rows it stores wait
in surveys_pendingcount for the next fold, and count in the unit burst checks of the next 5
minutes: leave that long before a `make bench`, or its survey rows may be flagged.

``PGOPTIONS="-c synchronous_commit=off"`` in the environment shows what the commit's flush
costs.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from langnghe.surveys import services  # noqa: E402
from langnghe.surveys.models import SurveyResponse, SurveyTemplate  # noqa: E402
from langnghe.units.models import Unit  # noqa: E402


def script() -> str:
    """The pgbench script: the service's statement, each of its values a pgbench expression
    (in parentheses: the statement casts some of them)."""
    now = timezone.now()
    counts_sql, count_params = services._recent_counts_sql(
        client_uuid=uuid.uuid4(), unit_id=1, ip_hash="bench", device_hash="", now=now
    )
    client = "md5(:r::text || :client_id::text)::uuid"
    window = services.WINDOW.total_seconds()
    checks = [  # _recent_counts_sql's parameters, in its order
        client,
        "''",
        f"now() - interval '{window} seconds'",
        str(count_params[3]),
        "'bench'",
        f"now() - interval '{window} seconds'",
        str(count_params[6]),
        ":unit",
        "now() - interval '5 seconds'",
        str(count_params[9]),
    ]
    template = SurveyTemplate.objects.filter(is_current=True).order_by("pk").first()
    columns = {
        "client_id": client,
        "unit_id": ":unit",
        "template_id": str(template.pk),
        "answers": '\'{"overall": "1", "staff": "1"}\'',
        "comment": "''",
        "dossier_code": "''",
        "lowest_score": "1",
        "source": "'api'",
        "submitted_at": "now()",
        "day": f"(now() AT TIME ZONE '{settings.TIME_ZONE}')::date",
        "ip_hash": "'bench'",
        "device_hash": "''",
        "is_flagged": "false",
        "flag_reason": "''",
    }
    values = [
        *checks,
        *(columns[f.attname] for f in services._response_fields()),
        *map(str, services._quiet_below()),
    ]
    parts = services._checked_sql(counts_sql).split("%s")
    assert len(parts) == len(values) + 1, "the statement's parameters changed: update this list"
    statement = "".join(f"{p}({v})" for p, v in zip(parts, values, strict=False)) + parts[-1]
    units = Unit.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    return (
        f"\\set unit random({units.first()}, {units.last()})\n"
        "\\set r random(1, 2000000000)\n"
        f"{statement};\n"
    )


def busy_ticks() -> int:
    """The machine's busy CPU time so far, in clock ticks (every process, the kernel's too)."""
    fields = open("/proc/stat").readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return user + nice + system + irq + softirq


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    if not shutil.which("pgbench"):
        raise SystemExit("pgbench is missing: apt-get install postgresql-client")
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    started = timezone.now()
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
        file.write(script())
        file.flush()
        command = ["pgbench", url, "-n", "-M", "prepared", "-c", str(clients), "-j", "1"]
        before = busy_ticks()
        run = subprocess.run(  # noqa: S603 (ours)
            [*command, "-T", str(seconds), "-f", file.name], capture_output=True, text=True, env=env
        )
        after = busy_ticks()
    done = re.search(r"actually processed: (\d+)", run.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", run.stdout)
    if run.returncode or not done or (failed and int(failed.group(1))):
        raise SystemExit(f"pgbench failed:\n{run.stdout}\n{run.stderr}")
    count = int(done.group(1))
    stored = SurveyResponse.objects.filter(ip_hash="bench", submitted_at__gte=started).count()
    if stored < count * 0.99:  # the checks refused them: that would time another statement
        raise SystemExit(f"only {stored:,} of {count:,} statements stored their response")
    ms = (after - before) * 1000 / os.sysconf("SC_CLK_TCK") / count
    print(
        f"statement: {clients} clients, {count / seconds:,.0f}/s, machine CPU {ms:.3f} ms "
        f"per statement (pgbench included)"
    )


if __name__ == "__main__":
    main()
