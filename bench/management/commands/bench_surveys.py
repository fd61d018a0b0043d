"""`langnghe bench_surveys`: how long province results take at N responses.

It writes the counter rows that N responses spread over every active unit and ``--days`` days
would leave (the results never read the responses themselves), times the province, a district
and a commune, then rolls everything back (``--keep`` to leave the rows). It deletes the live
counters first, so it runs on a scratch database only (bench/scratch.py): the database you want
to measure (DATABASE_URL), after `langnghe load_demo`.
"""

import random
import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from bench.scratch import scratch_argument_add, scratch_database_require
from langnghe.surveys.models import DailyCount, MonthlyCount
from langnghe.surveys.selectors import (
    DateRange,
    ranking_compute,
    results_compute,
    trend_compute,
)
from langnghe.units.models import Unit

# Share of the answers at 5, 4, 3, 2, 1 (roughly the 80–90 % SIPAS figures of vn-domain.md §1).
SHARES = [0.46, 0.36, 0.09, 0.05, 0.04]
ELEMENT_RATE = {
    "overall": 1.0,
    "staff": 0.8,
    "access": 0.6,
    "procedure": 0.6,
    "result": 0.6,
    "feedback": 0.4,
}


def _draw(rng: random.Random, expected: float) -> int:
    """Stochastic rounding: small expected counts keep their mean instead of rounding to 0."""
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo thời gian tính kết quả khảo sát toàn tỉnh với N phiếu (dữ liệu giả, hoàn tác)."

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, nargs="+", default=[1_000_000, 10_000_000])
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--keep", action="store_true", help="Giữ lại dữ liệu giả")
        scratch_argument_add(parser)

    def handle(self, *args, responses, days, repeat, seed, keep, scratch_declared, **options):
        if days < 1 or days > 1100 or repeat < 1 or any(n < 1 for n in responses):
            raise CommandError("Tham số không hợp lệ.")
        scratch_database_require("bench_surveys", declared=scratch_declared)
        units = list(Unit.objects.filter(is_active=True).order_by("path"))
        if not units:
            raise CommandError("Chưa có đơn vị nào: chạy `langnghe load_demo` trước.")
        root = units[0]
        district = next((u for u in units if u.kind.code == "district"), root)
        commune = next((u for u in units if u.kind.code == "commune"), root)
        end = timezone.localdate()
        period = DateRange(end - timedelta(days=days - 1), end)
        self.stdout.write(f"CSDL: {connection.vendor}; {len(units)} đơn vị × {days} ngày")
        for total in responses:
            try:
                with transaction.atomic():
                    self._run(total, units, period, root, district, commune, repeat, seed)
                    if not keep:
                        raise Rollback
            except Rollback:
                pass

    def _run(self, total, units, period, root, district, commune, repeat, seed):
        DailyCount.objects.all().delete()
        MonthlyCount.objects.all().delete()
        started = time.perf_counter()
        rows, responses = self._generate(total, units, period, seed)
        inserted = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {DailyCount._meta.db_table}")
                cursor.execute(f"ANALYZE {MonthlyCount._meta.db_table}")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        def timed(fn) -> tuple[float, float, object]:
            samples, result = [], None
            for _ in range(repeat):
                t0 = time.perf_counter()
                result = fn()
                samples.append((time.perf_counter() - t0) * 1000)
            return statistics.median(samples), min(samples), result

        province_ms, province_min, result = timed(lambda: results_compute(root, period))
        district_ms, _, _ = timed(lambda: results_compute(district, period))
        commune_ms, _, _ = timed(lambda: results_compute(commune, period))
        ranking_ms, _, _ = timed(lambda: ranking_compute(root, period))
        trend_ms, _, _ = timed(lambda: trend_compute(root, period, by="month"))
        if result["responses"] != responses:
            raise CommandError(f"Sai số: {result['responses']} ≠ {responses}")
        self.stdout.write(
            f"{responses:>12,} phiếu | {rows:>10,} dòng bộ đếm (nạp {inserted:.1f} s) | "
            f"kết quả tỉnh {province_ms:.0f} ms (nhanh nhất {province_min:.0f}) | "
            f"huyện {district_ms:.0f} ms | xã {commune_ms:.0f} ms | "
            f"xếp hạng {ranking_ms:.0f} ms | xu hướng tháng {trend_ms:.0f} ms | "
            f"chỉ số {result['index']}%"
        )

    def _generate(self, total, units, period, seed) -> tuple[int, int]:
        """Write the counters of ``total`` responses; returns (rows, responses written)."""
        rng = random.Random(seed)
        days = [
            period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1)
        ]
        mean = total / (len(units) * len(days))
        # Busier units (districts, PA08) get more responses than small communes.
        weights = [rng.uniform(0.3, 1.7) for _ in units]
        scale = len(units) / sum(weights)
        buffer: list[tuple] = []
        rows = responses = 0
        for unit, weight in zip(units, weights, strict=True):
            unit_mean = mean * weight * scale
            monthly: dict[tuple, int] = {}
            for day in days:
                n = _draw(rng, max(0.0, rng.gauss(unit_mean, unit_mean**0.5)))
                if n == 0:
                    continue
                responses += n
                iso = day.isoformat()
                start_of_day = len(buffer)
                buffer.append((unit.pk, iso, "responses", "", False, n))
                comments = _draw(rng, n * 0.15)
                if comments:
                    buffer.append((unit.pk, iso, "comments", "", False, comments))
                for element, rate in ELEMENT_RATE.items():
                    answers = _draw(rng, n * rate)
                    for value, share in zip("54321", SHARES, strict=True):
                        count = _draw(rng, answers * share * rng.uniform(0.8, 1.2))
                        if count:
                            buffer.append((unit.pk, iso, element, value, False, count))
                month = day.replace(day=1).isoformat()
                for row in buffer[start_of_day:]:
                    key = (month, row[2], row[3])
                    monthly[key] = monthly.get(key, 0) + row[5]
            rows += self._write(DailyCount, "day", buffer)
            buffer = []
            month_rows = [
                (unit.pk, m, metric, value, False, n) for (m, metric, value), n in monthly.items()
            ]
            self._write(MonthlyCount, "month", month_rows)
        return rows, responses

    def _write(self, model, bucket: str, buffer: list[tuple]) -> int:
        if not buffer:
            return 0
        table = model._meta.db_table
        columns = f"unit_id, {bucket}, metric, value, flagged, count"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in buffer:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608
                    buffer,
                )
        return len(buffer)
