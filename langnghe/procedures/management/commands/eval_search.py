"""Rerunnable evaluation of the procedure search (issue 3 targets: top-1 ≥ 0.95, top-3 ≥ 0.99,
p95 < 20 ms in process, < 50 ms over HTTP)."""

import json
import statistics
import time
import urllib.parse
import urllib.request
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from langnghe.procedures import selectors
from langnghe.procedures.services import procedure_catalogue_load_bundled

EVAL_FILE = Path(__file__).resolve().parents[2] / "data" / "eval_queries.json"
TARGETS = {"top1": 0.95, "top3": 0.99, "p95_in_process_ms": 20.0, "p95_http_ms": 50.0}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = (
        "Đo chất lượng tìm kiếm thủ tục trên bộ câu hỏi mẫu: độ chính xác top-1, top-3 và "
        "độ trễ p50/p95 trong tiến trình và qua HTTP."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(EVAL_FILE))
        parser.add_argument("--set", choices=["all", "dev", "holdout"], default="all")
        parser.add_argument(
            "--repeat", type=int, default=5, help="số lần chạy mỗi câu khi đo độ trễ"
        )
        parser.add_argument(
            "--url",
            default="",
            help="đo HTTP trên máy chủ đang chạy (vd http://127.0.0.1:8000) "
            "thay vì Django test Client trong tiến trình",
        )
        parser.add_argument(
            "--no-load",
            action="store_true",
            help="không migrate và nạp danh mục kèm theo trước khi đo",
        )
        parser.add_argument("--show-misses", action="store_true")
        parser.add_argument(
            "--strict", action="store_true", help="thoát với mã lỗi nếu không đạt mục tiêu"
        )

    def handle(self, *args, **opts):
        try:
            queries = json.loads(Path(opts["file"]).read_text(encoding="utf-8"))["queries"]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Không đọc được bộ câu hỏi {opts['file']}: {exc}") from exc
        if opts["set"] != "all":
            queries = [q for q in queries if q.get("set") == opts["set"]]
        if not queries:
            raise CommandError("Bộ câu hỏi rỗng.")
        if not opts["no_load"]:
            call_command("migrate", verbosity=0)
            procedure_catalogue_load_bundled()
        selectors.search_index_invalidate()
        selectors.search_index()  # build once, as a running server would have it

        top1 = top3 = 0
        misses = []
        latencies: list[float] = []
        for item in queries:
            for _ in range(max(1, opts["repeat"])):
                start = time.perf_counter()
                hits = selectors.procedure_search(q=item["q"], limit=3)
                latencies.append((time.perf_counter() - start) * 1000)
            codes = [h.code for h in hits]
            expected = set(item["expected"])
            top1 += bool(codes and codes[0] in expected)
            top3 += bool(expected & set(codes))
            if not codes or codes[0] not in expected:
                misses.append((item["q"], item["expected"], codes))
        n = len(queries)
        http, http_label = self._http_latencies(queries, opts["url"], opts["repeat"])

        self.stdout.write(f"Bộ câu hỏi: {opts['file']} ({opts['set']}, {n} câu)")
        self.stdout.write(f"top-1: {top1 / n:.3f}  ({top1}/{n})   mục tiêu ≥ {TARGETS['top1']}")
        self.stdout.write(f"top-3: {top3 / n:.3f}  ({top3}/{n})   mục tiêu ≥ {TARGETS['top3']}")
        self.stdout.write(
            f"trong tiến trình: p50 {statistics.median(latencies):.2f} ms, "
            f"p95 {percentile(latencies, 0.95):.2f} ms   mục tiêu p95 < "
            f"{TARGETS['p95_in_process_ms']:.0f} ms"
        )
        self.stdout.write(
            f"HTTP ({http_label}): p50 {statistics.median(http):.2f} ms, "
            f"p95 {percentile(http, 0.95):.2f} ms   mục tiêu p95 < "
            f"{TARGETS['p95_http_ms']:.0f} ms"
        )
        if opts["show_misses"]:
            for q, expected, codes in misses:
                self.stdout.write(f"  sai: {q!r} → {codes} (đúng: {expected})")
        met = (
            top1 / n >= TARGETS["top1"]
            and top3 / n >= TARGETS["top3"]
            and percentile(latencies, 0.95) < TARGETS["p95_in_process_ms"]
            and percentile(http, 0.95) < TARGETS["p95_http_ms"]
        )
        self.stdout.write(
            self.style.SUCCESS("Đạt mục tiêu.") if met else self.style.WARNING("Chưa đạt mục tiêu.")
        )
        if opts["strict"] and not met:
            raise CommandError("Chưa đạt mục tiêu.")

    def _http_latencies(self, queries, base_url: str, repeat: int) -> tuple[list[float], str]:
        path = "/api/v1/procedures/search"
        times: list[float] = []
        if base_url:
            for item in queries:
                url = f"{base_url.rstrip('/')}{path}?" + urllib.parse.urlencode(
                    {"q": item["q"], "limit": 3}
                )
                for _ in range(max(1, repeat)):
                    start = time.perf_counter()
                    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                        response.read()
                    times.append((time.perf_counter() - start) * 1000)
            return times, f"máy chủ {base_url}"
        from django.test import Client

        client = Client()
        for item in queries:
            for _ in range(max(1, repeat)):
                start = time.perf_counter()
                response = client.get(path, {"q": item["q"], "limit": 3})
                times.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"HTTP {response.status_code} cho {item['q']!r}")
        return times, "Django test Client, trong tiến trình, không qua mạng"
