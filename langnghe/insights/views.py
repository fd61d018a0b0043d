"""Console pages: the dashboard of a subtree (KPI tiles against the previous period, SVG
trend and bar charts, ranking, drill-down, units needing attention) and the reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from langnghe.accounts.console import current_unit
from langnghe.accounts.selectors import can_see_unit, visible_unit_get
from langnghe.core.dates import parse_date
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.forms import first_error
from langnghe.core.templatetags.vn_format import vn_number, vn_percent100
from langnghe.units.letterhead import letterhead_for
from langnghe.units.selectors import ancestors

from . import selectors, services
from .api import report_response
from .charts import bar_chart, line_chart
from .forms import ReportRequestForm
from .models import Report, ReportStatus
from .reports import duration


def _scope(request, source):
    code = source.get("unit")
    unit = visible_unit_get(user=request.user, code=code) if code else current_unit(request)
    if unit is None:
        raise NotFound("Bạn chưa được phân công đơn vị nào.")
    if source.get("month"):
        return unit, selectors.month_period(source["month"])
    return unit, selectors.period_get(
        parse_date(source.get("from"), field="from"), parse_date(source.get("to"), field="to")
    )


def _display(key: str, value) -> str:
    if value is None:
        return "—"
    if key == "first_response_median_s":
        return duration(value)
    if isinstance(value, float):
        return vn_percent100(value)
    return vn_number(value)


# Below this many in the previous period a growth rate says nothing ("+2.260 %" over 5).
MIN_GROWTH_BASE = 20
NO_BASE = "chưa đủ số liệu kỳ trước để so sánh"


def _tiles(now: dict, before: dict) -> list[dict]:
    tiles = []
    for key, label, _unit, better in selectors.KPIS:
        value, old = now[key], before[key]
        change, tone = None, ""
        if value is not None and old is not None:
            delta = value - old
            if delta:
                sign = "+" if delta > 0 else "−"
                if isinstance(value, float):
                    change = f"{sign}{vn_number(abs(delta), 1)} điểm"
                elif key == "first_response_median_s":
                    change = f"{sign}{duration(abs(delta))}"
                elif old < MIN_GROWTH_BASE:
                    change = NO_BASE
                else:
                    change = f"{sign}{vn_percent100(abs(delta) / old * 100, 0)}"
                if better is not None and change != NO_BASE:
                    tone = "good" if (delta > 0) == better else "bad"
            else:
                change = "không đổi"
        tiles.append(
            {
                "key": key,
                "label": label,
                "value": _display(key, value),
                "previous": _display(key, old),
                "change": change,
                "tone": tone,
            }
        )
    return tiles


def _trend_chart(trend: list[dict], *, title: str):
    return line_chart(
        [t["label"] for t in trend],
        [
            ("Vụ việc", [t["cases"] for t in trend]),
            ("Hội thoại", [t["conversations"] for t in trend]),
            ("Phiếu khảo sát", [t["responses"] for t in trend]),
            ("Bài đăng", [t["posts"] for t in trend]),
        ],
        title=title,
    )


@login_required
def dashboard(request):
    try:
        unit, period = _scope(request, request.GET)
        kpi = request.GET.get("kpi") or "satisfaction"
        summary = selectors.summary_compute(unit, period)
        previous = selectors.summary_compute(unit, period.previous())
        children = selectors.breakdown_compute(unit, period)
        ranked = selectors.ranking(children, kpi)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return render(request, "insights/dashboard.html", {"failed": True}, status=exc.status)
    trend = selectors.trend_compute(unit, period)
    year = selectors.trend_months(unit)
    kpi_label = {k: label for k, label, _u, _b in selectors.KPIS}[kpi]
    kpi_unit = {k: u for k, _label, u, _b in selectors.KPIS}[kpi]
    return render(
        request,
        "insights/dashboard.html",
        {
            "unit": unit,
            "ancestors": [a for a in ancestors(unit) if can_see_unit(request.user, a)],
            "period": period,
            "summary": summary,
            "tiles": _tiles(
                selectors.kpis_from_summary(summary), selectors.kpis_from_summary(previous)
            ),
            "trend_chart": _trend_chart(trend, title="Xu hướng trong kỳ"),
            "year_chart": _trend_chart(year, title="12 tháng gần nhất"),
            "kpis": selectors.KPIS,
            "kpi": kpi,
            "kpi_label": kpi_label,
            "ranking": [{**row, "display": _display(kpi, row[kpi])} for row in ranked],
            "ranking_chart": bar_chart(
                [(row["name"], row[kpi]) for row in ranked[:30]],
                title=f"{kpi_label} theo đơn vị",
                suffix={"%": " %", "s": " giây"}.get(kpi_unit, ""),
            )
            if ranked
            else None,
            "attention": selectors.attention_compute(unit, period),
            "reports": Report.objects.filter(requested_by=request.user, unit=unit)[:5],
            "first_response": {
                "median": duration(summary["inbox"]["first_response_median_s"]),
                "p90": duration(summary["inbox"]["first_response_p90_s"]),
            },
        },
    )


@login_required
@require_POST
def report_start(request):
    try:
        form = ReportRequestForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(first_error(form))
        unit, period = _scope(request, form.cleaned_data)
        report = services.report_request(
            user=request.user,
            unit=unit,
            period=period,
            report_format=form.cleaned_data["format"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("/staff/insights/")
    return redirect(f"/staff/insights/reports/{report.pk}/")


def _own_report(request, report_id) -> Report:
    report = (
        Report.objects.select_related("unit")
        .filter(pk=report_id, requested_by=request.user)
        .first()
    )
    if report is None or not can_see_unit(request.user, report.unit):
        raise Http404
    return report


@login_required
def report_page(request, report_id):
    report = _own_report(request, report_id)
    running = report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    number = letterhead_for(report.unit).number(report.number) if report.number else ""
    return render(
        request,
        "insights/report.html",
        {"report": report, "running": running, "document_number": number},
    )


@login_required
def report_download(request, report_id):
    report = _own_report(request, report_id)
    if report.status != ReportStatus.DONE:
        raise Http404
    return report_response(report)
