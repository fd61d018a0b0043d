"""The duty desk's section on each unit's public page: a chat box (web chat)."""

from .webchat import idle_seconds


def section(request, unit) -> dict | None:
    return {
        "template": "inbox/unit_section.html",
        "chat_unit": unit,
        "idle_days": idle_seconds() // 86400,
    }
