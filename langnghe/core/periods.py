"""Covering a date range with month rows and day rows (surveys' counters, insights' stats)."""

import datetime as dt

from django.utils import timezone


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_stop(end: dt.date, *, today: dt.date | None = None) -> dt.date:
    """The first month that month rows may NOT be used for, for a range ending on ``end``.

    A month row holds what happened in that month so far. Nothing is counted after today, so
    when the range ends today or later, the row of the month it ends in covers it exactly
    (a "last 30 days" range then reads one month row instead of 30 day rows per unit).
    """
    today = today or timezone.localdate()
    if end >= today:
        return next_month(end)
    return (end + dt.timedelta(days=1)).replace(day=1)


def covering_querysets(
    *,
    day_model,
    month_model,
    unit_ids: list[int],
    start: dt.date,
    end: dt.date,
    daily_only: bool = False,
    **filters,
) -> list[tuple]:
    """(queryset, bucket field) pairs whose rows cover ``start``–``end`` exactly for the units:
    whole months from ``month_model`` (fields unit, month), the partial months at either end
    from ``day_model`` (unit, day). Both layouts are kept by the surveys' counters and the
    insights' stats; a subtree's figure then costs O(units × months), never O(rows)."""
    first_full = start if start.day == 1 else next_month(start)
    stop = months_stop(end)

    def daily(first: dt.date, last: dt.date):
        rows = day_model.objects.filter(
            unit_id__in=unit_ids, day__gte=first, day__lte=last, **filters
        )
        return rows, "day"

    if daily_only or first_full >= stop:
        return [daily(start, end)]
    monthly = month_model.objects.filter(
        unit_id__in=unit_ids, month__gte=first_full, month__lt=stop, **filters
    )
    sets = [(monthly, "month")]
    if start < first_full:
        sets.append(daily(start, first_full - dt.timedelta(days=1)))
    if stop <= end:
        sets.append(daily(stop, end))
    return sets
