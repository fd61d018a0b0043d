"""The "procedures" section on each unit's public page."""

from . import selectors


def section(request, unit) -> dict | None:
    kind = unit.kind.code
    context = {"template": "procedures/unit_section.html", "unit": unit, "kind": kind}
    if kind == "province":
        groups = selectors.procedures_by_level()
        return {**context, "groups": groups, "total": sum(len(g.procedures) for g in groups)}
    if kind in ("commune", "department"):
        procedures = list(selectors.procedures_for_unit(unit))
        if not procedures:
            return None
        return {**context, "procedures": procedures, "total": len(procedures)}
    if kind == "district":
        return {**context, "district": True}
    return None
