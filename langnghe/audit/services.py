"""The one call every service makes to record a write."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction

from langnghe.core.sql import insert_many

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
    entry = AuditEntry(
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        unit=unit,
        data=data or {},
    )
    batch = getattr(_batch, "entries", None)
    if batch is not None:
        batch.append(entry)  # chained and stored when the batch ends (audit_batch)
        return entry
    with transaction.atomic():
        lock_chain()
        entry.prev_hash = last_hash()
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
    return entry


_batch = threading.local()


@contextmanager
def audit_batch() -> Iterator[list[AuditEntry]]:
    """Entries recorded inside the block are chained and stored together when it ends, in the
    caller's transaction (call it inside ``transaction.atomic``): the chain's lock is taken once,
    at the end, instead of at each entry and held to the commit. A worker handling a batch of
    events so holds it for one insert, and two workers run side by side instead of in turn.

    Yields the pending list: a caller that rolls back part of its work (a savepoint) cuts the
    entries recorded since (``del entries[mark:]``). Nested, the outer batch stores them all.
    An exception discards the pending entries with the transaction it rolls back."""
    if getattr(_batch, "entries", None) is not None:
        yield _batch.entries
        return
    entries: list[AuditEntry] = []
    _batch.entries = entries
    try:
        yield entries
    finally:
        _batch.entries = None
    if entries:
        _append(entries)


def _append(entries: list[AuditEntry]) -> None:
    with transaction.atomic():
        lock_chain()
        previous = last_hash()
        for entry in entries:
            entry.prev_hash = previous
            entry.hash = previous = entry_hash(entry)
        insert_many(entries)
