"""How a procedure's provenance and other names read on its public page.

The catalogue's ``source`` field is written for its maintainers: it names the files and
repositories a fact was checked against. A citizen reads instead which official documents and
portals the page follows, and a few of the names people commonly use for the procedure (the
``aliases`` list also holds unaccented spellings, English words and form numbers, kept for the
search, not for reading).
"""

import re

# Official sources a catalogue entry may cite, as the page names them, in this order. Each
# pattern is searched in the entry's ``source`` text; news sites and repositories are left out,
# and so is another province's portal that the catalogue was checked against (a citizen of this
# province would read it as the wrong authority).
OFFICIAL_SOURCES = [
    (r"QĐ 5568/QĐ-BCA", "Quyết định số 5568/QĐ-BCA của Bộ Công an (danh mục thủ tục hành chính)"),
    (r"QĐ 8258/QĐ-BCA", "Quyết định số 8258/QĐ-BCA của Bộ Công an (danh mục thủ tục hành chính)"),
    (r"QĐ 1523/QĐ-BCA-C06", "Quyết định số 1523/QĐ-BCA-C06 ngày 26/3/2026 (mã thủ tục)"),
    (r"Thông tư 12/2025/TT-BCA", "Thông tư số 12/2025/TT-BCA của Bộ Công an"),
    (r"Cổng Dịch vụ công quốc gia", "Cổng Dịch vụ công quốc gia"),
    (r"Bộ Pháp điển", "Bộ Pháp điển (phapdien.moj.gov.vn)"),
]
DEFAULT_SOURCE = "Danh mục thủ tục hành chính của Bộ Công an"
COMMON_NAMES_SHOWN = 5
_ABBREVIATION = re.compile(r"^[A-ZĐ0-9]{2,6}$")
# English words people mix in ("làm passport"): kept for the search, not shown.
_FOREIGN_WORDS = {"passport", "pass", "foreigner", "foreigners", "extend", "extension", "card"}


def official_sources(source: str) -> list[str]:
    """The official documents and portals named in a catalogue entry's ``source``; the
    Ministry's catalogue when it names none of them (every entry comes from it)."""
    found = [name for pattern, name in OFFICIAL_SOURCES if re.search(pattern, source or "")]
    return found or [DEFAULT_SOURCE]


def _is_vietnamese_words(alias: str) -> bool:
    """Written with Vietnamese letters (an accented letter somewhere), or a common capitalised
    abbreviation ("CCCD"); not an unaccented spelling or an English phrase."""
    if _FOREIGN_WORDS & set(alias.casefold().split()):
        return False
    return any(ord(ch) > 127 for ch in alias) or bool(_ABBREVIATION.match(alias))


def common_names(name: str, aliases: list[str], limit: int = COMMON_NAMES_SHOWN) -> list[str]:
    """A few of the names people use for the procedure, as they would write them."""
    seen = {name.casefold()}
    shown = []
    for alias in aliases or []:
        alias = str(alias).strip()
        key = alias.casefold()
        if not alias or key in seen or not _is_vietnamese_words(alias):
            continue
        if key.startswith(("mẫu ", "phiếu ")):  # form numbers belong to the documents list
            continue
        seen.add(key)
        shown.append(alias)
        if len(shown) == limit:
            break
    return shown


# The catalogue's ``uncertain`` list is a research note for its maintainers ("thời hạn 3 ngày
# làm việc", "lệ phí 135.000 đồng (nguồn thứ cấp)", "national_code"). A citizen reads only which
# kinds of information to confirm at the counter; the unknown national code is simply not shown.
_UNCERTAIN_TOPICS = [
    ("thời hạn", "thời hạn giải quyết"),
    ("phí", "lệ phí"),
    ("mức giảm", "lệ phí"),
    ("hồ sơ", "giấy tờ cần nộp"),
    ("mẫu", "giấy tờ cần nộp"),
    ("giấy tờ", "giấy tờ cần nộp"),
]
_OTHER_TOPIC = "căn cứ pháp lý"


def uncertain_topics(items: list[str]) -> list[str]:
    """The kinds of information a citizen should confirm with the receiving officer, in a
    fixed order, each once; empty when only the national code is unconfirmed."""
    topics = set()
    for item in items or []:
        item = str(item).casefold()
        if item == "national_code":
            continue
        topic = next((label for key, label in _UNCERTAIN_TOPICS if key in item), _OTHER_TOPIC)
        topics.add(topic)
    order = [label for _key, label in _UNCERTAIN_TOPICS] + [_OTHER_TOPIC]
    return sorted(topics, key=order.index)
