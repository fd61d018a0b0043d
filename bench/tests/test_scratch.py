"""The development tools refuse a database with real data (issue 24, point 10).

`gen_load` drops indexes and turns off foreign-key triggers; `bench_insights` and
`bench_surveys` delete the live counters. On the demo database of `make run` (or any database
with staff, units, cases…) each exits with an error and changes nothing — every table's rows,
every index and constraint, the session's settings; with the scratch marker `gen_load` left on a
database it found empty, or with --i-know-this-is-a-scratch-database, they run."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from bench import loadgen
from bench.scratch import (
    FLAG,
    REAL_DATA,
    scratch_database_require,
    scratch_marked,
    scratch_marker_write,
)
from langnghe.surveys.models import DailyCount, SurveyResponse
from langnghe.units.models import Unit

ROOT = Path(__file__).resolve().parent.parent.parent
SMALL = {
    "gen_load": ["--network", "existing", "--responses", "60", "--cases", "5", "--messages", "10"],
    "bench_insights": [
        "--units", "230", "--days", "2", "--responses", "200", "--cases", "20",
        "--naive-cases", "0", "--repeat", "1",
    ],
    "bench_surveys": ["--responses", "200", "--days", "2", "--repeat", "1"],
}  # fmt: skip


def _state() -> dict:
    """Every model's row count, every table's indexes and constraints, the session's role."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        indexes = {t: sorted(connection.introspection.get_constraints(cursor, t)) for t in tables}
        role = None
        if connection.vendor == "postgresql":
            cursor.execute("SHOW session_replication_role")
            role = cursor.fetchone()[0]
    return {"counts": counts, "indexes": indexes, "role": role}


def _run(command: str, *extra: str) -> str:
    out = io.StringIO()
    call_command(command, *SMALL[command], *extra, stdout=out)
    return out.getvalue()


def _empty_database() -> None:
    """What a fresh `migrate` leaves (in the test's transaction, rolled back after it)."""
    for label, _word in reversed(REAL_DATA):
        if label == "units.Unit":  # children first: a unit's parent is protected
            for depth in sorted(set(Unit.objects.values_list("depth", flat=True)), reverse=True):
                Unit.objects.filter(depth=depth).delete()
        else:
            apps.get_model(label)._default_manager.all().delete()


@pytest.mark.django_db
@pytest.mark.parametrize("command", list(SMALL))
def test_the_demo_database_is_refused_and_nothing_changes(command, make_staff):
    call_command("load_demo", stdout=io.StringIO())  # what `make run` loads: units, staff…
    make_staff("BG-X07201", "duty_officer")
    before = _state()
    with pytest.raises(CommandError) as refused:
        _run(command)
    assert FLAG in str(refused.value) and "tài khoản" in str(refused.value)
    assert _state() == before
    assert not scratch_marked()


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["bench_insights", "bench_surveys"])
def test_declared_scratch_database_is_measured_and_rolled_back(command, make_staff):
    make_staff("BG-X07201", "duty_officer")
    counters = sorted(DailyCount.objects.values_list("unit_id", "day", "metric", "count"))
    output = _run(command, FLAG)
    assert " ms" in output  # the timings were measured
    assert sorted(DailyCount.objects.values_list("unit_id", "day", "metric", "count")) == counters
    assert not scratch_marked()  # the flag holds for one run: nothing remembers it


@pytest.mark.django_db
def test_a_marked_database_needs_no_flag(make_staff):
    make_staff("BG-X07201", "duty_officer")
    scratch_marker_write()
    before = SurveyResponse.objects.count()
    _run("gen_load")
    assert SurveyResponse.objects.count() == before + 60


@pytest.mark.django_db
def test_an_empty_database_becomes_the_load_generators_own(make_staff, monkeypatch):
    """Found empty, gen_load leaves the marker: the benchmark's second run finds its own
    database again, though the benchmark added staff accounts to it in between."""
    _empty_database()
    assert scratch_database_require("gen_load", declared=False) == "empty"
    # The national network (3,400 units) stands in as the demo network: the same import path.
    from langnghe.units.networks import load_demo_network

    def network_ensure(out=None) -> int:
        load_demo_network()
        return Unit.objects.count()

    monkeypatch.setattr(loadgen, "national_network_ensure", network_ensure)
    call_command("gen_load", "--network", "national", "--responses", "30", stdout=io.StringIO())
    assert scratch_marked() and SurveyResponse.objects.count() == 30
    make_staff("BG-X07201", "duty_officer")
    _run("gen_load")
    assert SurveyResponse.objects.count() == 90


@pytest.mark.django_db
def test_a_database_with_units_only_is_not_empty():
    """A province's imported network, before any account exists, is real data too."""
    _empty_database()
    Unit.objects.create(code="X1", name="Công an xã thử", slug="x1", kind_id=_kind())
    with pytest.raises(CommandError):
        scratch_database_require("gen_load", declared=False)


def _kind() -> int:
    from langnghe.units.models import UnitKind

    return UnitKind.objects.get(code="commune").pk


def _commands(**env: str) -> str:
    """`langnghe help --commands` under the production settings and ``env``."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("LANGNGHE_", "DJANGO_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="langnghe.settings.base",
        LANGNGHE_VAR_DIR=os.environ.get("LANGNGHE_VAR_DIR", "/tmp/langnghe-test-var"),
        SECRET_KEY="x" * 50,
        **env,
    )
    r = subprocess.run(
        [sys.executable, "-m", "langnghe", "help", "--commands"],
        env=environment, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return r.stdout


def test_the_tools_are_not_installed_in_production():
    shipped = _commands().split()
    assert not {"gen_load", "bench_insights", "bench_surveys"} & set(shipped)
    assert "migrate" in shipped
    assert {"gen_load", "bench_insights", "bench_surveys"} <= set(
        _commands(LANGNGHE_DEVTOOLS="1").split()
    )
