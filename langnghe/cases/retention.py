"""Retention of cases: what was sent to the police is not kept for ever.

A closed case (resolved, declined, merged) keeps its sealed content — description, reporter's
identity, location, address, message bodies, reveal reasons — and its files for
``Category.retention_days`` after its last activity (the latest of its closing and its last
timeline entry). ``RETENTION_WARN_DAYS`` before that, the handler is warned once (a timeline
entry and a live alert to the unit's consoles). On the day, the sealed fields and files are
deleted and the deletion is audited; what statistics need stays: category, unit, channel,
dates, status, deadlines and the timeline's kinds and times.

Open cases are never deleted by this job: an open case is work not done, and shows up in the
overdue lists instead. Basis: NĐ 13/2023/NĐ-CP Điều 3 (personal data kept only as long as the
purpose needs); the periods per category are in policies.py, marked [U] where no text fixes
them.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.inbox import live

from .models import (
    CLOSED_STATUSES,
    Case,
    CaseAttachment,
    CaseEntry,
    EntryKind,
    IdentityRevealRequest,
)

log = logging.getLogger("langnghe.cases.retention")

RETENTION_WARN_DAYS = 30


def warn_days() -> int:
    return int(getattr(settings, "LANGNGHE_RETENTION_WARN_DAYS", RETENTION_WARN_DAYS))


@dataclass
class RetentionReport:
    warned: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    files_deleted: int = 0


def _candidates():
    """Closed, not yet purged cases with their last activity (retention entries excluded, so
    the warning itself does not push the date back)."""
    return (
        Case.objects.filter(status__in=CLOSED_STATUSES, purged_at__isnull=True)
        .select_related("category", "unit")
        .annotate(last_entry_at=Max("entries__at", filter=~Q(entries__kind=EntryKind.RETENTION)))
        .order_by("id")
    )


def last_activity(case: Case) -> dt.datetime:
    moments = [m for m in (case.closed_at, getattr(case, "last_entry_at", None)) if m]
    return max(moments) if moments else case.received_at


def expires_at(case: Case) -> dt.datetime:
    return last_activity(case) + dt.timedelta(days=case.category.retention_days)


def case_retention_warn(*, case: Case, purge_on: dt.datetime) -> None:
    """Tell the handler (timeline entry, live alert) that the content will be deleted."""

    with transaction.atomic():
        CaseEntry.objects.create(
            case=case,
            kind=EntryKind.RETENTION,
            data={"event": "warning", "purge_on": purge_on.date().isoformat()},
        )
        # update(), not save(): the warning must not count as activity (updated_at).
        Case.objects.filter(pk=case.pk).update(retention_warned_at=timezone.now())
        audit_record(
            actor=None,
            action="case.retention_warn",
            target=case,
            unit=case.unit,
            data={"purge_on": purge_on.date().isoformat()},
        )
        transaction.on_commit(
            lambda: live.publish(
                case.unit,
                {
                    "kind": "retention_warning",
                    "case_id": case.pk,
                    "tracking_code": case.tracking_code,
                    "purge_on": purge_on.date().isoformat(),
                },
            )
        )


def case_retention_purge(*, case: Case, now: dt.datetime | None = None) -> int:
    """Delete the sealed content and files of a closed case; returns the files deleted."""

    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("unit").get(pk=case.pk)
        if case.purged_at is not None or case.status not in CLOSED_STATUSES:
            return 0
        stored = list(
            CaseAttachment.objects.filter(case=case).values_list("storage_name", "thumbnail_name")
        )
        names = [name for pair in stored for name in pair if name]  # a file and its thumbnail
        CaseAttachment.objects.filter(case=case).delete()
        CaseEntry.objects.filter(case=case).update(body_sealed="")
        IdentityRevealRequest.objects.filter(case=case).update(reason="")
        Case.objects.filter(pk=case.pk).update(
            description_sealed="",
            reporter_sealed="",
            location_sealed="",
            address_sealed="",
            has_reporter_identity=False,
            has_location=False,
            receipt_index="",
            receipt_hash="",
            channel_ref="",
            status_note="",
            public_summary="",
            decline_guidance="",
            purged_at=now,
        )
        CaseEntry.objects.create(case=case, kind=EntryKind.RETENTION, data={"event": "purged"})
        audit_record(
            actor=None,
            action="case.retention_purge",
            target=case,
            unit=case.unit,
            data={"files": len(stored)},
        )

        def delete_files():
            for name in names:
                try:
                    default_storage.delete(name)
                except OSError:  # gone already; the sealed blob is useless without its row
                    log.warning("retention: could not delete %s", name)

        transaction.on_commit(delete_files)
    return len(stored)


def retention_run(*, now: dt.datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Warn and purge what is due. Idempotent; safe to run daily (and twice at once: the purge
    locks the row and re-checks)."""
    now = now or timezone.now()
    report = RetentionReport()
    warn_before = dt.timedelta(days=warn_days())
    for case in _candidates().iterator(chunk_size=500):
        due = expires_at(case)
        if due <= now:
            report.purged.append(case.tracking_code)
            if not dry_run:
                report.files_deleted += case_retention_purge(case=case, now=now)
        elif due - warn_before <= now and case.retention_warned_at is None:
            report.warned.append(case.tracking_code)
            if not dry_run:
                case_retention_warn(case=case, purge_on=due)
    return report


def retention_job() -> dict:
    report = retention_run()
    return {"warned": len(report.warned), "purged": len(report.purged)}
