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


def storable_text(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD (a pair that belongs together is
    joined into its character)."""
    if storable(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean_text(value):
    """The value with NUL characters removed and lone surrogates replaced by U+FFFD in every
    string in it, keys included (recursively): what a signed machine event (a Zalo webhook)
    gets instead of a refusal, since its sender cannot correct and resend it."""
    if isinstance(value, str):
        return storable_text(value.replace("\x00", ""))
    if isinstance(value, dict):
        return {clean_text(k): clean_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    return value


# What JSON text must contain to decode into a NUL or a lone surrogate: the escapes "\u0000"
# and "\ud800"–"\udfff", the UTF-8 form of a surrogate (ED A0 80–ED BF BF, which json.loads
# reads with 'surrogatepass'), or a zero byte (UTF-16 and UTF-32, which json.loads detects).
_MAY_NEED_CLEANING = re.compile(rb"\\u(?:0000|[dD][89abcdefABCDEF])|\xed[\xa0-\xbf]|\x00")
_MAY_NEED_CLEANING_TEXT = re.compile(r"\\u(?:0000|[dD][89abcdefABCDEF])|[\ud800-\udfff\x00]")


def json_may_need_cleaning(text: str | bytes) -> bool:
    """False when the JSON text cannot decode into a NUL or a lone surrogate: then it need not
    be walked (no second walk over every survey response or webhook event)."""
    if isinstance(text, bytes | bytearray):
        return _MAY_NEED_CLEANING.search(text) is not None
    return _MAY_NEED_CLEANING_TEXT.search(text) is not None


def json_loads_clean(text: str | bytes):
    """``json.loads(text)`` with NUL characters removed and lone surrogates replaced in every
    string in it (``clean_text``); a text that cannot hold either is returned as parsed."""
    value = json.loads(text)
    return clean_text(value) if json_may_need_cleaning(text) else value
