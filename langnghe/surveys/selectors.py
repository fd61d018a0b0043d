"""Reads of the surveys app.

Results are sums of ``DailyCount`` rows over a subtree (one indexed path prefix) and a day
range: their cost grows with units × days, never with the number of responses. Responses not
yet folded into the counters are folded first (``counters.counters_settle``). Staff reads
go through ``visible_unit_get`` (the single scope check) before anything is summed.
"""

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from langnghe.accounts.selectors import visible_unit_get
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.periods import covering_querysets
from langnghe.units.models import PATH_STEP, Unit
from langnghe.units.selectors import subtree_ids, unit_get

from .builtin import DEFAULT_CODE, FIVE_LEVEL, SATISFIED_VALUES, builtin_templates_ensure
from .counters import counters_settle
from .models import (
    DailyCount,
    Element,
    MonthlyCount,
    Question,
    SurveyAssignment,
    SurveyResponse,
    SurveyTemplate,
)

MAX_RANGE_DAYS = 3 * 366
DEFAULT_RANGE_DAYS = 365
ELEMENT_CODES = list(Element.values)


# --- Templates and forms -----------------------------------------------------------------------


def _current_template(code: str) -> SurveyTemplate | None:
    return (
        SurveyTemplate.objects.filter(code=code, is_current=True)
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
        )
        .first()
    )


def template_effective(unit: Unit) -> SurveyTemplate:
    """The unit's own template, else the nearest ancestor's, else the SIPAS default."""
    chain = [*unit.ancestor_ids, unit.pk]
    assigned = {
        a.unit_id: a.template_code for a in SurveyAssignment.objects.filter(unit_id__in=chain)
    }
    for unit_id in reversed(chain):
        if unit_id in assigned and (template := _current_template(assigned[unit_id])):
            return template
    template = _current_template(DEFAULT_CODE)
    if template is None:  # a new install: the built-in templates are made on first use
        builtin_templates_ensure()
        template = _current_template(DEFAULT_CODE)
    return template


# The public form's configuration, kept per process as one snapshot: every active unit by code,
# every assignment, and the current template of each code used, with its questions. Every
# ``LANGNGHE_SURVEY_CONFIG_TTL`` seconds (default 10) it is brought up to date with three small
# queries: the units edited since (by ``updated_at``), the assignments, and which version of
# each template is current (a changed one is read again with its questions). The whole snapshot
# is read again every FULL_RELOAD seconds, for changes no ``updated_at`` shows (a queryset
# update). A response thus costs no query to know what it answers, and no request waits for
# the ~3,500 units of a national network to be read (a quarter of a second). A change reaches
# every process within the TTL (at once in the process that made it); a response validated
# against the previous version is still a valid response to it (the form accepts the version
# the page was opened on). 0 turns the snapshot off (tests).
FULL_RELOAD = 600


@dataclass
class _FormSnapshot:
    expires: float
    full_until: float
    loaded_at: datetime
    units: dict[str, Unit]
    assigned: dict[int, str]
    templates: dict[str, SurveyTemplate | None]

    def template_for(self, unit: Unit) -> SurveyTemplate:
        for unit_id in reversed([*unit.ancestor_ids, unit.pk]):
            code = self.assigned.get(unit_id)
            if code and (template := self.template(code)):
                return template
        if (default := self.template(DEFAULT_CODE)) is None:
            # The built-in templates are made on first use (template_effective does it).
            default = self.templates[DEFAULT_CODE] = template_effective(unit)
        return default

    def template(self, code: str) -> SurveyTemplate | None:
        if code not in self.templates:
            self.templates[code] = _current_template(code)
        return self.templates[code]

    def refresh(self, ttl: int) -> None:
        """Units edited since the last look, the assignments, the current template versions.
        New dictionaries replace the old ones whole: the other request threads of the process
        read the snapshot meanwhile (gthread workers), and never see one half changed."""
        now = timezone.now()
        units = dict(self.units)
        for unit in Unit.objects.filter(updated_at__gte=self.loaded_at - timedelta(seconds=5)):
            units.pop(unit.code.upper(), None)
            if unit.is_active:
                units[unit.code.upper()] = unit
        assigned = dict(SurveyAssignment.objects.values_list("unit_id", "template_code"))
        current = dict(
            SurveyTemplate.objects.filter(
                is_current=True, code__in=list(self.templates)
            ).values_list("code", "id")
        )
        templates = {
            code: template
            for code, template in self.templates.items()
            if template is not None and current.get(code) == template.pk
        }
        self.units, self.assigned, self.templates = units, assigned, templates
        self.loaded_at, self.expires = now, time.monotonic() + ttl


_snapshot: list[_FormSnapshot] = []
_snapshot_lock = threading.Lock()


def _form_snapshot(ttl: int) -> _FormSnapshot:
    """The process's snapshot, looked at again once its TTL is over. One thread of the process
    does it (gthread workers run several); the others go on meanwhile with the snapshot they
    have — at most a TTL and a look old — or, when there is none yet, wait for the first."""
    current = _snapshot[0] if _snapshot else None
    if current is not None and current.expires > time.monotonic():
        return current
    if not _snapshot_lock.acquire(blocking=current is None):
        return current
    try:
        current = _snapshot[0] if _snapshot else None  # another thread may have just done it
        now = time.monotonic()
        if current is not None and current.expires > now:
            return current
        if current is not None and current.full_until > now:
            current.refresh(ttl)
            return current
        snapshot = _FormSnapshot(
            expires=now + ttl,
            full_until=now + FULL_RELOAD,
            loaded_at=timezone.now(),
            units={u.code.upper(): u for u in Unit.objects.filter(is_active=True)},
            assigned=dict(SurveyAssignment.objects.values_list("unit_id", "template_code")),
            templates={},
        )
        _snapshot[:] = [snapshot]
        return snapshot
    finally:
        _snapshot_lock.release()


def form_config(code: str) -> tuple[Unit, SurveyTemplate]:
    """(active unit, effective template with its questions prefetched) of a unit code; raises
    NotFound (404) for an unknown or inactive unit."""
    key = (code or "").strip().upper()
    ttl = getattr(settings, "LANGNGHE_SURVEY_CONFIG_TTL", 10)
    if ttl:
        snapshot = _form_snapshot(ttl)
        unit = snapshot.units.get(key)
        if unit is None:
            raise NotFound(f"Không có đơn vị mã “{str(code)[:40]}”.", code="unit_not_found")
        return unit, snapshot.template_for(unit)
    unit = Unit.objects.filter(code__iexact=key, is_active=True).first()
    if unit is None:
        raise NotFound(f"Không có đơn vị mã “{str(code)[:40]}”.", code="unit_not_found")
    return unit, template_effective(unit)


def form_config_forget() -> None:
    """Drop this process's snapshot (the template services call it; others wait the TTL)."""
    _snapshot.clear()


def template_list_for(unit: Unit) -> QuerySet[SurveyTemplate]:
    """Templates a unit may use: the built-in ones and those owned by it or its ancestors."""
    return (
        SurveyTemplate.objects.filter(is_current=True).filter(is_builtin=True)
        | SurveyTemplate.objects.filter(is_current=True, owner_id__in=[*unit.ancestor_ids, unit.pk])
    ).order_by("-is_builtin", "name")


def active_unit_get(*, code: str) -> Unit:
    return unit_get(code=code)


# --- Date range --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date


def date_range(start: date | None, end: date | None) -> DateRange:
    """Defaults to the last 365 days; refuses a reversed or over-long range (4xx)."""
    today = timezone.localdate()
    end = end or today
    start = start or (end - timedelta(days=DEFAULT_RANGE_DAYS - 1))
    if start > end:
        raise ApplicationError(
            "Ngày bắt đầu phải trước ngày kết thúc.", code="invalid_range", field="from"
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise ApplicationError(
            "Khoảng thời gian tối đa là 3 năm.", code="range_too_long", field="from"
        )
    return DateRange(start, end)


# --- Results -----------------------------------------------------------------------------------


def _counter_sets(
    unit: Unit, period: DateRange, *, flagged: bool | None, daily_only: bool = False
) -> list[tuple[QuerySet, str]]:
    """(queryset, bucket field) pairs that cover ``period`` exactly (see
    ``core.periods.covering_querysets``). ``flagged``: False = what the index counts (default),
    True = flagged only, None = both. Responses still pending are folded in first, so the sums
    include every response stored before the read."""
    counters_settle()
    extra = {} if flagged is None else {"flagged": flagged}
    return covering_querysets(
        day_model=DailyCount,
        month_model=MonthlyCount,
        unit_ids=subtree_ids(unit),
        start=period.start,
        end=period.end,
        daily_only=daily_only,
        **extra,
    )


def _sum(
    sets: list[tuple[QuerySet, str]],
    keys: dict[str, str],
    *,
    metrics: list[str] | None = None,
    trunc=None,
) -> dict[tuple, int]:
    """Sum ``count`` over the counter sets, grouped by ``keys`` (name → field); with ``trunc``
    (TruncMonth or TruncWeek) a last "period" key groups by the truncated bucket."""
    totals: dict[tuple, int] = defaultdict(int)
    for qs, bucket in sets:
        if metrics is not None:
            qs = qs.filter(metric__in=metrics)
        exprs = {name: F(field) for name, field in keys.items()}
        if trunc is not None:
            monthly = bucket == "month" and trunc is TruncMonth
            exprs["period"] = F("month") if monthly else trunc(bucket)
        names = list(exprs)
        for row in qs.values(**exprs).annotate(n=Sum("count")).order_by():
            totals[tuple(row[name] for name in names)] += row["n"]
    return totals


def _index(distribution: dict[str, int]) -> tuple[int, int, float | None]:
    answers = sum(distribution.values())
    satisfied = sum(n for v, n in distribution.items() if v in SATISFIED_VALUES)
    return answers, satisfied, (round(100 * satisfied / answers, 1) if answers else None)


def results_compute(unit: Unit, period: DateRange, *, include_flagged: bool = False) -> dict:
    """Results for ``unit`` and its whole subtree (no scope check: callers do it)."""
    distributions: dict[str, dict[str, int]] = defaultdict(dict)
    sets = _counter_sets(unit, period, flagged=None if include_flagged else False)
    for (metric, value), n in _sum(sets, {"m": "metric", "v": "value"}).items():
        distributions[metric][value] = n
    elements = {}
    for code, label in Element.choices:
        dist = distributions.get(code, {})
        answers, satisfied, index = _index(dist)
        elements[code] = {
            "label": label,
            "answers": answers,
            "satisfied": satisfied,
            "index": index,
            "distribution": {v: dist.get(v, 0) for v in "54321"},
        }
    if elements["overall"]["answers"]:
        index = elements["overall"]["index"]
    else:
        parts = [e["index"] for c, e in elements.items() if c != "overall" and e["answers"]]
        index = round(sum(parts) / len(parts), 1) if parts else None
    flagged_sets = _counter_sets(unit, period, flagged=True)
    flagged = sum(_sum(flagged_sets, {"m": "metric"}, metrics=["responses"]).values())
    questions = {
        metric: dist
        for metric, dist in distributions.items()
        if metric not in ELEMENT_CODES and metric not in ("responses", "comments")
    }
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "responses": distributions.get("responses", {}).get("", 0),
        "comments": distributions.get("comments", {}).get("", 0),
        "index": index,
        "elements": elements,
        "questions": questions,
        "flagged": flagged,
        "include_flagged": include_flagged,
    }


def results_get(
    *,
    user,
    unit_code: str,
    start: date | None = None,
    end: date | None = None,
    include_flagged: bool = False,
) -> dict:
    unit = visible_unit_get(user=user, code=unit_code)
    return results_compute(unit, date_range(start, end), include_flagged=include_flagged)


def trend_compute(
    unit: Unit, period: DateRange, *, by: str = "month", include_flagged: bool = False
) -> list[dict]:
    """Responses and overall index per week or month, oldest first."""
    trunc = TruncWeek if by == "week" else TruncMonth
    sets = _counter_sets(
        unit, period, flagged=None if include_flagged else False, daily_only=by == "week"
    )
    sums = _sum(sets, {"m": "metric", "v": "value"}, metrics=["responses", "overall"], trunc=trunc)
    buckets: dict[date, dict] = {}
    for (metric, value, start), n in sums.items():
        start = start.date() if hasattr(start, "hour") else start
        bucket = buckets.setdefault(start, {"responses": 0, "overall": {}})
        if metric == "responses":
            bucket["responses"] += n
        else:
            bucket["overall"][value] = bucket["overall"].get(value, 0) + n
    out = []
    for start in sorted(buckets):
        answers, satisfied, index = _index(buckets[start]["overall"])
        label = f"Tuần {start:%d/%m}" if by == "week" else f"{start:%m/%Y}"
        out.append(
            {
                "start": start.isoformat(),
                "label": label,
                "responses": buckets[start]["responses"],
                "index": index,
            }
        )
    return out


def ranking_compute(unit: Unit, period: DateRange, *, include_flagged: bool = False) -> list[dict]:
    """The unit's direct children with their subtree totals, best overall index first. One
    grouped query per counter set over the subtree, rolled up by path prefix."""
    children = list(Unit.objects.filter(parent=unit, is_active=True).select_related("kind"))
    if not children:
        return []
    prefix_len = len(unit.path) + PATH_STEP
    by_prefix = {c.path: {"unit": c, "responses": 0, "overall": {}} for c in children}
    sets = _counter_sets(unit, period, flagged=None if include_flagged else False)
    sums = _sum(
        sets,
        {"path": "unit__path", "m": "metric", "v": "value"},
        metrics=["responses", "overall"],
    )
    for (path, metric, value), n in sums.items():
        entry = by_prefix.get(path[:prefix_len])
        if entry is None:
            continue
        if metric == "responses":
            entry["responses"] += n
        else:
            entry["overall"][value] = entry["overall"].get(value, 0) + n
    ranked = []
    for entry in by_prefix.values():
        answers, satisfied, index = _index(entry["overall"])
        ranked.append(
            {
                "code": entry["unit"].code,
                "name": entry["unit"].name,
                "kind": entry["unit"].kind.code,
                "responses": entry["responses"],
                "answers": answers,
                "index": index,
            }
        )
    ranked.sort(key=lambda r: (r["index"] is None, -(r["index"] or 0), -r["responses"]))
    return ranked


def comment_list(
    unit: Unit,
    period: DateRange,
    *,
    negative_only: bool = False,
    q: str = "",
    include_flagged: bool = False,
) -> QuerySet[SurveyResponse]:
    """Responses with a comment in the subtree, the worst-rated first."""
    qs = (
        SurveyResponse.objects.filter(
            unit_id__in=subtree_ids(unit), day__gte=period.start, day__lte=period.end
        )
        .exclude(comment="")
        .select_related("unit")
    )
    if not include_flagged:
        qs = qs.filter(is_flagged=False)
    if negative_only:
        qs = qs.filter(lowest_score__lte=2)
    if q:
        qs = qs.filter(comment__icontains=q[:100])
    return qs.order_by(F("lowest_score").asc(nulls_last=True), "-submitted_at", "-id")


# The 1–5 ratings in words (the five-level scale of the forms, builtin.FIVE_LEVEL).
RATING_WORDS = {c["value"]: c["label"] for c in FIVE_LEVEL}


def ratings_attach(responses) -> None:
    """Set on each response what a reader of its comment needs: ``overall_score`` (1–5, its
    answer to the template's overall question, "Hài lòng chung") with ``overall_label`` (that
    answer's wording on the form), and ``lowest_label`` for ``lowest_score``. None when the
    template has no overall question or it was left out. Two queries for the whole page."""
    responses = list(responses)
    questions = Question.objects.filter(
        template_id__in={r.template_id for r in responses}, element=Element.OVERALL
    ).only("template_id", "key", "choices")
    overall = {q.template_id: q for q in questions}
    for response in responses:
        question = overall.get(response.template_id)
        value = str((response.answers or {}).get(question.key, "")) if question else ""
        labels = {c["value"]: c["label"] for c in question.choices} if question else {}
        response.overall_score = int(value) if value.isdigit() else None
        response.overall_label = labels.get(value) or RATING_WORDS.get(value, "")
        lowest = str(response.lowest_score or "")
        response.lowest_label = RATING_WORDS.get(lowest, "")


def flagged_list(unit: Unit) -> QuerySet[SurveyResponse]:
    return (
        SurveyResponse.objects.filter(unit_id__in=subtree_ids(unit), is_flagged=True)
        .select_related("unit")
        .order_by("-submitted_at")
    )
