"""Vietnamese text helpers shared by every search: accent folding and tokenising."""

import json
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Thọ  Xương" → "tho xuong".

    Citizens often type without diacritics or with wrong ones, so every search compares
    folded text with folded text.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def words(text: str) -> list[str]:
    """Folded word tokens, punctuation dropped."""
    return _NON_WORD.sub(" ", fold(text)).split()


def slugify_vi(text: str) -> str:
    """ASCII slug of a Vietnamese name: "Công an phường Thọ Xương" → "cong-an-phuong-tho-xuong"."""
    return "-".join(words(text)).replace("_", "-")


def without_nul(value):
    """The value with NUL characters removed from every string in it (recursively).

    NUL never belongs in Vietnamese text, and PostgreSQL refuses it in text columns; outside
    input (JSON bodies, webhook events) passes through this before any code sees it.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def storable(text: str) -> bool:
    """True when the text can be written as UTF-8: it holds no lone UTF-16 surrogate
    (U+D800–U+DFFF), the only str a Python string may hold and UTF-8 cannot. JSON escapes
    ("\\ud800"), UTF-7 and a few other charsets a client may name decode into one."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def all_storable(value) -> bool:
    """``storable`` for every string (keys included) in a decoded JSON value."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return all(all_storable(k) and all_storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(all_storable(v) for v in value)
    return True


def json_without_nul(text: str | bytes):
    """``json.loads(text)`` with NUL characters removed from every string in it (``without_nul``).

    JSON can only carry a NUL as the escape ``\\u0000`` (a raw control character inside a
    string is invalid JSON, which ``json.loads`` refuses), so a text without that escape is
    parsed and returned as it is: no second walk over every value of a webhook event. (Bytes
    in UTF-16 or UTF-32, which ``json.loads`` also reads, hold zero bytes: walked.)"""
    value = json.loads(text)
    if isinstance(text, bytes):
        may_hold_nul = b"\\u0000" in text or b"\x00" in text
    else:
        may_hold_nul = "\\u0000" in text
    return without_nul(value) if may_hold_nul else value
