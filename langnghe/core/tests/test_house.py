"""Issue #28's rules that no other test holds: modules a person can hold in mind, and no load
generator or benchmark in the shipped package (they live in ``bench/``, installed only with
``LANGNGHE_DEVTOOLS``)."""

from pathlib import Path

from django.conf import settings

import langnghe

PACKAGE = Path(langnghe.__file__).parent
MAX_LINES = 600  # ../shared/STYLE.md rule 14: past ~500 lines a module becomes a package


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path


def test_no_module_of_the_package_is_over_600_lines():
    long = [
        f"{path.relative_to(PACKAGE.parent)}: {lines} lines"
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "split these by entity (a package re-exporting its names):\n" + "\n".join(long)


def test_no_load_generator_or_benchmark_ships_in_the_package():
    names = {path.stem for path in _modules()} | {path.parent.name for path in _modules()}
    assert not names & {"loadgen", "gen_load", "bench", "benchmark"}, names & {"loadgen", "bench"}
    commands = {p.stem for p in PACKAGE.glob("*/management/commands/*.py")}
    assert not {c for c in commands if c.startswith(("bench", "gen_load"))}, commands
    assert "bench" not in settings.LANGNGHE_APPS  # bench is a dev-only app, not a domain app
