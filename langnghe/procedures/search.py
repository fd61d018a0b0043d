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

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from langnghe.core.text import fold

MAX_QUERY_LENGTH = 500

FIELD_WEIGHTS = {"name": 3.0, "aliases": 2.0, "summary": 1.0, "field": 0.5}
# Length normalisation per field: aliases lists are long by design, so they are barely
# normalised; the summary is ordinary prose.
FIELD_B = {"name": 0.5, "aliases": 0.3, "summary": 0.75, "field": 0.0}
K1 = 1.2
# A pair of words with one word between them ("mua lại xe" → "mua xe") counts this much.
SKIP_BIGRAM_WEIGHT = 0.5
WORD_MEMO_SIZE = 50_000  # words (and word pairs) whose query-side work an index keeps

# Chat spellings and abbreviations → words (both sides of the index go through this).
ABBREVIATIONS = {
    "dk": "dang ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "dangky": "dang ky",
    "cccd": "can cuoc cong dan",
    "cc": "can cuoc",
    "cmnd": "chung minh nhan dan",
    "cmt": "chung minh thu",
    "cmtnd": "chung minh thu nhan dan",
    "gplx": "giay phep lai xe",
    "blx": "bang lai xe",
    "hc": "ho chieu",
    "hk": "ho khau",
    "xnc": "xuat nhap canh",
    "lltp": "ly lich tu phap",
    "pccc": "phong chay chua chay",
    "antt": "an ninh trat tu",
    "cchn": "chung chi hanh nghe",
    "oto": "oto",
    "xm": "xe may",
    "xmay": "xe may",
    "cavet": "ca vet",
    "cavét": "ca vet",
    "cavat": "ca vet",
    "vneid": "vneid",
    "dinhdanh": "dinh danh",
    "k": "khong",
    "ko": "khong",
    "kh": "khong",
    "hok": "khong",
    "khum": "khong",
    "dc": "duoc",
    "đc": "duoc",
    "j": "gi",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "bnh": "bao nhieu",
    "mk": "minh",
    "mn": "moi nguoi",
    "e": "em",
    "a": "anh",
    "vs": "voi",
    "ak": "a",
    "z": "vay",
    "v": "vay",
    "r": "roi",
    "ng": "nguoi",
    "sdt": "so dien thoai",
    "tp": "thanh pho",
    "ct07": "ct07",
    "ct01": "ct01",
    "vk": "vo",
    "ck": "chong",
    "license": "bang lai",
    "licence": "bang lai",
    "passport": "passport ho chieu",
    "visa": "visa thi thuc",
}

# Whole phrases that carry no meaning for finding a procedure (folded).
STOP_PHRASES = [
    "cho em hoi",
    "cho toi hoi",
    "cho minh hoi",
    "cho chau hoi",
    "xin hoi",
    "hoi chut",
    "nhu the nao",
    "the nao",
    "ra sao",
    "lam sao",
    "lam the nao",
    "o dau",
    "cho nao",
    "bao lau",
    "bao nhieu",
    "may ngay",
    "bao gio",
    "khi nao",
    "luc nao",
    "mat bao lau",
    "mat bao nhieu",
    "mat may ngay",
    "mat phi",
    "mat tien",
    "mat thoi gian",
    "het bao nhieu",
    "ton bao nhieu",
    "le phi",
    "chi phi",
    "thu tuc",
    "ho so",
    "giay to",
    "can gi",
    "can nhung",
    "can lam",
    "can phai",
    "can mang",
    "can chuan bi",
    "can co",
    "can nop",
    "can giay",
    "can nhung gi",
    "co duoc",
    "duoc khong",
    "duoc ko",
    "huong dan",
    "quy trinh",
    "trinh tu",
    "moi nguoi",
    "ai biet",
    "giup em",
    "giup voi",
    "o cong an",
    "den cong an",
    "len cong an",
    "ra cong an",
    "cong an xa",
    "cong an phuong",
    "so dien thoai",
]

# Single words with no meaning for the search. Folding makes some of them collide with real
# words ("thẻ"/"thế", "mã"/"ma", "khí"/"khi"), so those are kept; a few are dropped only
# outside the compounds listed in PROTECTED_BIGRAMS ("tôi" but not "tội phạm").
STOP_WORDS = set(
    """a ah ak anh bi biet cac chau chi chu cho chua co cua da de duoc em gi giup ha hay hoi
    khong la lam minh muon nao nay neu nha nhe nhen hen nhi nhu nhung o oi phai ra roi sao se
    tai thoi toi tren tui va vao vay ve voi luon lun ne nua""".split()
)
PROTECTED_BIGRAMS = {("chung", "minh"), ("toi", "pham"), ("hoi", "dong"), ("ve", "sinh")}

# Words of a question that say who asks, where, when and what they want to know — not
# which procedure: kinship ("mẹ em", "ông nội"), age and time ("70 tuổi", "tháng sau"),
# intent ("muốn", "cần mang theo", "mất mấy ngày", "lệ phí", "chỗ nào tốt, rẻ"), place
# ("ở bắc giang", "quận 7").
# They weigh nothing in the coverage (``SearchIndex.search``); ranking is untouched. Folded,
# some collide with content words ("con" and "con dấu", "sang" and "sang tên"): such a word
# counts again when the procedure has it in a pair with its neighbour.
NON_CONTENT_WORDS = set(
    """ba bo me ong cau mo thim bac co di duong chu vo chong con chau be nho ban nguoi nha
    noi ngoai trai gai anh chi em minh tui toi quen
    tuoi nam thang tuan ngay hom qua nay mai truoc sau gio luc sap vua moi lan
    sang trua dem ket cuoi dau
    muon can xin mang theo chuan nop kieu the nao sao bao lau nhieu may buoi het tien
    phi dong phai bat buoc duoc khong ko dc vay oi da chao gium giup nhe thi luon cai
    online truc tuyen mang nhanh lien lac hien tai o den len xuong ra vao tu cho
    ai biet hoi thu tuc giay to ho so gi nhu tot re nhat uy tin
    quan huyen xa phuong thi tran tinh thanh pho thon xom ap khu que dia phuong""".split()
)
# Places named as two words ("bắc giang", "cầu giấy", "nha trang"): both left out alike.
PLACE_PHRASES = {
    tuple(p.split())
    for p in """ha noi|hai phong|da nang|ho chi minh|sai gon|can tho|bac giang|bac ninh|
    thanh hoa|nghe an|ha tinh|quang ninh|thai binh|nam dinh|ninh binh|hai duong|hung yen|
    vinh phuc|phu tho|thai nguyen|lang son|cao bang|ha giang|lao cai|yen bai|tuyen quang|
    son la|dien bien|lai chau|hoa binh|quang binh|quang tri|thua thien|quang nam|quang ngai|
    binh dinh|phu yen|khanh hoa|nha trang|ninh thuan|binh thuan|kon tum|gia lai|dak lak|
    dak nong|lam dong|da lat|binh phuoc|tay ninh|binh duong|dong nai|vung tau|long an|
    tien giang|ben tre|tra vinh|vinh long|dong thap|an giang|kien giang|hau giang|soc trang|
    bac lieu|ca mau|hoi an|thu duc|cau giay|dong da|hoan kiem|ha dong|long bien|gia lam|
    hoang mai|ba dinh|tay ho|thanh xuan|hai ba trung|go vap|binh thanh|tan binh|phu quoc|
    tan son nhat|noi bai|han quoc|trung quoc|nhat ban|dai loan|my tho""".replace("\n", " ").split(
        "|"
    )
}
PLACE_WORDS = {"hue", "vinh", "hcm", "tphcm", "hanoi", "saigon"}


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


# --- The index ---------------------------------------------------------------------------


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
