"""Signed form links and keyed hashes for abuse control.

A QR code carries ``/khao-sat/<unit code>/?k=<timestamp>:<signature>``: the signature
(django.core.signing, keyed with SECRET_KEY) proves the link was made here for that unit, so a
printed code cannot be edited to rate another unit, and old links expire after
``LANGNGHE_SURVEY_QR_MAX_AGE_DAYS`` (default 3 years, longer than a poster lasts on a wall).
"""

import hashlib
import hmac
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing

from langnghe.core.exceptions import ApplicationError

SALT = "langnghe.surveys.form"
DEFAULT_MAX_AGE_DAYS = 3 * 365


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def form_key(unit_code: str) -> str:
    """The ``k`` parameter for a unit's form: "<timestamp>:<signature>"."""
    return _signer().sign(unit_code.upper()).split(":", 1)[1]


def form_key_check(unit_code: str, key: str) -> None:
    """Raise a 4xx ApplicationError unless ``key`` was signed here for ``unit_code`` and is not
    older than the maximum age."""
    max_age = getattr(settings, "LANGNGHE_SURVEY_QR_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS) * 86400
    if not key or len(key) > 200:
        raise ApplicationError(
            "Đường dẫn khảo sát thiếu mã xác thực. Vui lòng quét lại mã QR tại đơn vị.",
            code="qr_missing",
            status=403,
            field="key",
        )
    try:
        _signer().unsign(f"{unit_code.upper()}:{key}", max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ApplicationError(
            "Mã QR này đã hết hạn. Vui lòng quét mã QR mới tại đơn vị.",
            code="qr_expired",
            status=403,
            field="key",
        ) from exc
    except signing.BadSignature as exc:
        raise ApplicationError(
            "Mã QR không hợp lệ (không do hệ thống cấp hoặc đã bị sửa).",
            code="qr_invalid",
            status=403,
            field="key",
        ) from exc


def form_path(unit_code: str) -> str:
    return f"/khao-sat/{unit_code}/?" + urlencode({"k": form_key(unit_code)})


def form_url(unit_code: str) -> str:
    """Absolute URL of a unit's form, as encoded in its QR code."""
    return settings.LANGNGHE_PUBLIC_URL + form_path(unit_code)


def shared_url() -> str:
    """The one province-wide form: it first asks which unit served the citizen."""
    return settings.LANGNGHE_PUBLIC_URL + "/khao-sat/"


def keyed_hash(kind: str, value: str, *, day: date) -> str:
    """HMAC-SHA256 of an IP address or device token, keyed with SECRET_KEY and the day; the
    raw value is never stored. Rotating daily means hashes cannot link visits across days."""
    if not value:
        return ""
    message = f"{kind}|{day.isoformat()}|{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]
