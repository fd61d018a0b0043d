"""The one parser of dates that people and clients type (forms, query strings, Open311)."""

import datetime as dt

from django.utils import timezone

from .exceptions import ApplicationError


def parse_date(
    value: str | None, *, field: str | None = None, with_time: bool = False
) -> dt.date | dt.datetime | None:
    """``value`` as a date (``YYYY-MM-DD``), or with ``with_time`` as an aware datetime (ISO
    8601, ``Z`` allowed; without an offset it is Vietnam's time). Empty → None; anything else
    → ``ApplicationError`` (code ``invalid_date``, naming ``field``) with a Vietnamese message.
    """
    if not value:
        return None
    try:
        if not with_time:
            return dt.date.fromisoformat(value)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        if with_time:
            message = f"{field} phải theo ISO 8601 (ví dụ 2025-01-31T08:00:00+07:00)."
        else:
            message = "Ngày không hợp lệ (định dạng YYYY-MM-DD)."
        raise ApplicationError(message, code="invalid_date", field=field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.get_default_timezone())
