"""Time limits on the Vietnamese calendar, in Asia/Ho_Chi_Minh.

- hours: exact elapsed time (duty desks work 24/7, TTLT 01/2017).
- days (ngày): counted from the day after the event and ending at 24:00 of the last day; if
  the last day is a weekend day or a holiday, the limit runs to the end of the next working
  day (BLTTHS 2015 Điều 330; Bộ luật Dân sự 2015 Điều 148 for the administrative laws) [U].
- working days (ngày làm việc): Monday–Friday except public holidays, Tết included, from the
  ``holidays`` package; the limit ends at 24:00 of the n-th working day after the event.
- months: the same day of the n-th following month, then as for days.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=[year]).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TZ)


def add_working_days(start: dt.datetime, count: int) -> dt.datetime:
    day = start.astimezone(TZ).date()
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return end_of_day(day)


def add_days(start: dt.datetime, count: int) -> dt.datetime:
    day = start.astimezone(TZ).date() + dt.timedelta(days=count)
    return end_of_day(next_working_day(day))


def add_months(start: dt.datetime, count: int) -> dt.datetime:
    day = start.astimezone(TZ).date() + relativedelta(months=count)
    return end_of_day(next_working_day(day))


def add_period(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == "hours":
        return start + dt.timedelta(hours=amount)
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "days":
        return add_days(start, amount)
    if unit == "months":
        return add_months(start, amount)
    raise ValueError(f"unknown period unit {unit!r}")
