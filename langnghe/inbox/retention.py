"""Retention of duty-desk conversations: a citizen's chat is not kept for ever.

A conversation with no activity (messages, notes, resolution) for
``LANGNGHE_CONVERSATION_RETENTION_DAYS`` (default 365) loses what identifies the citizen and
what they wrote: its messages and notes are deleted, the sealed name and phone emptied, and the
channel's id for the citizen (Zalo user id, web chat id) replaced by ``purged-<id>``, so a new
message from them opens a new conversation. The row stays with what the statistics need: unit,
channel, dates, assignee, first response and resolution times.

A conversation with activity inside the period is never purged, whatever its status; nor is
one whose case is still open (the case's status changes are told to the citizen through it).
A conversation purged while "open" or "waiting" is set to "resolved" so it leaves the queues;
its ``resolved_at`` is left as it was, so the resolution statistics do not count it.

Basis: Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 and NĐ 356/2025/NĐ-CP — personal data are kept
only as long as the purpose of processing needs. Neither text sets a number of days for a
police duty desk's chats: the default is [U], to be fixed by each deployment's data-protection
officer.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.cases.models import CLOSED_STATUSES, Case
from langnghe.triage.services import (
    triage_corrections_forget,
    triage_corrections_forget_orphans,
)

from .models import Conversation, ConversationStatus, Message, Note

log = logging.getLogger("langnghe.inbox.retention")

# [U] No text fixes the period (Luật 91/2025/QH15, NĐ 356/2025/NĐ-CP: "as long as the purpose
# needs"); a year after the last activity covers a citizen's follow-up questions.
CONVERSATION_RETENTION_DAYS = 365
BATCH = 500


def retention_days() -> int:
    return int(
        getattr(settings, "LANGNGHE_CONVERSATION_RETENTION_DAYS", CONVERSATION_RETENTION_DAYS)
    )


def _due(cutoff: dt.datetime):
    """Not yet purged conversations whose last activity is before ``cutoff``."""

    recent_note = Note.objects.filter(conversation=OuterRef("pk"), created_at__gte=cutoff)
    open_cases = Case.objects.exclude(status__in=CLOSED_STATUSES).values("pk")
    return (
        Conversation.objects.filter(purged_at__isnull=True, created_at__lt=cutoff)
        .filter(Q(last_message_at__isnull=True) | Q(last_message_at__lt=cutoff))
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__lt=cutoff))
        .exclude(Exists(recent_note))
        .exclude(case_id__in=open_cases)
    )


def conversations_purge(*, now: dt.datetime | None = None) -> int:
    """Purge the conversations past their period, in batches of ``BATCH`` (each its own
    transaction, audited). Returns how many were purged. Idempotent, and safe in two processes at
    once: each batch locks its rows and skips those another holds (SKIP LOCKED)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                _due(cutoff)
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", flat=True)[:BATCH]
            )
            if not ids:
                break
            # An officer's correction keeps a copy of a message's text: it goes with it.
            triage_corrections_forget(
                source_type=Message._meta.label_lower,
                source_ids=Message.objects.filter(conversation_id__in=ids).values_list(
                    "id", flat=True
                ),
            )
            Message.objects.filter(conversation_id__in=ids).delete()
            Note.objects.filter(conversation_id__in=ids).delete()
            rows = Conversation.objects.filter(pk__in=ids)
            rows.exclude(status=ConversationStatus.RESOLVED).update(
                status=ConversationStatus.RESOLVED
            )
            rows.update(
                identity_sealed="",
                has_identity=False,
                external_id=Concat(Value("purged-"), Cast("id", output_field=CharField())),
                unread_count=0,
                purged_at=now,
            )
            audit_record(actor=None, action="conversation.purge", data={"conversations": len(ids)})
        total += len(ids)
    if total:
        log.info("retention: purged %d conversations", total)
    return total


def retention_job() -> dict:
    # Corrections of messages deleted by any other path (a conversation deleted by hand) lose
    # their text within a day too.
    return {
        "purged": conversations_purge(),
        "corrections_forgotten": triage_corrections_forget_orphans(),
    }
