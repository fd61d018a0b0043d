"""Dependencies point one way: ``core`` imports Django, libraries and itself, never an app.

Every module of ``langnghe/core`` is parsed (its tests excluded: they drive the whole site
through the apps, as tests must). Forbidden: every package of ``langnghe`` other than
``core`` — the domain apps of ``settings.LANGNGHE_APPS``, ``security``, ``demo`` — whether
imported (at module level or in a function) or named in a dotted string (``mock.patch``,
``import_string``). The project's wiring modules (``langnghe.discovery``, ``langnghe.api``)
are allowed: they find the apps by name in settings, so core never names one.
"""

import ast
import re
from pathlib import Path

import langnghe

PACKAGE = Path(langnghe.__file__).parent
CORE = PACKAGE / "core"
ALLOWED_PACKAGES = {"core", "settings", "locale"}
FORBIDDEN = sorted(
    p.name
    for p in PACKAGE.iterdir()
    if (p / "__init__.py").exists() and p.name not in ALLOWED_PACKAGES
)
DOTTED = re.compile(rf"^langnghe\.({'|'.join(FORBIDDEN)})(\.|$)")


def _core_modules():
    for path in sorted(CORE.rglob("*.py")):
        if "tests" not in path.relative_to(CORE).parts:
            yield path


def _forbidden_names(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if DOTTED.match(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if DOTTED.match(node.module):
                found.append((node.lineno, node.module))
            elif node.module == "langnghe":
                found += [
                    (node.lineno, f"langnghe.{a.name}")
                    for a in node.names
                    if DOTTED.match(f"langnghe.{a.name}")
                ]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # A dotted path to an app's module (import_string, mock.patch); a logger's name
            # such as "langnghe.security" is a name, not a path, and stays allowed.
            if DOTTED.match(node.value) and node.value.count(".") >= 2:
                found.append((node.lineno, node.value))
    return found


def test_the_forbidden_list_holds_the_domain_apps():
    for app in ("units", "accounts", "cases", "inbox", "surveys", "insights", "security"):
        assert app in FORBIDDEN


def test_core_imports_no_app():
    offences = []
    modules = list(_core_modules())
    assert len(modules) > 20  # the walk found core
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offences += [
            f"{path.relative_to(PACKAGE.parent)}:{line} {name}"
            for line, name in _forbidden_names(tree)
        ]
    assert offences == [], "core must not import an app:\n" + "\n".join(offences)


def test_the_check_catches_an_import():
    tree = ast.parse(
        "def f():\n    from langnghe.cases.models import Case\n"
        "import langnghe.units.models\nfrom langnghe import inbox\n"
        "P = 'langnghe.connectors.services.outbound_enqueue'\n"
    )
    assert sorted(name for _line, name in _forbidden_names(tree)) == [
        "langnghe.cases.models",
        "langnghe.connectors.services.outbound_enqueue",
        "langnghe.inbox",
        "langnghe.units.models",
    ]
