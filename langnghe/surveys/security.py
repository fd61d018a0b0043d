"""Signed form links and keyed hashes for abuse control.

The address and device hashes (``keyed_hash``) are keyed with a random salt of the day
(``HashSalt``), not with SECRET_KEY: they only need to recognise the same address or device
within the abuse windows (10 minutes; the counts restart at local midnight), and once the
day's salt is deleted (``hash_salts_purge``, hourly) no one can test that day's hashes against
candidate addresses — an IPv4 address has only 2³² values, so a hash keyed with a permanent
secret would be reversible by whoever holds the secret and the database.

A QR code carries ``/khao-sat/<unit code>/?k=<timestamp>:<signature>``: the signature
(django.core.signing, keyed with SECRET_KEY) proves the link was made here for that unit, so a
printed code cannot be edited to rate another unit, and old links expire after
``LANGNGHE_SURVEY_QR_MAX_AGE_DAYS`` (default 3 years, longer than a poster lasts on a wall).
"""

import hashlib
import hmac
import secrets
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from langnghe.core.exceptions import ApplicationError

from .models import HashSalt

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


# This process's salt of the current day: (day, salt). The survey form's hot path then reads
# no row for it; a salt never changes once its row exists.
_salt_memo: tuple[date, str] | None = None


def day_salt(day: date) -> str:
    """The random salt of ``day``, made by the first process that needs it (the others read
    it). Called outside a transaction (the form and API views do), so the row is committed
    before any process keeps it."""
    global _salt_memo
    memo = _salt_memo
    if memo is not None and memo[0] == day:
        return memo[1]
    record = HashSalt.objects.filter(day=day).first()
    if record is None:
        try:
            with transaction.atomic():
                record = HashSalt.objects.create(day=day, salt=secrets.token_hex(32))
        except IntegrityError:  # another process made it first
            record = HashSalt.objects.get(day=day)
    _salt_memo = (day, record.salt)
    return record.salt


def day_salt_forget() -> None:
    """Drop this process's salt (tests: their rows are rolled back)."""
    global _salt_memo
    _salt_memo = None


def hash_salts_purge(*, today: date | None = None) -> int:
    """Delete the salts of past days: their hashes can no longer be linked to an address."""
    today = today or timezone.localdate()
    deleted, _ = HashSalt.objects.filter(day__lt=today).delete()
    return deleted


def keyed_hash(kind: str, value: str, *, day: date) -> str:
    """HMAC-SHA256 of an IP address or device token, keyed with the random salt of ``day``
    (never SECRET_KEY); the raw value is never stored. The same value gives the same hash all
    day, and an unrelated one the next day."""
    if not value:
        return ""
    message = f"{kind}|{value}".encode()
    return hmac.new(day_salt(day).encode(), message, hashlib.sha256).hexdigest()[:32]
