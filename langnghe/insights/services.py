"""Writes of the insights app: report requests and their progress. (The aggregates are
written by ``materialize.py``, the periodic job, not by people.)"""

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core import jobs
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from .models import Report, ReportSequence, ReportStatus
from .selectors import Period

FORMATS = ("pdf", "xlsx")


def report_request(*, user, unit: Unit, period: Period, report_format: str) -> Report:
    """Queue a report of ``unit``'s subtree over ``period`` (the caller has checked scope)."""
    if report_format not in FORMATS:
        raise ApplicationError(
            "Định dạng báo cáo phải là pdf hoặc xlsx.", code="bad_format", field="format"
        )
    with transaction.atomic():
        number = report_number_next(unit=unit) if report_format == "pdf" else None
        report = Report.objects.create(
            requested_by=user,
            unit=unit,
            format=report_format,
            start=period.start,
            end=period.end,
            number=number,
        )
        audit_record(
            actor=user,
            action="insights_report.request",
            target=report,
            unit=unit,
            data={
                "format": report_format,
                "from": str(period.start),
                "to": str(period.end),
                "number": number,
            },
        )
        jobs.enqueue("insights.report_generate", str(report.pk), on_commit=True)
    return report


def report_number_next(*, unit: Unit) -> int:
    """The unit's next report number this year (01 on 1 January; NĐ 30/2020/NĐ-CP Điều 15
    khoản 1). Call inside the caller's transaction: the sequence row stays locked until it
    commits, so concurrent requests get consecutive numbers (a first request of the year
    creates the row; a concurrent creation is caught by the unique constraint and retried by
    get_or_create)."""
    year = timezone.localdate().year
    sequence, _ = ReportSequence.objects.select_for_update().get_or_create(unit=unit, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def report_progress_set(*, report: Report, progress: int, status: str = ReportStatus.RUNNING):
    Report.objects.filter(pk=report.pk).update(progress=progress, status=status)
    report.progress, report.status = progress, status


def report_finish(*, report: Report, content: bytes, file_name: str) -> None:
    report.content, report.file_name = content, file_name
    report.status, report.progress = ReportStatus.DONE, 100
    report.finished_at = timezone.now()
    report.save(update_fields=["content", "file_name", "status", "progress", "finished_at"])


def report_fail(*, report: Report, error: str) -> None:
    report.status, report.error = ReportStatus.FAILED, error[:300]
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])
