"""Views parse a POST with a form (issue #28): no module reads ``request.POST[...]`` or
``request.POST.get(...)`` / ``.getlist(...)`` by hand, outside the allow-list below.

A form (each app's ``forms.py``) says in one place what a page accepts — required, lengths,
integers, choices, dates — and turns bad input into a Vietnamese message instead of a 500.
Passing ``request.POST`` whole to a form (or to a template, to show what was typed) is fine.
"""

import ast
from pathlib import Path

import langnghe

PACKAGE = Path(langnghe.__file__).parent
ALLOWED = {
    # Not a view: the edge that refuses a NUL or a broken character in any field, before
    # any form runs.
    "core/middleware.py",
}
READS = {"get", "getlist", "dict", "items", "keys", "values", "lists"}


def _is_request_post(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "POST"
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    )


def _hand_reads(tree) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_request_post(node.value):
            found.append(node.lineno)
        elif (
            isinstance(node, ast.Attribute) and node.attr in READS and _is_request_post(node.value)
        ):
            found.append(node.lineno)
    return sorted(found)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in f"/{relative}":
            continue
        yield relative, path


def test_no_view_reads_request_post_by_hand():
    offenders = []
    for relative, path in _modules():
        if relative in ALLOWED:
            continue
        for line in _hand_reads(ast.parse(path.read_text(), filename=str(path))):
            offenders.append(f"langnghe/{relative}:{line}")
    assert not offenders, "Parse these with a form (forms.py):\n" + "\n".join(offenders)


def test_the_scan_finds_a_hand_read():
    code = "def v(request):\n    a = request.POST.get('x')\n    b = request.POST['y']\n"
    assert _hand_reads(ast.parse(code)) == [2, 3]
    assert _hand_reads(ast.parse("def v(request):\n    F(request.POST)\n")) == []


def test_the_allow_list_names_modules_that_exist():
    for relative in ALLOWED:
        assert (PACKAGE / relative).exists(), relative


def test_a_form_address_opened_directly_says_what_it_is(client, make_staff):
    from conftest import THO_XUONG

    client.force_login(make_staff(THO_XUONG, "supervisor"))
    page = client.get("/staff/cases/bulk-assign/", HTTP_ACCEPT="text/html")
    assert page.status_code == 405 and "POST" in page["Allow"]
    assert "Trang này chỉ nhận dữ liệu từ biểu mẫu" in page.content.decode()
    bare = client.get("/staff/cases/bulk-assign/", HTTP_ACCEPT="application/json")
    assert bare.status_code == 405 and not bare.content
