"""Installs come from requirements.lock (`make install`): it must pin every dependency that
pyproject.toml declares, within the declared bounds. Fails when a dependency was added or its
bounds changed without `make lock`."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
LOCK = ROOT / "requirements.lock"

pytestmark = pytest.mark.skipif(not LOCK.exists(), reason="an installed package, not a checkout")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(line) for line in lines]


def _pinned() -> dict[str, Version]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;]+)", line):
            pins[_name(match[1])] = Version(match[3])
    return pins


def test_the_lock_pins_every_declared_dependency_within_its_bounds():
    pinned = _pinned()
    assert len(pinned) > 50
    missing = [str(r) for r in _declared() if _name(r.name) not in pinned]
    outside = [
        f"{r} (lock: {pinned[_name(r.name)]})"
        for r in _declared()
        if _name(r.name) in pinned and not r.specifier.contains(pinned[_name(r.name)], True)
    ]
    assert missing == [] and outside == [], f"run `make lock`: missing {missing}, {outside}"
