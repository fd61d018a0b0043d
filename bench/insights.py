"""The cost of a province summary at national scale (34 provinces, ~3,400 units).

``summary_benchmark`` adds provinces of synthetic communes until the network has ``units``
units, writes the aggregate rows that ``responses`` survey responses and ``cases`` cases over
``days`` days would leave (month rows for every unit, day rows for the measured province —
other provinces' day rows are never read by its summary), plus the open cases (the
point-in-time counts read the open cases themselves), then times ``summary_compute`` for the
province, a district and a commune. With ``naive_cases`` it also writes that many raw cases
in the province and times the GROUP BY over them that the aggregates replace. Everything is
rolled back at the end. Run it on PostgreSQL (DATABASE_URL) after ``langnghe load_demo``.
"""

import datetime as dt
import random
import statistics
import time

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from langnghe.insights.models import UnitDayStat, UnitMonthStat
from langnghe.insights.selectors import Period, summary_compute
from langnghe.units.models import PATH_STEP, Unit, UnitKind

OPEN_SHARE = 0.02  # open cases / all cases [U]: the current workload
OVERDUE_SHARE = 0.15  # of the open ones


class _Rollback(Exception):
    pass


def _draw(rng: random.Random, expected: float) -> int:
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _add_provinces(target: int) -> None:
    kinds = {k.code: k for k in UnitKind.objects.all()}
    existing = Unit.objects.count()
    per_province = 100
    n = 0
    while existing < target:
        n += 1
        province = Unit.objects.create(
            code=f"BX{n:02d}", kind=kinds["province"], name=f"Công an tỉnh thử {n}", slug=f"bx{n}"
        )
        province.path = f"{province.pk:0{PATH_STEP}d}"
        province.save(update_fields=["path"])
        count = min(per_province, target - existing - 1)
        communes = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"BX{n:02d}-X{i:04d}",
                    kind=kinds["commune"],
                    name=f"Công an xã thử {n}.{i}",
                    slug=f"bx{n}-x{i}",
                    parent=province,
                    depth=1,
                )
                for i in range(count)
            ]
        )
        if any(c.pk is None for c in communes):
            communes = list(Unit.objects.filter(parent=province))
        for c in communes:
            c.path = province.path + f"{c.pk:0{PATH_STEP}d}"
        Unit.objects.bulk_update(communes, ["path"], batch_size=1000)
        existing += 1 + count


def _write_aggregates(units, days, responses, cases, measured_paths, rng) -> int:
    """Month rows for every unit; day rows only for units in ``measured_paths``."""
    from langnghe.surveys.models import DailyCount, MonthlyCount

    unit_days = len(units) * len(days)
    per_case = cases / unit_days
    per_response = responses / unit_days
    rows = 0
    day_buffer, month_buffer, sday, smonth = [], [], [], []

    def flush(force=False):
        nonlocal rows
        for model, buffer in (
            (UnitDayStat, day_buffer),
            (UnitMonthStat, month_buffer),
            (DailyCount, sday),
            (MonthlyCount, smonth),
        ):
            if buffer and (force or len(buffer) >= 20000):
                model.objects.bulk_create(buffer, batch_size=5000)
                rows += len(buffer)
                buffer.clear()

    for unit in units:
        detailed = any(unit.path.startswith(p) for p in measured_paths)
        months: dict = {}
        smonths: dict = {}
        for day in days:
            cells = {}
            received = _draw(rng, per_case * rng.uniform(0.5, 1.5))
            if received:
                on_time = _draw(rng, received * 0.85)
                cells.update(
                    {
                        "cases.received": received,
                        "cases.on_time": on_time,
                        "cases.late": max(0, _draw(rng, received * 0.1)),
                        "cases.resolved": on_time,
                        "cases.category.public_order": received,
                    }
                )
            conversations = _draw(rng, per_case * 2)
            if conversations:
                answered = _draw(rng, conversations * 0.9)
                cells.update(
                    {
                        "inbox.conversations": conversations,
                        "inbox.answered": answered,
                        "inbox.unanswered": conversations - answered,
                        "inbox.frt_sum": answered * 600,
                        "inbox.frt.h02": answered // 2,
                        "inbox.frt.h04": answered - answered // 2,
                    }
                )
            if rng.random() < 0.1:
                cells.update({"posts.published": 1, "posts.views": rng.randint(50, 3000)})
            n = _draw(rng, per_response * rng.uniform(0.5, 1.5))
            scells = {}
            if n:
                scells[("responses", "")] = n
                for value, share in zip("54321", (0.46, 0.36, 0.09, 0.05, 0.04), strict=True):
                    if c := _draw(rng, n * share):
                        scells[("overall", value)] = c
                        scells[("staff", value)] = c
            month = day.replace(day=1)
            for metric, value in cells.items():
                months[(month, metric)] = months.get((month, metric), 0) + value
                if detailed:
                    day_buffer.append(
                        UnitDayStat(unit_id=unit.pk, day=day, metric=metric, value=value)
                    )
            for (metric, value), c in scells.items():
                smonths[(month, metric, value)] = smonths.get((month, metric, value), 0) + c
                if detailed:
                    sday.append(
                        DailyCount(unit_id=unit.pk, day=day, metric=metric, value=value, count=c)
                    )
        month_buffer.extend(
            UnitMonthStat(unit_id=unit.pk, month=m, metric=k, value=v)
            for (m, k), v in months.items()
        )
        smonth.extend(
            MonthlyCount(unit_id=unit.pk, month=m, metric=k, value=v, count=c)
            for (m, k, v), c in smonths.items()
        )
        flush()
    flush(force=True)
    return rows


def _write_cases(units, count, *, open_only: bool, now, rng) -> int:
    from langnghe.cases.models import OPEN_STATUSES, Case, Category, Status

    category = Category.objects.first()
    batch, written = [], 0
    for i in range(count):
        unit = units[rng.randrange(len(units))]
        received = now - dt.timedelta(days=rng.uniform(0, 365))
        is_open = open_only or rng.random() < OPEN_SHARE
        due = received + dt.timedelta(days=rng.uniform(1, 30))
        if is_open and rng.random() < OVERDUE_SHARE:
            due = now - dt.timedelta(hours=rng.uniform(1, 200))
        batch.append(
            Case(
                tracking_code=f"B{'O' if open_only else 'N'}{i:013d}",
                category=category,
                unit_id=unit.pk,
                status=OPEN_STATUSES[i % len(OPEN_STATUSES)] if is_open else Status.RESOLVED,
                description_sealed="-",
                received_at=received,
                closed_at=None if is_open else received + dt.timedelta(days=3),
                next_due_at=due if is_open else None,
            )
        )
        if len(batch) >= 5000:
            Case.objects.bulk_create(batch)
            written += len(batch)
            batch.clear()
    Case.objects.bulk_create(batch)
    return written + len(batch)


def _timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), min(samples)


def summary_benchmark(
    *,
    units: int = 3400,
    days: int = 365,
    responses: int = 10_000_000,
    cases: int = 1_000_000,
    naive_cases: int = 200_000,
    province: str = "BG",
    repeat: int = 5,
    seed: int = 7,
    write=print,
) -> dict:
    """Returns the timings (ms, median of ``repeat``) and writes a line per figure."""
    rng = random.Random(seed)
    results: dict = {}
    try:
        with transaction.atomic():
            from langnghe.surveys.models import DailyCount, MonthlyCount

            for model in (UnitDayStat, UnitMonthStat, DailyCount, MonthlyCount):
                model.objects.all().delete()  # the demo's rows (rolled back at the end)
            _add_provinces(units)
            all_units = list(Unit.objects.filter(is_active=True).only("pk", "path"))
            root = Unit.objects.get(code=province)
            district = Unit.objects.filter(
                path__startswith=root.path, kind__code="district"
            ).first()
            commune = Unit.objects.filter(path__startswith=root.path, kind__code="commune").first()
            end = timezone.localdate()
            day_list = [end - dt.timedelta(days=i) for i in range(days)][::-1]
            t0 = time.perf_counter()
            rows = _write_aggregates(all_units, day_list, responses, cases, [root.path], rng)
            open_cases = _write_cases(
                all_units, int(cases * OPEN_SHARE), open_only=True, now=timezone.now(), rng=rng
            )
            loaded = time.perf_counter() - t0
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            write(
                f"CSDL {connection.vendor}: {len(all_units)} đơn vị × {days} ngày; "
                f"{rows:,} dòng tổng hợp + {open_cases:,} vụ việc đang mở (nạp {loaded:.0f} s)"
            )
            year = Period(day_list[0], end)
            months = Period(day_list[0].replace(day=1) if days > 31 else day_list[0], end)
            for label, unit, period in (
                ("tỉnh, 365 ngày", root, year),
                ("tỉnh, 30 ngày", root, Period(end - dt.timedelta(days=29), end)),
                ("tỉnh, từ đầu tháng", root, months),
                ("huyện, 365 ngày", district, year),
                ("xã, 365 ngày", commune, year),
            ):
                if unit is None:
                    continue
                median, best = _timed(lambda u=unit, p=period: summary_compute(u, p), repeat)
                results[label] = median
                write(f"tóm tắt {label}: {median:.1f} ms (nhanh nhất {best:.1f})")
            summary = summary_compute(root, year)
            write(
                f"kiểm tra tỉnh: {summary['cases']['received']:,} vụ việc, "
                f"{summary['surveys']['responses']:,} phiếu, đang quá hạn "
                f"{summary['cases']['overdue_now']:,}"
            )
            if naive_cases:
                from langnghe.cases.models import Case

                subtree = [u for u in all_units if u.path.startswith(root.path)]
                t0 = time.perf_counter()
                _write_cases(subtree, naive_cases, open_only=False, now=timezone.now(), rng=rng)
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE cases_case")
                write(
                    f"{naive_cases:,} vụ việc thô trong tỉnh (nạp {time.perf_counter() - t0:.0f} s)"
                )

                def naive():
                    start = timezone.make_aware(dt.datetime.combine(year.start, dt.time.min))
                    return Case.objects.filter(
                        unit__path__startswith=root.path, received_at__gte=start
                    ).aggregate(
                        received=Count("id"),
                        resolved=Count("id", filter=Q(status="resolved")),
                        overdue=Count("id", filter=Q(next_due_at__lt=timezone.now())),
                    )

                median, best = _timed(naive, repeat)
                results["naive GROUP BY vụ việc thô"] = median
                write(
                    f"GROUP BY trên {naive_cases:,} vụ việc thô của tỉnh (chỉ phần vụ việc): "
                    f"{median:.1f} ms (nhanh nhất {best:.1f})"
                )
            raise _Rollback
    except _Rollback:
        pass
    return results
