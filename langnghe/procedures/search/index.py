"""The BM25F index over the catalogue: built from the rows, it repairs and weighs a query's
words and ranks the procedures."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .analysis import (
    _deletes,
    _distance,
    analyze,
    document_terms,
    non_content_positions,
    phonetic_variants,
    telex_decode,
)

FIELD_WEIGHTS = {"name": 3.0, "aliases": 2.0, "summary": 1.0, "field": 0.5}
# Length normalisation per field: aliases lists are long by design, so they are barely
# normalised; the summary is ordinary prose.
FIELD_B = {"name": 0.5, "aliases": 0.3, "summary": 0.75, "field": 0.0}
K1 = 1.2
# A pair of words with one word between them ("mua lại xe" → "mua xe") counts this much.
SKIP_BIGRAM_WEIGHT = 0.5
WORD_MEMO_SIZE = 50_000  # words (and word pairs) whose query-side work an index keeps


@dataclass
class IndexedDocument:
    code: str
    title: str
    url: str
    field: str
    field_label: str
    # Static rank: the usual procedure of a group ("Cấp thẻ căn cước" among the card
    # procedures) wins a tie on a bare topic query ("làm căn cước").
    boost: float = 1.0


@dataclass
class Hit:
    code: str
    title: str
    url: str
    field: str
    score: float
    # Share of the query's words found in the procedure, and whether a two-word term
    # matched: how sure a conversational answer may be.
    coverage: float = 0.0
    phrase: bool = False
    # The same share with each word weighed by how rare it is in the catalogue (a word no
    # procedure uses weighs most; a repaired typo counts by its repair's weight), the number
    # of adjacent word pairs of the query found together in the procedure, and the number of
    # the query's content words: what ``confidence`` decides from.
    weighted_coverage: float = 0.0
    pairs_matched: int = 0
    query_words: int = 0
    # Per query word: its weight, and how well this procedure matched it (0 to 1).
    word_weights: tuple[float, ...] = ()
    word_credit: tuple[float, ...] = ()


@dataclass
class QueryTerm:
    term: str
    weight: float
    positions: tuple[int, ...] = ()  # which query words it stands for


@dataclass
class SearchIndex:
    documents: list[IndexedDocument]
    # term → {document position: idf × saturated BM25F term frequency}
    impacts: dict[str, dict[int, float]]
    vocabulary: set[str]
    document_frequency: dict[str, int]
    _delete_index: dict[str, set[str]] = field(default_factory=dict, repr=False)
    # What the query side worked out per word (a repair, a neighbour's spellings): a function
    # of the word and this index alone, and citizens' messages reuse most of their words, so
    # each is worked out once (the Zalo drain asks for an answer to every procedure question).
    _word_memo: dict[tuple, tuple] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, rows: list[dict]) -> SearchIndex:
        """``rows``: dicts with code, title, url, field, field_label, name, aliases (list),
        summary — one per active procedure, in a stable order."""
        documents: list[IndexedDocument] = []
        field_terms: list[dict[str, Counter]] = []
        lengths: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            documents.append(
                IndexedDocument(
                    code=row["code"],
                    title=row["title"],
                    url=row["url"],
                    field=row["field"],
                    field_label=row["field_label"],
                    boost=row.get("search_weight", 1.0),
                )
            )
            per_field = {
                "name": Counter(document_terms(row["name"])),
                "aliases": Counter(t for alias in row["aliases"] for t in document_terms(alias)),
                "summary": Counter(document_terms(row["summary"])),
                "field": Counter(document_terms(row["field_label"])),
            }
            field_terms.append(per_field)
            for name, counter in per_field.items():
                lengths[name].append(sum(counter.values()))
        average = {name: (sum(v) / len(v) if v and sum(v) else 1.0) for name, v in lengths.items()}

        document_frequency: Counter = Counter()
        for per_field in field_terms:
            document_frequency.update(set().union(*(c.keys() for c in per_field.values())))
        total = len(documents)
        impacts: dict[str, dict[int, float]] = defaultdict(dict)
        for position, per_field in enumerate(field_terms):
            weighted: Counter = Counter()
            for name, counter in per_field.items():
                length = sum(counter.values())
                norm = 1 - FIELD_B[name] + FIELD_B[name] * length / average[name]
                for term, tf in counter.items():
                    weighted[term] += FIELD_WEIGHTS[name] * tf / norm
            for term, wtf in weighted.items():
                df = document_frequency[term]
                idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
                impacts[term][position] = idf * wtf * (K1 + 1) / (K1 + wtf)
        vocabulary = {t for t in document_frequency if "_" not in t}
        index = cls(
            documents=documents,
            impacts=dict(impacts),
            vocabulary=vocabulary,
            document_frequency=dict(document_frequency),
        )
        for word in vocabulary:
            if len(word) >= 3:
                for deleted in _deletes(word, 2 if len(word) >= 6 else 1):
                    index._delete_index.setdefault(deleted, set()).add(word)
        return index

    # -- query side --

    def _segment(self, token: str) -> list[str] | None:
        """Split words typed together ("hochieu") into known words, fewest pieces first."""
        if len(token) < 4:
            return None
        best: list[list[str] | None] = [None] * (len(token) + 1)
        best[0] = []
        for end in range(1, len(token) + 1):
            for start in range(max(0, end - 8), end):
                piece = token[start:end]
                if best[start] is not None and len(piece) >= 2 and piece in self.vocabulary:
                    candidate = best[start] + [piece]
                    if best[end] is None or len(candidate) < len(best[end]):
                        best[end] = candidate
        result = best[-1]
        return result if result and len(result) > 1 else None

    def _near(self, token: str, *, minimum: int = 4) -> list[str]:
        if len(token) < minimum:
            return []
        limit = 2 if len(token) >= 7 else 1
        candidates: set[str] = set()
        for deleted in _deletes(token, limit):
            candidates |= self._delete_index.get(deleted, set())
        scored = [
            (d, -self.document_frequency.get(w, 0), w)
            for w in candidates
            if (d := _distance(token, w, limit)) <= limit
        ]
        if not scored:
            return []
        best = min(d for d, _, _ in scored)
        return [w for d, _, w in sorted(scored) if d == best][:2]

    def _memo(self, key: tuple, work) -> tuple:
        found = self._word_memo.get(key)
        if found is None:
            found = tuple(work())
            if len(self._word_memo) >= WORD_MEMO_SIZE:
                self._word_memo.clear()  # rare: a flood of new words; start afresh
            self._word_memo[key] = found
        return found

    def _repair(self, token: str) -> list[tuple[str, float]]:
        """Known word(s) for one query token with a confidence weight, or [] if hopeless."""
        return list(self._memo(("repair", token), lambda: self._repair_work(token)))

    def _repair_work(self, token: str) -> list[tuple[str, float]]:
        if token in self.vocabulary or token.isdigit():
            return [(token, 1.0)]
        decoded = telex_decode(token)
        if decoded != token and decoded in self.vocabulary:
            return [(decoded, 0.9)]
        if pieces := self._segment(token):
            return [(" ".join(pieces), 0.9)]
        if near := self._near(token):
            return [(w, 0.7) for w in near]
        if decoded != token and (near := self._near(decoded)):
            return [(w, 0.6) for w in near]
        return []

    def _context_variants(self, word: str, neighbour: str, *, before: bool) -> list[str]:
        """Spellings of ``word`` that form a known two-word term with its neighbour:
        "tạm chú" → "tạm trú", "hộ chiu" → "hộ chiếu"."""
        key = ("context", word, neighbour, before)
        return list(
            self._memo(key, lambda: self._context_variants_work(word, neighbour, before=before))
        )

    def _context_variants_work(self, word: str, neighbour: str, *, before: bool) -> list[str]:
        candidates = phonetic_variants(word) | set(self._near(word, minimum=3))
        found = []
        for candidate in candidates:
            term = f"{neighbour}_{candidate}" if before else f"{candidate}_{neighbour}"
            if term in self.impacts:
                found.append(candidate)
        return sorted(found)[:2]

    def query_terms(self, query: str) -> list[QueryTerm]:
        return self._query(query)[0]

    def query_words(self, query: str) -> list[str]:
        """The query's content words, one per word position the search scores (a word typed
        run together counts as its pieces); unknown words are kept as typed."""
        return self._query(query)[2]

    def word_weight(self, term: str) -> float:
        """How much a word tells procedures apart: its inverse document frequency in the
        catalogue; a word no procedure uses weighs most."""
        total = len(self.documents)
        df = self.document_frequency.get(term, 0)
        return math.log(1 + (total - df + 0.5) / (df + 0.5))

    def _query(self, query: str) -> tuple[list[QueryTerm], int, list[str]]:
        """The weighted terms of a query, the number of word positions they cover and the
        word typed at each position."""
        positions: list[list[tuple[str, float]]] = []
        typed: list[str] = []
        for token in analyze(query):
            repaired = self._repair(token)
            if not repaired:
                positions.append([])
                typed.append(token)
                continue
            if " " in repaired[0][0]:  # a segmented token becomes several positions
                word, weight = repaired[0]
                positions.extend([[(piece, weight)] for piece in word.split()])
                typed.extend(word.split())
            else:
                positions.append(list(repaired))
                typed.append(token)
        # Context repair: a known word that makes no known pair with its neighbour may be a
        # misspelling of one that does.
        for i in range(len(positions) - 1):
            left, right = positions[i], positions[i + 1]
            if not left or not right:
                continue
            lw, rw = left[0][0], right[0][0]
            if f"{lw}_{rw}" in self.impacts:
                continue
            for variant in self._context_variants(rw, lw, before=True):
                right.append((variant, 0.75))
            for variant in self._context_variants(lw, rw, before=False):
                left.append((variant, 0.75))

        terms: dict[str, QueryTerm] = {}

        def put(term: str, weight: float, at: tuple[int, ...]) -> None:
            if term not in terms or terms[term].weight < weight:
                terms[term] = QueryTerm(term, weight, at)

        for i, options in enumerate(positions):
            for word, weight in options:
                put(word, weight, (i,))
        for gap, factor in ((1, 1.0), (2, SKIP_BIGRAM_WEIGHT)):
            for i, (left, right) in enumerate(zip(positions, positions[gap:], strict=False)):
                for lw, lweight in left:
                    for rw, rweight in right:
                        term = f"{lw}_{rw}"
                        if gap == 1 or term in self.impacts:
                            put(term, factor * min(lweight, rweight), (i, i + gap))
        return list(terms.values()), len(positions), typed

    def search(self, query: str, *, limit: int = 10) -> list[Hit]:
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, set[int]] = defaultdict(set)
        phrase: dict[int, set[int]] = defaultdict(set)
        # position → document → the best weight with which one of its words matched
        credit: dict[int, dict[int, float]] = defaultdict(dict)
        terms, width, typed = self._query(query)
        for qt in terms:
            for position, impact in self.impacts.get(qt.term, {}).items():
                scores[position] += qt.weight * impact
                if len(qt.positions) == 1:
                    matched[position].update(qt.positions)
                    at = credit[qt.positions[0]]
                    at[position] = max(at.get(position, 0.0), qt.weight)
                elif qt.positions[1] - qt.positions[0] == 1:
                    phrase[position].add(qt.positions[0])
        for position in scores:
            scores[position] *= self.documents[position].boost
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        # A number ("5 tuổi", "năm 2025") tells nothing about which procedure is meant.
        weights = tuple(0.0 if word.isdigit() else self.word_weight(word) for word in typed)
        total_weight = sum(weights)

        filler = non_content_positions(typed)

        def word_credit(document: int) -> tuple[float, ...]:
            # A repaired word counts by its repair's weight, squared: an unknown word close to
            # a catalogue word ("vàng" → "vắng") is weak evidence.
            return tuple(credit[i].get(document, 0.0) ** 2 for i in range(len(typed)))

        def word_weights(document: int) -> tuple[float, ...]:
            # A word that names no procedure ("mẹ", "70 tuổi", "bắc giang") does not count
            # (a match on "bà" or "sắp" alone is chance) unless it is part of a pair of words
            # the procedure has ("con dấu", "sang tên"), or the question has nothing else.
            if len(filler) == len(typed):
                return weights
            in_pair = {j for i in phrase[document] for j in (i, i + 1)}
            return tuple(
                0.0 if i in filler and i not in in_pair else w for i, w in enumerate(weights)
            )

        def weighted_coverage(document: int) -> float:
            doc_weights = word_weights(document)
            total = sum(doc_weights)
            if not total or not total_weight:
                return 0.0
            found = sum(w * c for w, c in zip(doc_weights, word_credit(document), strict=True))
            return round(found / total, 3)

        return [
            Hit(
                code=self.documents[p].code,
                title=self.documents[p].title,
                url=self.documents[p].url,
                field=self.documents[p].field,
                score=round(s, 4),
                coverage=round(len(matched[p]) / width, 3) if width else 0.0,
                phrase=bool(phrase[p]),
                weighted_coverage=weighted_coverage(p),
                pairs_matched=len(phrase[p]),
                query_words=width,
                word_weights=word_weights(p),
                word_credit=word_credit(p),
            )
            for p, s in ranked
        ]
