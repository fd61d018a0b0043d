"""Reads of the insights app: summaries, per-child breakdowns, trends and the units that need
attention, for a unit's whole subtree.

Every figure is a sum of aggregate rows: ``UnitMonthStat`` for the whole months of the period
and ``UnitDayStat`` for the partial months at its ends (O(units × months), never O(rows)); the
survey figures are the surveys app's own counters (``surveys.selectors``). Two figures are
point-in-time, not sums over days — "open now" and "overdue now" — and come from an indexed
count over the *open* cases only (``status`` is indexed, and open cases are few whatever the
history: they are the current workload), so they are right to the second without a job.
Staff reads go through ``visible_unit_get`` (the single scope check) first.
"""

import copy
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from langnghe.accounts.selectors import visible_unit_get
from langnghe.cases.models import OPEN_STATUSES, Case, Category
from langnghe.core.exceptions import ApplicationError
from langnghe.core.periods import covering_querysets, next_month
from langnghe.core.templatetags.vn_format import vn_number, vn_percent100
from langnghe.surveys.builtin import SATISFIED_VALUES
from langnghe.surveys.models import DailyCount, Element, MonthlyCount
from langnghe.surveys.selectors import _sum
from langnghe.surveys.services import counters_settle
from langnghe.units.models import PATH_STEP, Unit

from .materialize import FRT_EDGES, day_bounds
from .models import UnitDayStat, UnitMonthStat, UnitState

DEFAULT_DAYS = 30
MAX_RANGE_DAYS = 3 * 366

# "Needs attention" thresholds [U]: set with the province's inspection office (no legal figure).
LOW_SATISFACTION = 80.0  # % satisfied, with at least MIN_ANSWERS answers
MIN_ANSWERS = 10
SLOW_FIRST_RESPONSE = 30 * 60  # seconds, median, with at least MIN_ANSWERED conversations
MIN_ANSWERED = 5
UNANSWERED_LIMIT = 3


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period just before, of the same length; whole calendar months compare with the
        same number of whole months before them (November → 01/10–31/10, March → February)."""
        end = self.start - dt.timedelta(days=1)
        months = self.whole_months()
        if months:
            start = self.start
            for _ in range(months):
                start = (start - dt.timedelta(days=1)).replace(day=1)
            return Period(start, end)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def whole_months(self) -> int:
        """How many calendar months the period covers exactly (0 if it does not)."""
        if self.start.day != 1 or (self.end + dt.timedelta(days=1)).day != 1:
            return 0
        after = self.end + dt.timedelta(days=1)
        return (after.year - self.start.year) * 12 + after.month - self.start.month


def period_get(start: dt.date | None = None, end: dt.date | None = None) -> Period:
    """Defaults to the last 30 days; refuses a reversed or over-long range (4xx)."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ApplicationError(
            "Ngày bắt đầu phải trước ngày kết thúc.", code="invalid_range", field="from"
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise ApplicationError(
            "Khoảng thời gian tối đa là 3 năm.", code="range_too_long", field="from"
        )
    return Period(start, end)


def month_period(month: str) -> Period:
    """ "2025-03" → the whole month (a monthly report)."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ApplicationError(
            "Tháng không hợp lệ (dạng YYYY-MM).", code="invalid_month", field="month"
        ) from None
    return Period(first, next_month(first) - dt.timedelta(days=1))


# --- Sums over the aggregate rows ---------------------------------------------------------------


def subtree_ids(unit: Unit) -> list[int]:
    """Ids of the unit and every unit below it (one query, kept on the instance). Aggregate
    rows are filtered by ``unit_id IN (…)`` rather than a join on the path: PostgreSQL then
    reads only the subtree's rows through the (unit, day|month, metric) index instead of
    scanning the whole table."""
    if getattr(unit, "_subtree_ids", None) is None:
        unit._subtree_ids = list(
            Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)
        )
    return unit._subtree_ids


def own_scope(unit: Unit) -> Unit:
    """A copy of ``unit`` whose subtree is the unit alone: every summary over it counts the
    unit's own rows only — the "Riêng đơn vị" figures of a report, beside the "Toàn địa bàn
    (gồm đơn vị trực thuộc)" ones of ``unit`` itself — through the same reads."""
    own = copy.copy(unit)
    own._subtree_ids = [unit.pk]
    return own


def _stat_sets(
    unit: Unit, period: Period, day_model=None, month_model=None, daily_only=False, **extra
) -> list:
    """(queryset, bucket field) pairs covering ``period`` exactly, from this app's stats or,
    given the models, the surveys app's counters (the same layout)."""
    return covering_querysets(
        day_model=day_model or UnitDayStat,
        month_model=month_model or UnitMonthStat,
        unit_ids=subtree_ids(unit),
        start=period.start,
        end=period.end,
        daily_only=daily_only,
        **extra,
    )


def _sums(unit: Unit, period: Period, *, key: str | None = None) -> dict:
    """Metric sums over the subtree; with ``key`` ("unit__path", "unit_id") grouped by it:
    {key value: Counter(metric → value)}."""
    grouped: dict = defaultdict(Counter)
    for qs, _bucket in _stat_sets(unit, period):
        fields = [key, "metric"] if key else ["metric"]
        for row in qs.values(*fields).annotate(n=Sum("value")).order_by():
            grouped[row[key] if key else None][row["metric"]] += row["n"]
    return grouped if key else grouped[None]


def _open_cases(unit: Unit, period: Period, *, key: str | None = None, now=None) -> dict:
    """Open and overdue-now cases of the subtree (and the overdue ones received in the period,
    which the on-time rate counts as late). Point-in-time: an indexed count over open cases."""

    now = now or timezone.now()
    start, _ = day_bounds(period.start)
    _, end = day_bounds(period.end)
    overdue = Q(next_due_at__lt=now)
    qs = Case.objects.filter(unit_id__in=subtree_ids(unit), status__in=OPEN_STATUSES).order_by()
    # Counted on unit_id (never null): every column read is in the partial index
    # "case_open_workload", so PostgreSQL answers from the index alone.
    aggregates = {
        "open": Count("unit"),
        "overdue": Count("unit", filter=overdue),
        "overdue_in_period": Count(
            "unit", filter=overdue & Q(received_at__gte=start, received_at__lt=end)
        ),
    }
    if key is None:
        return qs.aggregate(**aggregates)
    return {row[key]: row for row in qs.values(key).annotate(**aggregates)}


def _percentile(histogram: list[int], fraction: float) -> int | None:
    """Seconds at ``fraction`` of the histogram, interpolated inside its bucket."""
    total = sum(histogram)
    if not total:
        return None
    rank = fraction * total
    seen = 0
    for i, n in enumerate(histogram):
        if n and seen + n >= rank:
            low = FRT_EDGES[i - 1] if i else 0
            high = FRT_EDGES[i] if i < len(FRT_EDGES) else FRT_EDGES[-1] * 2
            return round(low + (high - low) * (rank - seen) / n)
        seen += n
    return None


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _mean(total: int, n: int) -> int | None:
    return round(total / n) if n else None


def _inbox(m: Counter) -> dict:
    histogram = [m.get(f"inbox.frt.h{i:02d}", 0) for i in range(len(FRT_EDGES) + 1)]
    return {
        "conversations": m["inbox.conversations"],
        "answered": m["inbox.answered"],
        "unanswered": m["inbox.unanswered"],
        "answered_rate": _rate(m["inbox.answered"], m["inbox.conversations"]),
        "first_response_median_s": _percentile(histogram, 0.5),
        "first_response_p90_s": _percentile(histogram, 0.9),
        "first_response_mean_s": _mean(m["inbox.frt_sum"], m["inbox.answered"]),
        "resolved": m["inbox.resolved"],
        "resolution_mean_s": _mean(m["inbox.resolution_sum"], m["inbox.resolved"]),
    }


def _cases(m: Counter, open_cases: dict, categories: dict[str, str] | None = None) -> dict:
    on_time, late = m["cases.on_time"], m["cases.late"]
    counted = on_time + late + open_cases["overdue_in_period"]
    figures = {
        "received": m["cases.received"],
        "resolved": m["cases.resolved"],
        "declined": m["cases.declined"],
        "closed_on_time": on_time,
        "closed_late": late,
        "open_now": open_cases["open"],
        "overdue_now": open_cases["overdue"],
        "overdue_open_in_period": open_cases["overdue_in_period"],
        "on_time_rate": _rate(on_time, counted),
    }
    if categories is not None:
        figures["by_category"] = sorted(
            (
                {
                    "code": metric[15:],
                    "name": categories.get(metric[15:], metric[15:]),
                    "received": n,
                }
                for metric, n in m.items()
                if metric.startswith("cases.category.") and n
            ),
            key=lambda c: -c["received"],
        )
    return figures


def _channels(m: Counter, followers_now: int) -> dict:
    return {
        "posts": m["posts.published"],
        "posts_by_kind": {k: m[f"posts.kind.{k}"] for k in ("article", "video", "notice")},
        "views": m["posts.views"],
        "shares": m["posts.shares"],
        "followers": followers_now,
        "followers_new": m["followers.new"],
        "followers_lost": m["followers.lost"],
    }


def _followers(unit: Unit, *, key: str | None = None):
    qs = UnitState.objects.filter(unit_id__in=subtree_ids(unit)).order_by()
    if key is None:
        return qs.aggregate(n=Sum("followers"))["n"] or 0
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=Sum("followers"))}


# --- Summary ------------------------------------------------------------------------------------


def summary_compute(unit: Unit, period: Period, *, now=None) -> dict:
    """Every figure for ``unit`` and its subtree (no scope check: callers do it). A constant
    number of queries whatever the number of rows."""

    m = _sums(unit, period)
    survey = _survey_results(unit, period)
    categories = dict(Category.objects.values_list("code", "name"))
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "channels": _channels(m, _followers(unit)),
        "inbox": _inbox(m),
        "cases": _cases(m, _open_cases(unit, period, now=now), categories),
        "surveys": {
            "responses": survey["responses"],
            "index": survey["index"],
            "elements": {
                code: {"label": e["label"], "answers": e["answers"], "index": e["index"]}
                for code, e in survey["elements"].items()
            },
            "comments": survey["comments"],
            "negative_comments": m["surveys.negative_comments"],
            "flagged": survey["flagged"],
        },
    }


def summary_get(*, user, unit_code: str, start=None, end=None) -> dict:
    unit = visible_unit_get(user=user, code=unit_code)
    return summary_compute(unit, period_get(start, end))


# --- KPIs, breakdown, attention -----------------------------------------------------------------

# (key, label, unit of measure, higher is better)
KPIS = [
    ("cases_received", "Vụ việc tiếp nhận", "", None),
    ("on_time_rate", "Tỉ lệ đúng hạn", "%", True),
    ("overdue_now", "Đang quá hạn", "", False),
    ("conversations", "Hội thoại trực ban", "", None),
    ("first_response_median_s", "Trả lời đầu tiên (trung vị)", "s", False),
    ("unanswered", "Chưa trả lời", "", False),
    ("responses", "Phiếu khảo sát", "", None),
    ("satisfaction", "Chỉ số hài lòng", "%", True),
    ("posts", "Bài đăng", "", None),
    ("views", "Lượt xem", "", None),
]
KPI_KEYS = [k[0] for k in KPIS]


def kpis_from_summary(summary: dict) -> dict:
    return {
        "cases_received": summary["cases"]["received"],
        "on_time_rate": summary["cases"]["on_time_rate"],
        "overdue_now": summary["cases"]["overdue_now"],
        "conversations": summary["inbox"]["conversations"],
        "first_response_median_s": summary["inbox"]["first_response_median_s"],
        "unanswered": summary["inbox"]["unanswered"],
        "responses": summary["surveys"]["responses"],
        "satisfaction": summary["surveys"]["index"],
        "posts": summary["channels"]["posts"],
        "views": summary["channels"]["views"],
    }


def _kpis(m: Counter, open_cases: dict, survey: dict) -> dict:
    inbox = _inbox(m)
    cases = _cases(m, open_cases)
    return {
        "cases_received": cases["received"],
        "on_time_rate": cases["on_time_rate"],
        "overdue_now": cases["overdue_now"],
        "conversations": inbox["conversations"],
        "first_response_median_s": inbox["first_response_median_s"],
        "unanswered": inbox["unanswered"],
        "answered": inbox["answered"],
        "responses": survey.get("responses", 0),
        "satisfaction": survey.get("index"),
        "answers": survey.get("answers", 0),
        "posts": m["posts.published"],
        "views": m["posts.views"],
    }


def _survey_index(counts: dict[str, int]) -> tuple[int, float | None]:
    answers = sum(counts.values())
    satisfied = sum(n for v, n in counts.items() if v in SATISFIED_VALUES)
    return answers, _rate(satisfied, answers)


def _survey_sets(unit: Unit, period: Period, *, flagged: bool = False) -> list:
    counters_settle()
    return _stat_sets(unit, period, DailyCount, MonthlyCount, flagged=flagged)


def _survey_results(unit: Unit, period: Period) -> dict:
    """The survey figures of ``surveys.selectors.results_compute`` (same counters, same index
    rule: the overall question, else the mean of the element indexes), read by unit ids."""

    distributions: dict = defaultdict(dict)
    for (metric, value), n in _sum(
        _survey_sets(unit, period), {"m": "metric", "v": "value"}
    ).items():
        distributions[metric][value] = n
    elements = {}
    for code, label in Element.choices:
        answers, index = _survey_index(distributions.get(code, {}))
        elements[code] = {"label": label, "answers": answers, "index": index}
    if elements["overall"]["answers"]:
        index = elements["overall"]["index"]
    else:
        parts = [e["index"] for c, e in elements.items() if c != "overall" and e["answers"]]
        index = round(sum(parts) / len(parts), 1) if parts else None
    flagged = _sum(_survey_sets(unit, period, flagged=True), {"m": "metric"}, metrics=["responses"])
    return {
        "responses": distributions.get("responses", {}).get("", 0),
        "comments": distributions.get("comments", {}).get("", 0),
        "index": index,
        "elements": elements,
        "flagged": sum(flagged.values()),
    }


def _survey_by(unit: Unit, period: Period, key: str) -> dict:
    """Responses and overall index grouped by ``key`` from the surveys app's counters."""

    sets = _survey_sets(unit, period)
    sums = _sum(sets, {"k": key, "m": "metric", "v": "value"}, metrics=["responses", "overall"])
    raw: dict = defaultdict(lambda: {"responses": 0, "overall": {}})
    for (k, metric, value), n in sums.items():
        if metric == "responses":
            raw[k]["responses"] += n
        else:
            raw[k]["overall"][value] = raw[k]["overall"].get(value, 0) + n
    out = {}
    for k, entry in raw.items():
        answers, index = _survey_index(entry["overall"])
        out[k] = {"responses": entry["responses"], "answers": answers, "index": index}
    return out


def _roll_up(grouped: dict, prefixes: dict[str, object], length: int, merge) -> None:
    for path, value in grouped.items():
        target = prefixes.get(path[:length])
        if target is not None:
            merge(target, value)


def breakdown_compute(unit: Unit, period: Period, *, now=None) -> list[dict]:
    """The direct children of ``unit``, each with the KPIs of its whole subtree (the same
    grouped queries as the summary, rolled up by path prefix)."""
    children = list(Unit.objects.filter(parent=unit, is_active=True).select_related("kind"))
    if not children:
        return []
    length = len(unit.path) + PATH_STEP
    metrics = {c.path: Counter() for c in children}
    _roll_up(_sums(unit, period, key="unit__path"), metrics, length, Counter.update)
    zero = {"open": 0, "overdue": 0, "overdue_in_period": 0}
    open_cases = {c.path: dict(zero) for c in children}

    def add_open(target, row):
        for k in zero:
            target[k] += row[k]

    _roll_up(_open_cases(unit, period, key="unit__path", now=now), open_cases, length, add_open)
    survey_raw = _survey_by(unit, period, "unit__path")
    surveys = {c.path: {"responses": 0, "answers": 0, "satisfied": 0.0} for c in children}

    def add_survey(target, entry):
        target["responses"] += entry["responses"]
        target["answers"] += entry["answers"]
        target["satisfied"] += (entry["index"] or 0) * entry["answers"] / 100

    _roll_up(survey_raw, surveys, length, add_survey)
    followers = {c.path: 0 for c in children}
    for path, n in _followers(unit, key="unit__path").items():
        if path[:length] in followers:
            followers[path[:length]] += n
    rows = []
    for child in children:
        s = surveys[child.path]
        survey = {
            "responses": s["responses"],
            "answers": s["answers"],
            "index": _rate(round(s["satisfied"]), s["answers"]),
        }
        kpis = _kpis(metrics[child.path], open_cases[child.path], survey)
        kpis["followers"] = followers[child.path]
        rows.append(
            {"code": child.code, "name": child.name, "kind": child.kind.code, "has_children": True}
            | kpis
        )
    with_children = set(
        Unit.objects.filter(parent__in=children, is_active=True).values_list("parent_id", flat=True)
    )
    for row, child in zip(rows, children, strict=True):
        row["has_children"] = child.pk in with_children
    return rows


def ranking(rows: list[dict], kpi: str) -> list[dict]:
    """Rows ordered best first on ``kpi`` (units without a figure last)."""
    higher_better = {k: better for k, _label, _u, better in KPIS}.get(kpi)
    if kpi not in KPI_KEYS:
        raise ApplicationError("Chỉ tiêu không hợp lệ.", code="unknown_kpi", field="kpi")
    present = [r for r in rows if r.get(kpi) is not None]
    missing = [r for r in rows if r.get(kpi) is None]
    present.sort(key=lambda r: r[kpi], reverse=higher_better is not False)
    return present + missing


def attention_compute(unit: Unit, period: Period, *, now=None, limit: int = 20) -> list[dict]:
    """Units of the subtree (each on its own, not with its children) that need help: overdue
    cases now, low satisfaction, slow first answers, conversations left unanswered."""
    units = {u.pk: u for u in Unit.objects.filter(path__startswith=unit.path, is_active=True)}
    metrics = _sums(unit, period, key="unit_id")
    open_cases = _open_cases(unit, period, key="unit_id", now=now)
    surveys = _survey_by(unit, period, "unit_id")
    zero = {"open": 0, "overdue": 0, "overdue_in_period": 0}
    out = []
    for unit_id, u in units.items():
        kpis = _kpis(
            metrics.get(unit_id, Counter()), open_cases.get(unit_id, zero), surveys.get(unit_id, {})
        )
        reasons, weight = [], 0
        if kpis["overdue_now"]:
            reasons.append(f"{vn_number(kpis['overdue_now'])} vụ việc đang quá hạn")
            weight += 10 * kpis["overdue_now"]
        if (
            kpis["satisfaction"] is not None
            and kpis["answers"] >= MIN_ANSWERS
            and kpis["satisfaction"] < LOW_SATISFACTION
        ):
            reasons.append(f"chỉ số hài lòng thấp ({vn_percent100(kpis['satisfaction'])})")
            weight += round(LOW_SATISFACTION - kpis["satisfaction"])
        median = kpis["first_response_median_s"]
        if median is not None and kpis["answered"] >= MIN_ANSWERED and median > SLOW_FIRST_RESPONSE:
            reasons.append(f"trả lời chậm (trung vị {vn_number(median // 60)} phút)")
            weight += median // 600
        if kpis["unanswered"] >= UNANSWERED_LIMIT:
            reasons.append(f"{vn_number(kpis['unanswered'])} hội thoại chưa được trả lời")
            weight += kpis["unanswered"]
        if reasons:
            out.append({"code": u.code, "name": u.name, "reasons": reasons, "weight": weight})
    out.sort(key=lambda r: (-r["weight"], r["code"]))
    return out[:limit]


# --- Trend --------------------------------------------------------------------------------------


def trend_compute(unit: Unit, period: Period) -> list[dict]:
    """Per day (periods up to 62 days) or per month: cases received, conversations, posts,
    survey responses; oldest first, with empty buckets filled."""
    metrics = ["cases.received", "inbox.conversations", "posts.published"]
    by_day = period.days <= 62
    buckets: dict[dt.date, Counter] = {}
    day = period.start if by_day else period.start.replace(day=1)
    while day <= period.end:
        buckets[day] = Counter()
        day = day + dt.timedelta(days=1) if by_day else next_month(day)
    for qs, bucket in _stat_sets(unit, period, daily_only=by_day):
        qs = qs.filter(metric__in=metrics).values(b=F(bucket), m=F("metric"))
        for row in qs.annotate(n=Sum("value")).order_by():
            key = row["b"] if by_day else row["b"].replace(day=1)
            if key in buckets:
                buckets[key][row["m"]] += row["n"]

    counters_settle()
    sets = _stat_sets(unit, period, DailyCount, MonthlyCount, daily_only=by_day, flagged=False)
    for qs, bucket in sets:
        rows = qs.filter(metric="responses").values(b=F(bucket)).annotate(n=Sum("count")).order_by()
        for row in rows:
            key = row["b"] if by_day else row["b"].replace(day=1)
            if key in buckets:
                buckets[key]["responses"] += row["n"]
    return [
        {
            "start": start.isoformat(),
            "label": f"{start:%d/%m}" if by_day else f"{start:%m/%Y}",
            "cases": c["cases.received"],
            "conversations": c["inbox.conversations"],
            "posts": c["posts.published"],
            "responses": c["responses"],
        }
        for start, c in buckets.items()
    ]


TREND_MONTHS = 12


def trend_months(unit: Unit, *, months: int = TREND_MONTHS, today: dt.date | None = None):
    """The last ``months`` whole months before the current one, one point each, oldest first
    (a month still under way would read as a fall): what ``trend_compute`` gives for them."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    first = end.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return trend_compute(unit, Period(first, end))
