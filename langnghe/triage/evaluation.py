"""Scoring the triage model, by the protocol of ``EVALUATION.md``.

The gate is the hand-written held-out set of the current round (``heldout_hand_r<N>.jsonl``):
written before the change it judges, never read while the model and the rules are written.
The development sets (``DEVELOPMENT_FILES``) were all seen while the rules were written; their
figures are printed, each set on its own, and never gate anything.
"""

import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import classifier
from .selectors import triage_text

PROTOCOL_FILE = classifier.HERE / "EVALUATION.md"
TARGET_MACRO_F1 = 0.85
TARGET_URGENT_RECALL = 0.98
DEVELOPMENT_FILES = classifier.DEVELOPMENT_FILES
_ROUND_LINE = re.compile(r"^Current round:\s*\**\s*(\d+)", re.MULTILINE)


def current_round() -> int:
    """The round ``EVALUATION.md`` declares current (its line "Current round: N")."""
    found = _ROUND_LINE.search(PROTOCOL_FILE.read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"{PROTOCOL_FILE.name} has no 'Current round: N' line")
    return int(found.group(1))


def heldout_path(round_number: int) -> Path:
    return classifier.DATA_DIR / f"heldout_hand_r{round_number}.jsonl"


@dataclass
class SetScore:
    name: str
    n: int
    accuracy: float
    macro_f1: float
    urgent_total: int
    urgent_found: int
    urgent_flagged: int
    latencies_ms: list[float] = field(repr=False)
    misses: list[tuple[dict, object]] = field(repr=False)

    @property
    def urgent_recall(self) -> float:
        return self.urgent_found / self.urgent_total if self.urgent_total else 1.0

    @property
    def urgent_precision(self) -> float:
        return self.urgent_found / self.urgent_flagged if self.urgent_flagged else 1.0

    @property
    def passes(self) -> bool:
        return self.macro_f1 >= TARGET_MACRO_F1 and self.urgent_recall >= TARGET_URGENT_RECALL

    def summary(self) -> str:
        return (
            f"{self.name}: n {self.n}, accuracy {self.accuracy:.3f}, macro-F1 "
            f"{self.macro_f1:.3f}, urgent recall {self.urgent_recall:.3f} "
            f"({self.urgent_found}/{self.urgent_total}), urgent precision "
            f"{self.urgent_precision:.3f} ({self.urgent_found}/{self.urgent_flagged})"
        )


def score(name: str, rows: list[dict], classify=None) -> SetScore:
    """Category and urgency figures of one labelled set (``classify`` defaults to the
    process's model through ``triage_text``)."""
    from sklearn.metrics import f1_score

    classify = classify or triage_text
    results, latencies = [], []
    for row in rows:
        started = time.perf_counter()
        results.append(classify(row["text"]))
        latencies.append((time.perf_counter() - started) * 1000)
    truth = [row["category"] for row in rows]
    predicted = [result.category for result in results]
    pairs = list(zip(rows, results, strict=True))
    return SetScore(
        name=name,
        n=len(rows),
        accuracy=sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(1, len(rows)),
        macro_f1=float(
            f1_score(
                truth,
                predicted,
                labels=sorted(set(truth)),  # the categories the set has
                average="macro",
                zero_division=0,
            )
        ),
        urgent_total=sum(bool(row["urgent"]) for row in rows),
        urgent_found=sum(bool(row["urgent"]) and result.urgent for row, result in pairs),
        urgent_flagged=sum(result.urgent for result in results),
        latencies_ms=latencies,
        misses=[
            (row, result)
            for row, result in pairs
            if (row["category"], bool(row["urgent"])) != (result.category, result.urgent)
        ],
    )


def latency_line(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (
        f"latency per message: p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, "
        f"max {ordered[-1]:.2f} ms ({len(ordered)} messages, warm model)"
    )


# Short texts written apart can coincide with a training message ("alo", "test", "???"); up to
# this share of a held-out set is set aside and named, more means the set leaked (refused).
MAX_COINCIDENT_SHARE = 0.02


def trained_on(rows: list[dict]) -> list[str]:
    """Texts of ``rows`` that the training data also holds (a held-out set must have none)."""
    trained = {classifier._key(row["text"]) for row in classifier.training_rows()}
    return [row["text"] for row in rows if classifier._key(row["text"]) in trained]
