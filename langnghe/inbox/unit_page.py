"""The duty desk's section on each unit's public page: a chat box (web chat)."""


def section(request, unit) -> dict | None:
    return {"template": "inbox/unit_section.html", "chat_unit": unit}
