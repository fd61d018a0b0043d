"""Procedures of other agencies that citizens ask the police about.

A small sourced table (``data/elsewhere.json``): for each agency key the words citizens use
("sổ đỏ", "khai sinh", "bhxh"), the procedure's title, who settles it and the official page.
A question names one of them when one of its keywords appears in it as a whole phrase, read
with the same analyzer as the procedure search (accents folded, chat abbreviations expanded,
question words dropped), so "dk ket hon" and "đăng ký kết hôn" are one. The longest keyword
found wins; ties go to the agency listed first.

Police matters are never listed here (judicial records and driving licences are police work
since 1 March 2025; so are passports, residence, identity cards, vehicle registration,
weapons, seals, fire safety and conditional businesses): ``tests`` check that none of their
words is a keyword.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .search import analyze

ELSEWHERE_FILE = Path(__file__).resolve().parent / "data" / "elsewhere.json"


@dataclass(frozen=True)
class Agency:
    key: str
    title: str
    agency: str
    url: str
    source: str
    keywords: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ElsewhereMatch:
    agency: Agency
    # Which of the query's content words (positions in ``analyze(query)``) the keyword spans.
    positions: frozenset[int]


@cache
def agencies() -> tuple[Agency, ...]:
    data = json.loads(ELSEWHERE_FILE.read_text(encoding="utf-8"))
    return tuple(
        Agency(
            key=row["key"],
            title=row["title"],
            agency=row["agency"],
            url=row["url"],
            source=row["source"],
            keywords=tuple(
                tokens for keyword in row["keywords"] if (tokens := tuple(analyze(keyword)))
            ),
        )
        for row in data["agencies"]
    )


def elsewhere_match(words: list[str]) -> ElsewhereMatch | None:
    """The other agency a query's content words (``analyze(query)``) name, if any."""
    best: ElsewhereMatch | None = None
    best_size = 0
    for agency in agencies():
        for keyword in agency.keywords:
            size = len(keyword)
            if size <= best_size:
                continue
            # Every place the keyword is said ("hết hạn đăng kiểm … đi đăng kiểm ở đâu").
            positions = {
                i
                for start in range(len(words) - size + 1)
                if tuple(words[start : start + size]) == keyword
                for i in range(start, start + size)
            }
            if positions:
                best, best_size = ElsewhereMatch(agency, frozenset(positions)), size
    return best
