"""Writes of the insights app: report requests and their progress. (The aggregates are
written by ``materialize.py``, the periodic job, not by people.)"""

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from .models import Report, ReportStatus
from .selectors import Period

FORMATS = ("pdf", "xlsx")


def report_request(*, user, unit: Unit, period: Period, report_format: str) -> Report:
    """Queue a report of ``unit``'s subtree over ``period`` (the caller has checked scope)."""
    if report_format not in FORMATS:
        raise ApplicationError(
            "Định dạng báo cáo phải là pdf hoặc xlsx.", code="bad_format", field="format"
        )
    from .tasks import report_generate

    with transaction.atomic():
        report = Report.objects.create(
            requested_by=user,
            unit=unit,
            format=report_format,
            start=period.start,
            end=period.end,
        )
        audit_record(
            actor=user,
            action="insights_report.request",
            target=report,
            unit=unit,
            data={"format": report_format, "from": str(period.start), "to": str(period.end)},
        )
        transaction.on_commit(lambda: report_generate.enqueue(str(report.pk)))
    return report


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
