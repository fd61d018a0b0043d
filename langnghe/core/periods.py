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
