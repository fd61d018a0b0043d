"""A section on each unit's public page: send a tip or feedback to this unit."""


def section(request, unit) -> dict | None:
    if not unit.is_active:
        return None
    return {"template": "cases/unit_section.html", "unit": unit}
