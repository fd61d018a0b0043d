"""The hash chain over audit entries: each row's hash covers its content and the previous hash."""

import hashlib
import json
from datetime import UTC

from django.db import connection

from .models import AuditEntry

# Any constant: the key of the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK_KEY = 0x4C4E4155  # "LNAU"


def entry_hash(entry: AuditEntry) -> str:
    content = [
        entry.prev_hash,
        # Milliseconds: what JSON fixtures (backups) keep of a timestamp.
        entry.at.astimezone(UTC).isoformat(timespec="milliseconds"),
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.unit_id,
        entry.data,
    ]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_chain() -> None:
    """Serialise appends until the surrounding transaction ends. SQLite needs nothing: its
    write transactions (BEGIN IMMEDIATE) are already one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def last_hash() -> str:
    return AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or ""


def verify_chain() -> tuple[int, str | None]:
    """Walk the trail in order. Returns (rows checked, None) when intact, or the description of
    the first row that was changed, or of the gap where rows were removed."""
    previous = ""
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            return checked, (
                f"mục {entry.id}: mục đứng trước đã bị xóa hoặc sửa (chuỗi băm bị đứt)"
            )
        if entry_hash(entry) != entry.hash:
            return checked, f"mục {entry.id}: nội dung đã bị sửa"
        previous = entry.hash
        checked += 1
    return checked, None
