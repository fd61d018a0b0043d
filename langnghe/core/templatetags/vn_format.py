"""Numbers and dates as Vietnamese readers write them, for templates and Python alike.

    {% load vn_format %}
    {{ 1234|vn_number }}          → 1.234
    {{ 2.5|vn_number:1 }}         → 2,5
    {{ 0.8333|vn_percent }}       → 83,3 %     (a fraction 0..1)
    {{ 83.33|vn_percent100 }}     → 83,3 %     (a value already in percent, 0..100)
    {{ some_date|vn_date }}       → 05/12/2026
    {{ some_datetime|vn_datetime }} → 14:30 05/12/2026 (local time of the site)
    {{ some_date|vn_month }}      → 12/2025

Thousands are grouped with a dot, decimals with a comma, the percent sign follows a space;
rounding is half up (2,45 → 2,5), as people round by hand. A missing value (None or "")
reads "—"; anything that is not a number or a date is returned as it is, so a template
never fails on a value it did not expect. Every function is also callable from Python
(views, PDF and XLSX reports): ``from langnghe.core.templatetags.vn_format import vn_number``.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()

MISSING = "—"


def _digits(digits) -> int:
    try:
        return max(0, min(int(digits), 10))
    except (TypeError, ValueError):
        return 0


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return number if number.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _format(number: Decimal, digits: int) -> str:
    quantum = Decimal(1).scaleb(-digits)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sign + ".".join(groups)
    if digits:
        text += "," + fraction.ljust(digits, "0")[:digits]
    return text


@register.filter
def vn_number(value, digits=0):
    """1234567 → "1.234.567"; vn_number(2.5, 1) → "2,5"; None → "—"."""
    if value is None or value == "":
        return MISSING
    number = _decimal(value)
    if number is None:
        return value
    return _format(number, _digits(digits))


@register.filter
def vn_percent(value, digits=1):
    """A FRACTION (0..1) as a percent: 0.8333 → "83,3 %"; vn_percent(1, 0) → "100 %"."""
    if value is None or value == "":
        return MISSING
    number = _decimal(value)
    if number is None:
        return value
    return _format(number * 100, _digits(digits)) + " %"


@register.filter
def vn_percent100(value, digits=1):
    """A value ALREADY IN PERCENT (0..100): 83.33 → "83,3 %"."""
    if value is None or value == "":
        return MISSING
    number = _decimal(value)
    if number is None:
        return value
    return _format(number, _digits(digits)) + " %"


def _as_date_or_datetime(value):
    if isinstance(value, str):
        text = value.strip()
        try:
            return (
                datetime.datetime.fromisoformat(text)
                if "T" in text or " " in text
                else (datetime.date.fromisoformat(text))
            )
        except ValueError:
            return None
    if isinstance(value, datetime.date):
        return value
    return None


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


@register.filter
def vn_date(value):
    """A date or datetime as "05/12/2026" (an aware datetime in the site's local time)."""
    if value is None or value == "":
        return MISSING
    moment = _as_date_or_datetime(value)
    if moment is None:
        return value
    if isinstance(moment, datetime.datetime):
        moment = _local(moment)
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"


@register.filter
def vn_datetime(value):
    """A datetime as "14:30 05/12/2026" in the site's local time; a bare date as vn_date."""
    if value is None or value == "":
        return MISSING
    moment = _as_date_or_datetime(value)
    if moment is None:
        return value
    if not isinstance(moment, datetime.datetime):
        return vn_date(moment)
    moment = _local(moment)
    return f"{moment.hour:02d}:{moment.minute:02d} {vn_date(moment)}"


@register.filter
def vn_month(value):
    """A date or datetime as its month, "12/2025" (chart labels, monthly reports)."""
    if value is None or value == "":
        return MISSING
    moment = _as_date_or_datetime(value)
    if moment is None:
        return value
    if isinstance(moment, datetime.datetime):
        moment = _local(moment)
    return f"{moment.month:02d}/{moment.year:04d}"
