"""Score the triage model on the held-out set (never trained on)."""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from langnghe.triage import classifier
from langnghe.triage.selectors import triage_text

TARGET_MACRO_F1 = 0.85
TARGET_URGENT_RECALL = 0.98


class Command(BaseCommand):
    help = "Đánh giá bộ phân loại trên tập kiểm tra riêng (precision/recall/F1, khẩn cấp, độ trễ)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            action="append",
            default=None,
            help="tệp JSONL khác để đánh giá (mặc định: tập held-out)",
        )
        parser.add_argument("--errors", action="store_true", help="in các tin bị phân loại sai")
        parser.add_argument(
            "--no-fail", action="store_true", help="không trả mã lỗi khi chưa đạt chỉ tiêu"
        )

    def handle(self, *args, file=None, errors=False, no_fail=False, **options):
        from pathlib import Path

        from sklearn.metrics import classification_report, confusion_matrix, f1_score

        try:
            rows = (
                [r for f in file for r in classifier.read_jsonl(Path(f))]
                if file
                else classifier.heldout_rows()
            )
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được dữ liệu đánh giá: {exc}") from exc
        if not rows:
            raise CommandError("Tập đánh giá trống.")

        classifier.get_model()
        triage_text("khởi động")  # warm-up: first call pays for lazy imports
        results, latencies = [], []
        for row in rows:
            started = time.perf_counter()
            results.append(triage_text(row["text"]))
            latencies.append((time.perf_counter() - started) * 1000)

        labels = list(classifier.CATEGORIES)
        truth = [row["category"] for row in rows]
        predicted = [result.category for result in results]
        out = self.stdout.write
        meta = classifier.get_model().meta
        out(
            f"messages: {len(rows)}; model trained on {meta['messages']} messages, data "
            f"{meta['data']}, scikit-learn {meta['sklearn']}"
        )
        out(classification_report(truth, predicted, labels=labels, digits=3, zero_division=0))
        macro = f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)

        urgent_truth = [bool(row["urgent"]) for row in rows]
        urgent_pred = [result.urgent for result in results]
        true_positive = sum(t and p for t, p in zip(urgent_truth, urgent_pred, strict=True))
        urgent_recall = true_positive / max(1, sum(urgent_truth))
        urgent_precision = true_positive / max(1, sum(urgent_pred))
        hotline_pairs = [
            (row["hotline"], result.hotline)
            for row, result in zip(rows, results, strict=True)
            if row["urgent"] and result.urgent
        ]
        hotline_accuracy = (
            sum(a == b for a, b in hotline_pairs) / len(hotline_pairs) if hotline_pairs else 0.0
        )

        out("confusion matrix (rows = truth, columns = predicted):")
        width = max(len(label) for label in labels)
        out(" " * (width + 1) + " ".join(f"{label[:8]:>8}" for label in labels))
        for label, line in zip(
            labels, confusion_matrix(truth, predicted, labels=labels), strict=True
        ):
            out(f"{label:>{width}} " + " ".join(f"{n:>8}" for n in line))

        by_source = {}
        for row, result in zip(rows, results, strict=True):
            hits = by_source.setdefault(row.get("source", "?"), [0, 0])
            hits[0] += row["category"] == result.category
            hits[1] += 1
        ordered = sorted(latencies)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        out("")
        out(f"macro-F1:        {macro:.3f}   (target ≥ {TARGET_MACRO_F1})")
        out(
            f"urgent recall:   {urgent_recall:.3f}   (target ≥ {TARGET_URGENT_RECALL}; "
            f"{true_positive}/{sum(urgent_truth)})"
        )
        out(f"urgent precision:{urgent_precision:.3f}   ({true_positive}/{sum(urgent_pred)})")
        out(f"hotline accuracy on urgent: {hotline_accuracy:.3f} ({len(hotline_pairs)} messages)")
        out(
            "accuracy by source: "
            + ", ".join(
                f"{source} {ok}/{n} = {ok / n:.3f}" for source, (ok, n) in sorted(by_source.items())
            )
        )
        out(
            f"latency per message: p50 {statistics.median(latencies):.2f} ms, p95 {p95:.2f} ms, "
            f"max {ordered[-1]:.2f} ms"
        )

        if errors:
            out("\nerrors (truth → predicted):")
            for row, result in zip(rows, results, strict=True):
                if (row["category"], bool(row["urgent"])) != (result.category, result.urgent):
                    out(
                        f"  {row['category']}/{'U' if row['urgent'] else '-'} → "
                        f"{result.category}/{'U' if result.urgent else '-'} "
                        f"({result.confidence:.2f}) {row['text'][:100]}"
                    )

        if not no_fail and (macro < TARGET_MACRO_F1 or urgent_recall < TARGET_URGENT_RECALL):
            raise CommandError("Chưa đạt chỉ tiêu (macro-F1 ≥ 0,85, recall khẩn cấp ≥ 0,98).")
