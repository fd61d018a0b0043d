"""Insights API (staff only, scoped with ``visible_unit_get``): the summary of a subtree, the
breakdown by child unit (ranking, drill-down), the units that need attention, and reports."""

import uuid
from datetime import date
from typing import Any

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from langnghe.accounts.auth import staff_auth
from langnghe.accounts.selectors import visible_unit_get
from langnghe.core.exceptions import ApplicationError, NotFound

from . import selectors, services
from .models import Report, ReportStatus

router = Router(tags=["insights"])


class InsightsFilter(Schema):
    unit: str = Field(max_length=32, description="Mã đơn vị (cả các đơn vị cấp dưới)")
    from_: date | None = Field(None, alias="from", description="Mặc định: 30 ngày gần nhất")
    to: date | None = None


class InsightsUnitRef(Schema):
    code: str
    name: str


class InsightsSummaryOut(Schema):
    unit: InsightsUnitRef
    from_: str = Field(alias="from")
    to: str
    channels: dict[str, Any]
    inbox: dict[str, Any]
    cases: dict[str, Any]
    surveys: dict[str, Any]


class InsightsChildOut(Schema):
    code: str
    name: str
    kind: str
    has_children: bool
    cases_received: int
    on_time_rate: float | None
    overdue_now: int
    conversations: int
    first_response_median_s: int | None
    unanswered: int
    responses: int
    satisfaction: float | None
    posts: int
    views: int
    followers: int


class InsightsBreakdownOut(Schema):
    unit: InsightsUnitRef
    from_: str = Field(alias="from")
    to: str
    items: list[InsightsChildOut]


class InsightsAttentionOut(Schema):
    code: str
    name: str
    reasons: list[str]


class InsightsReportIn(Schema):
    unit: str = Field(max_length=32)
    format: str = Field("pdf", pattern="^(pdf|xlsx)$")
    month: str | None = Field(None, description="YYYY-MM (báo cáo tháng); hoặc from/to")
    from_: date | None = Field(None, alias="from")
    to: date | None = None


class InsightsReportOut(Schema):
    id: uuid.UUID
    unit: str
    format: str
    start: date
    end: date
    status: str
    progress: int
    error: str
    download_url: str | None

    @staticmethod
    def resolve_unit(obj: Report) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_download_url(obj: Report) -> str | None:
        if obj.status != ReportStatus.DONE:
            return None
        return f"/api/v1/insights/reports/{obj.pk}/file"


def _scoped(request, filters):
    unit = visible_unit_get(user=request.auth, code=filters.unit)
    return unit, selectors.period_get(filters.from_, filters.to)


@router.get(
    "/summary",
    response=InsightsSummaryOut,
    auth=staff_auth,
    summary="Tổng hợp của đơn vị và toàn bộ đơn vị cấp dưới: kênh, trực ban, vụ việc, khảo sát",
)
def summary(request, filters: Query[InsightsFilter]):
    unit, period = _scoped(request, filters)
    return selectors.summary_compute(unit, period)


@router.get(
    "/breakdown",
    response=InsightsBreakdownOut,
    auth=staff_auth,
    summary="Các chỉ tiêu theo từng đơn vị trực thuộc (xếp hạng, xem chi tiết)",
)
def breakdown(request, filters: Query[InsightsFilter], kpi: str | None = None):
    unit, period = _scoped(request, filters)
    items = selectors.breakdown_compute(unit, period)
    if kpi:
        items = selectors.ranking(items, kpi)
    return {
        "unit": unit,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "items": items,
    }


@router.get(
    "/attention",
    response=list[InsightsAttentionOut],
    auth=staff_auth,
    summary="Đơn vị cần chú ý: quá hạn, hài lòng thấp, trả lời chậm",
)
def attention(request, filters: Query[InsightsFilter]):
    unit, period = _scoped(request, filters)
    return selectors.attention_compute(unit, period)


def _report_period(payload: InsightsReportIn) -> selectors.Period:
    if payload.month:
        return selectors.month_period(payload.month)
    return selectors.period_get(payload.from_, payload.to)


@router.post(
    "/reports",
    response={202: InsightsReportOut},
    auth=staff_auth,
    summary="Yêu cầu báo cáo (PDF/XLSX) của đơn vị và cấp dưới; tạo nền, theo dõi tiến độ",
)
def report_create(request, payload: InsightsReportIn):
    unit = visible_unit_get(user=request.auth, code=payload.unit)
    report = services.report_request(
        user=request.auth, unit=unit, period=_report_period(payload), report_format=payload.format
    )
    report.refresh_from_db()
    return Status(202, report)


def _report_get(request, report_id: uuid.UUID) -> Report:
    report = Report.objects.select_related("unit").filter(pk=report_id).first()
    if report is None or report.requested_by_id != request.auth.pk:
        raise NotFound("Không có báo cáo này.", code="report_not_found")
    visible_unit_get(user=request.auth, code=report.unit.code)  # scope may have changed since
    return report


@router.get(
    "/reports/{report_id}", response=InsightsReportOut, auth=staff_auth, summary="Tiến độ báo cáo"
)
def report_status(request, report_id: uuid.UUID):
    return _report_get(request, report_id)


@router.get("/reports/{report_id}/file", auth=staff_auth, summary="Tải báo cáo")
def report_file(request, report_id: uuid.UUID):
    report = _report_get(request, report_id)
    if report.status != ReportStatus.DONE:
        raise ApplicationError("Báo cáo chưa tạo xong.", code="report_not_ready", status=409)
    return report_response(report)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_response(report: Report) -> HttpResponse:
    response = HttpResponse(bytes(report.content), content_type=CONTENT_TYPES[report.format])
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response
