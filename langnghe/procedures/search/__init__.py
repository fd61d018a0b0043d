"""Finding a procedure from the words citizens actually type.

An in-process BM25F index over three fields of every active procedure — name (weight 3),
aliases (2: colloquial words and abbreviations), summary (1) — plus the field's label (0.5).
It is built from the database rows, so SQLite and PostgreSQL give the same ranking, and it is
cached in the process and rebuilt when the catalogue changes (see ``selectors``).

One analyzer serves documents and queries alike:

1. accent folding (``core.text.fold``): "căn cước", "can cuoc" and "cán cuộc" become one;
2. chat abbreviations expanded ("dk" → "dang ky", "cccd" → "can cuoc cong dan", "ntn" →
   "nhu the nao"), "ô tô" joined into one token;
3. question phrases dropped ("cho em hỏi", "như thế nào", "cần gì", "mất bao lâu");
4. unigrams plus word bigrams: Vietnamese words are mostly two syllables ("hộ chiếu", "hộ
   khẩu"), so the bigram carries the meaning the single syllable lacks.

Query tokens the catalogue has never seen are repaired before scoring: Telex left-overs
("cuowcs" → "cuoc"), words run together ("hochieu" → "ho chieu"), then typos within edit
distance 1 (2 for long tokens) of the vocabulary, found through a deletion index (SymSpell).
Repaired tokens count a little less than exact ones.
"""

from .analysis import (
    MAX_QUERY_LENGTH,
    analyze,
    document_terms,
    non_content_positions,
    phonetic_variants,
    telex_decode,
)
from .index import Hit, IndexedDocument, QueryTerm, SearchIndex

__all__ = [
    "MAX_QUERY_LENGTH",
    "Hit",
    "IndexedDocument",
    "QueryTerm",
    "SearchIndex",
    "analyze",
    "document_terms",
    "non_content_positions",
    "phonetic_variants",
    "telex_decode",
]
