"""One analyzer for documents and queries (folding, abbreviations, stop phrases, unigrams
and bigrams), and the spelling repair of query tokens (Telex, typos, sound-alikes)."""

from __future__ import annotations

import re

from langnghe.core.text import fold

from .vocabulary import (
    ABBREVIATIONS,
    NON_CONTENT_WORDS,
    PLACE_PHRASES,
    PLACE_WORDS,
    PROTECTED_BIGRAMS,
    STOP_PHRASES,
    STOP_WORDS,
)

MAX_QUERY_LENGTH = 500


def non_content_positions(words: list[str]) -> set[int]:
    """Positions of ``words`` (content words of a question) that name no procedure."""
    found = {i for i, w in enumerate(words) if w in NON_CONTENT_WORDS or w in PLACE_WORDS}
    for i in range(len(words)):
        for phrase in PLACE_PHRASES:
            if tuple(words[i : i + len(phrase)]) == phrase:
                found |= set(range(i, i + len(phrase)))
    return found


_SPLIT = re.compile(r"[^\w]+", re.UNICODE)
_SEGMENT = re.compile(r"[.,;:!?()\[\]/\n]+")
_TELEX_TONES = set("sfrxj")


_CONSONANT_Y = re.compile(r"^[bcdghklmnpqrstvx]+y$")


def _normalise(token: str) -> str:
    """Spelling variants Vietnamese allows: "ký"/"kí", "lý"/"lí", "mỹ"/"mĩ" → one form."""
    if _CONSONANT_Y.match(token):
        return token[:-1] + "i"
    return token


def _raw_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for token in _SPLIT.split(fold(text)):
        if not token or token == "_":
            continue
        tokens.extend(_normalise(t) for t in ABBREVIATIONS.get(token, token).split())
    # "ô tô" / "o to" / "oto" are one word: joined so that "o" can be a stop word.
    joined: list[str] = []
    for token in tokens:
        if token == "to" and joined and joined[-1] == "o":
            joined[-1] = "oto"
        else:
            joined.append(token)
    return joined


_STOP_PHRASES = sorted((tuple(p.split()) for p in STOP_PHRASES), key=len, reverse=True)
# The same phrases by their first word, longest first: a position is only compared with the
# phrases that can start there.
_STOP_PHRASES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _STOP_PHRASES:
    _STOP_PHRASES_BY_FIRST.setdefault(_phrase[0], []).append(_phrase)


def _drop_stops(tokens: list[str]) -> list[str]:
    protected = set()
    for i, pair in enumerate(zip(tokens, tokens[1:], strict=False)):
        if pair in PROTECTED_BIGRAMS:
            protected |= {i, i + 1}
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in _STOP_PHRASES_BY_FIRST.get(tokens[i], ()):
            if i not in protected and tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            if tokens[i] not in STOP_WORDS or i in protected:
                kept.append(tokens[i])
            i += 1
    return kept


def analyze(text: str) -> list[str]:
    """Folded content tokens of ``text``, question words removed."""
    return _drop_stops(_raw_tokens(text))


def _terms(tokens: list[str]) -> list[str]:
    return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def document_terms(text: str) -> list[str]:
    """Unigrams and bigrams of a document field; bigrams do not cross punctuation."""
    terms: list[str] = []
    for segment in _SEGMENT.split(text or ""):
        terms.extend(_terms(analyze(segment)))
    return terms


# --- Spelling repair ---------------------------------------------------------------------


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment), returns limit + 1 beyond the limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def telex_decode(token: str) -> str:
    """Undo Telex typing left unconverted: "cuowcs" → "cuoc", "hoj" → "ho", "ddaau" → "dau"."""
    word = token
    if len(word) > 2 and word[-1] in _TELEX_TONES and any(v in word[:-1] for v in "aeiouy"):
        word = word[:-1]
    word = word.replace("dd", "d").replace("aa", "a").replace("ee", "e").replace("oo", "o")
    word = word.replace("uw", "u").replace("ow", "o").replace("aw", "a").replace("w", "u")
    # A tone letter may also sit in the middle ("cuocs" typed as "cuosc").
    return word


# Letters Vietnamese speakers of one region or another swap when they type (ch/tr, s/x,
# d/gi/r, l/n at the start; n/ng, c/t at the end).
_INITIAL_SWAPS = [
    ("ch", "tr"),
    ("tr", "ch"),
    ("s", "x"),
    ("x", "s"),
    ("gi", "d"),
    ("d", "gi"),
    ("r", "d"),
    ("d", "r"),
    ("gi", "r"),
    ("r", "gi"),
    ("l", "n"),
    ("n", "l"),
    ("k", "c"),
    ("c", "k"),
]
_FINAL_SWAPS = [("ng", "n"), ("n", "ng"), ("c", "t"), ("t", "c"), ("i", "y"), ("y", "i")]


def phonetic_variants(token: str) -> set[str]:
    variants = set()
    for old, new in _INITIAL_SWAPS:
        if (
            token.startswith(old)
            and not (old == "c" and token.startswith("ch"))
            and not (old == "d" and token.startswith("gi"))
        ):
            variants.add(new + token[len(old) :])
    for old, new in _FINAL_SWAPS:
        if token.endswith(old) and not (old == "n" and token.endswith("ng")):
            variants.add(token[: -len(old)] + new)
    variants.discard(token)
    return variants
