"""Retention of stored webhook events: their sealed bodies hold citizens' messages and ids.

An event is stored before it is acknowledged and processed once; after that the conversation
holds what the desk needs, and the raw event only serves to look into a fault. So an event
whose processing ended (processed, ignored or failed) more than
``LANGNGHE_WEBHOOK_EVENT_RETENTION_DAYS`` (default 30) ago is deleted. An event not yet
processed (status "received") is never deleted, however old: the sweep still owes it.

Basis: Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 and NĐ 356/2025/NĐ-CP — personal data are kept
only as long as the purpose needs; the number of days is [U].
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record

from .models import WebhookEvent

log = logging.getLogger("langnghe.connectors.retention")

# [U] No text fixes it; a month leaves time to look into a failed event.
WEBHOOK_EVENT_RETENTION_DAYS = 30
BATCH = 500


def retention_days() -> int:
    return int(
        getattr(settings, "LANGNGHE_WEBHOOK_EVENT_RETENTION_DAYS", WEBHOOK_EVENT_RETENTION_DAYS)
    )


def webhook_events_purge(*, now: dt.datetime | None = None) -> int:
    """Delete processed events past their period, in batches of ``BATCH``; returns how many.
    Idempotent and safe in two processes at once (deleting a deleted row does nothing)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    due = WebhookEvent.objects.exclude(status=WebhookEvent.Status.RECEIVED).filter(
        processed_at__isnull=False, processed_at__lt=cutoff
    )
    total = 0
    while True:
        ids = list(due.order_by("id").values_list("id", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            # Re-checked in the DELETE: an event is never removed unless it is still done.
            deleted, _ = due.filter(pk__in=ids).delete()
            if deleted:
                audit_record(actor=None, action="webhook_event.purge", data={"events": deleted})
        total += deleted
    if total:
        log.info("retention: deleted %d webhook events", total)
    return total


def retention_job() -> dict:
    return {"deleted": webhook_events_purge()}
