"""Imports of the project's own code inside functions: a ceiling that only comes down.

An import inside a function hides a dependency (and often a cycle between two apps) from the
reader and from tools. Counted here: every ``import langnghe…`` / ``from langnghe… import``
and every relative import (``from .x import``) nested in a function or method, in every
module of ``langnghe`` except tests and migrations.

Figures: 173 on main before issue #28's layering work (114 of them absolute), 91 after the
first pass (48 absolute), 1 after the second (tasks through ``core.jobs``, channels and unit
handovers through ``discovery``); the issue's target was at most 25. The one left is Django's
pattern for signal receivers (``inbox/apps.py`` ``ready()``: the receivers reach the models,
which cannot be imported before the app registry is ready). ``CEILING`` only comes down.
"""

import ast
from pathlib import Path

import langnghe

PACKAGE = Path(langnghe.__file__).parent
CEILING = 1
TARGET = 25  # issue #28, "Done when"


class _Nested(ast.NodeVisitor):
    def __init__(self):
        self.depth = 0
        self.found: list[int] = []

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node):
        if self.depth and any(a.name.split(".")[0] == "langnghe" for a in node.names):
            self.found.append(node.lineno)

    def visit_ImportFrom(self, node):
        own = node.level > 0 or (node.module or "").split(".")[0] == "langnghe"
        if self.depth and own:
            self.found.append(node.lineno)


def function_level_imports(source: str) -> list[int]:
    visitor = _Nested()
    visitor.visit(ast.parse(source))
    return visitor.found


def test_function_level_imports_stay_under_the_ceiling():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        found += [
            f"{path.relative_to(PACKAGE.parent)}:{line}"
            for line in function_level_imports(path.read_text(encoding="utf-8"))
        ]
    assert len(found) <= CEILING, (
        f"{len(found)} function-level imports of langnghe (ceiling {CEILING}, target {TARGET}):\n"
        + "\n".join(found)
    )


def test_the_count_sees_nested_imports_only():
    source = (
        "from langnghe.core.text import fold\n"
        "import os\n"
        "def f():\n"
        "    from langnghe.cases.models import Case\n"
        "    from . import rules\n"
        "    import json\n"
        "    def g():\n"
        "        import langnghe.units\n"
        "class C:\n"
        "    def m(self):\n"
        "        from .models import X\n"
    )
    assert function_level_imports(source) == [4, 5, 8, 11]
