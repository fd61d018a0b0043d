"""Score the triage model by the protocol of langnghe/triage/EVALUATION.md: the gate is the
hand-written held-out set of the current round; the development sets are reported, each on its
own, and never gate."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.triage import classifier, evaluation


class Command(BaseCommand):
    help = (
        "Đánh giá bộ phân loại: tập kiểm tra viết tay của vòng hiện tại (chỉ tiêu macro-F1 ≥ "
        "0,85, recall khẩn cấp ≥ 0,98) và từng tập phát triển riêng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--round",
            dest="round_number",
            type=int,
            default=None,
            help="vòng đánh giá (mặc định: dòng 'Current round' của EVALUATION.md)",
        )
        parser.add_argument(
            "--file",
            action="append",
            default=None,
            help="chấm (và áp chỉ tiêu) trên tệp JSONL này thay cho tập held-out; lặp được",
        )
        parser.add_argument(
            "--no-dev", action="store_true", help="không in số liệu các tập phát triển"
        )
        parser.add_argument("--errors", action="store_true", help="in các tin bị phân loại sai")
        parser.add_argument(
            "--no-fail",
            action="store_true",
            help="chỉ để thăm dò: không trả mã lỗi khi chưa đạt (make eval-triage không dùng)",
        )

    def handle(self, *args, round_number=None, file=None, no_dev=False, errors=False, **options):
        out = self.stdout.write
        meta = classifier.get_model().meta
        out(
            f"model trained on {meta.get('messages')} messages, data {meta.get('data')}, "
            f"scikit-learn {meta.get('sklearn')}"
        )
        classifier.classify("khởi động")  # warm-up: the first call pays for lazy imports

        failure = None
        if file:
            gated = [(Path(name).name, self._read(Path(name))) for name in file]
        else:
            try:
                number = round_number if round_number is not None else evaluation.current_round()
            except (OSError, ValueError) as exc:
                raise CommandError(f"Không xác định được vòng đánh giá: {exc}") from exc
            path = evaluation.heldout_path(number)
            if path.exists():
                gated = [(f"HELD-OUT round {number} ({path.name})", self._read(path))]
            else:
                gated = []
                failure = (
                    f"Thiếu tập kiểm tra viết tay của vòng {number} ({path.name}): không có số "
                    "liệu nào để chấm (số liệu tập phát triển không thay được)."
                )
                out(f"\nHELD-OUT round {number}: {path.name} is absent — nothing to gate on.")
            if not no_dev:
                out("\nDEVELOPMENT sets (seen while writing rules and thresholds; not a measure):")
                for name in evaluation.DEVELOPMENT_FILES:
                    dev_path = classifier.DATA_DIR / name
                    if dev_path.exists():
                        self._report(evaluation.score(name, self._read(dev_path)), errors)

        latencies = []
        for name, rows in gated:
            leaked = evaluation.trained_on(rows)
            if len(leaked) > evaluation.MAX_COINCIDENT_SHARE * len(rows):
                raise CommandError(
                    f"{name}: {len(leaked)} tin cũng có trong dữ liệu huấn luyện — tập này không "
                    "còn là tập kiểm tra."
                )
            if leaked:
                # Texts written apart can coincide ("alo", "test"): they are set aside, named,
                # and not scored; more than a few means the set leaked, refused above.
                out(
                    f"\n{name}: {len(leaked)} tin trùng nguyên văn dữ liệu huấn luyện, không chấm: "
                    + ", ".join(repr(t[:40]) for t in leaked)
                )
                rows = [r for r in rows if r["text"] not in set(leaked)]
            result = evaluation.score(name, rows)
            out("\nGATED:")
            self._report(result, errors)
            latencies += result.latencies_ms
            if not result.passes and failure is None:
                failure = (
                    f"{name}: chưa đạt chỉ tiêu (macro-F1 {result.macro_f1:.3f} / "
                    f"{evaluation.TARGET_MACRO_F1}, recall khẩn cấp {result.urgent_recall:.3f} / "
                    f"{evaluation.TARGET_URGENT_RECALL})."
                )
        if latencies:
            out(evaluation.latency_line(latencies))
        out(
            f"targets: macro-F1 ≥ {evaluation.TARGET_MACRO_F1}, urgent recall ≥ "
            f"{evaluation.TARGET_URGENT_RECALL} (on the gated set)"
        )
        if failure:
            if options.get("no_fail"):
                self.stderr.write(f"(--no-fail) {failure}")
            else:
                raise CommandError(failure)

    def _read(self, path: Path) -> list[dict]:
        try:
            rows = classifier.read_jsonl(path)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được dữ liệu đánh giá: {exc}") from exc
        if not rows:
            raise CommandError(f"Tập đánh giá {path.name} trống.")
        return rows

    def _report(self, result: evaluation.SetScore, errors: bool) -> None:
        self.stdout.write("  " + result.summary())
        if errors:
            for row, got in result.misses:
                self.stdout.write(
                    f"    {row['category']}/{'U' if row['urgent'] else '-'} → "
                    f"{got.category}/{'U' if got.urgent else '-'} ({got.confidence:.2f}) "
                    f"{row['text'][:110]}"
                )
