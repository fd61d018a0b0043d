"""`langnghe bench_insights`: how long a province summary takes at national scale (see
bench/insights.py). It deletes the counters and aggregates inside a transaction it rolls back,
so it runs on a scratch database only (bench/scratch.py)."""

from django.core.management.base import BaseCommand, CommandError

from bench.insights import summary_benchmark
from bench.scratch import scratch_argument_add, scratch_database_require
from langnghe.units.models import Unit


class Command(BaseCommand):
    help = "Đo thời gian tổng hợp toàn tỉnh ở quy mô toàn quốc (dữ liệu giả, hoàn tác)."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3400)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--responses", type=int, default=10_000_000)
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--naive-cases", type=int, default=200_000)
        parser.add_argument("--repeat", type=int, default=5)
        scratch_argument_add(parser)

    def handle(
        self,
        *args,
        units,
        days,
        responses,
        cases,
        naive_cases,
        repeat,
        scratch_declared,
        **options,
    ):
        if min(units, days, repeat) < 1 or min(responses, cases, naive_cases) < 0 or days > 1100:
            raise CommandError("Tham số không hợp lệ.")
        scratch_database_require("bench_insights", declared=scratch_declared)
        if not Unit.objects.filter(code="BG").exists():
            raise CommandError("Chưa có mạng lưới đơn vị: chạy `langnghe load_demo` trước.")
        summary_benchmark(
            units=units,
            days=days,
            responses=responses,
            cases=cases,
            naive_cases=naive_cases,
            repeat=repeat,
            write=self.stdout.write,
        )
