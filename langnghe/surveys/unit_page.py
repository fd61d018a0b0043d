"""A section on each unit's public page: rate this unit's service."""

from .security import form_path


def section(request, unit) -> dict | None:
    if not unit.is_active:
        return None
    return {
        "template": "surveys/unit_section.html",
        "survey_path": form_path(unit.code),
        "qr_path": f"/api/v1/surveys/qr/{unit.code}.svg",
    }
