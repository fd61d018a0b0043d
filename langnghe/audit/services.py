"""The one call every service makes to record a write."""

from typing import Any

from django.db import models, transaction

from .chain import entry_hash, last_hash, lock_chain
from .models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    unit=None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the service's transaction so both commit together.

    ``actor`` is a user or None for the system (commands, tasks, citizens on public forms).
    ``data`` holds facts about the change and must not carry citizens' personal data.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        lock_chain()
        entry = AuditEntry(
            actor=actor if is_user else None,
            actor_label=actor.get_username() if is_user else "system",
            action=action,
            target_type=target_type,
            target_id=target_id,
            unit=unit,
            data=data or {},
            prev_hash=last_hash(),
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
    return entry
