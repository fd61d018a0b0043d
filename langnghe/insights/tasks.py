import logging

from langnghe.core import jobs

from . import services
from .models import Report, ReportStatus
from .reports import report_build

log = logging.getLogger(__name__)


@jobs.job("insights.report_generate")
def report_generate(report_id: str) -> None:
    """Build a queued report (idempotent: a finished report is left as it is)."""

    report = Report.objects.select_related("unit").filter(pk=report_id).first()
    if report is None or report.status == ReportStatus.DONE:
        return
    try:
        content, file_name = report_build(
            report, progress=lambda p: services.report_progress_set(report=report, progress=p)
        )
    except Exception as exc:  # the officer sees "failed" rather than a report stuck at 40 %
        log.exception("report %s failed", report_id)
        services.report_fail(report=report, error=str(exc) or exc.__class__.__name__)
        return
    services.report_finish(report=report, content=content, file_name=file_name)
