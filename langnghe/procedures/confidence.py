"""Whether a police procedure answers a question at all, and if not, who does.

BM25 scores grow with the length of the question and mean nothing from one question to the
next, so they decide nothing here. What decides is what the best match *explains* of the
question, the same measure for every question:

- **weighted coverage** — the share of the question's content words found in the best
  procedure (name, aliases, summary, field), each word weighed by its inverse document
  frequency in the catalogue (a word no procedure uses — "rượu", "vàng", "khai sinh" —
  weighs most; a number nothing); a typo repaired to a catalogue word counts by its repair's
  weight squared (0.49 for an edit-distance repair), so a stranger word close to a catalogue
  word is weak evidence;
- **a phrase** — at least one pair of adjacent content words of the question found together
  in the procedure ("hộ chiếu", "tạm trú"): Vietnamese meaning lives in two-syllable words,
  and a question whose words match only one by one ("con tôi bị đánh" → "con" and "định
  danh") is about something else;
- **another agency** — a keyword of ``elsewhere`` in the question ("sổ đỏ", "kết hôn",
  "bán lẻ rượu") wins unless the procedure explains more of the question outside that
  keyword than twice the keyword's weight (``sổ đỏ ghi số CMND cũ … xin xác nhận`` stays
  police).

Words that name no procedure (kinship, age, time, intent, places: ``search.NON_CONTENT_WORDS``)
weigh nothing in the coverage unless the procedure has them in a pair ("con dấu").

Confident = coverage ≥ MIN_COVERAGE (MIN_COVERAGE_MANY_PAIRS when at least MANY_PAIRS pairs of
adjacent words match) and (a phrase, or a one-word question) and no other agency wins. The threshold was set on the dev sets only (``eval_queries.json`` rows "dev" and
``dev_search_abstain.jsonl``); ``langnghe eval_search`` reports both kinds of error.
"""

from __future__ import annotations

from dataclasses import dataclass

from .elsewhere import Agency, elsewhere_match
from .search import Hit

MIN_COVERAGE = 0.5
# Several pairs of the question's words found together in one procedure ("lam lai" + "can
# cuoc" + "cong dan") are strong evidence on their own: a long question that says that much
# about one procedure may leave more of its words unexplained (a café, a pickpocket).
MIN_COVERAGE_MANY_PAIRS = 0.4
MANY_PAIRS = 3
# An agency's keyword names a thing ("sổ đỏ", "đăng kiểm"): it counts this many times its
# words' weight against what the police procedure explains of the rest of the question.
AGENCY_KEYWORD_FACTOR = 2.0


@dataclass(frozen=True)
class Assessment:
    confident: bool
    elsewhere: Agency | None
    reason: str  # for logs, tests and the evaluation: why


def assess(hits: list[Hit], words: list[str]) -> Assessment:
    """``hits`` best first, ``words`` the question's content words (``query_words``)."""
    match = elsewhere_match(words)
    if not hits:
        return Assessment(False, match.agency if match else None, "no match")
    best = hits[0]
    weights, credit = best.word_weights, best.word_credit
    total = sum(weights) or 1.0
    if match is not None and len(weights) == len(words):
        agency_share = AGENCY_KEYWORD_FACTOR * sum(weights[i] for i in match.positions) / total
        police_outside = (
            sum(
                w * c
                for i, (w, c) in enumerate(zip(weights, credit, strict=True))
                if i not in match.positions
            )
            / total
        )
        if police_outside <= agency_share:
            return Assessment(False, match.agency, f"another agency: {match.agency.key}")
    needed = MIN_COVERAGE_MANY_PAIRS if best.pairs_matched >= MANY_PAIRS else MIN_COVERAGE
    if best.weighted_coverage < needed:
        return Assessment(False, None, f"coverage {best.weighted_coverage:.2f} < {needed}")
    if best.query_words > 1 and best.pairs_matched == 0:
        return Assessment(False, None, "no two words of the question match together")
    return Assessment(True, None, "covered")
