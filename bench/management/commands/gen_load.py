"""`langnghe gen_load`: the national unit network and synthetic activity, in bulk.

    langnghe gen_load --network national --responses 10000000 --cases 1000000 --messages 1000000

For a scratch database only (bench/scratch.py): it drops and rebuilds indexes, turns off the
foreign-key triggers while it loads and rebuilds the survey counters from the raw responses (so
they agree with the rows it adds). It refuses a database with real data unless told
``--i-know-this-is-a-scratch-database``; on an empty one it leaves the scratch marker, so the
next run goes on. Installed with the development tools only (``LANGNGHE_DEVTOOLS=1``). See
bench/loadgen.py.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from bench import loadgen
from bench.scratch import scratch_argument_add, scratch_database_require, scratch_marker_write


class Command(BaseCommand):
    help = "Tạo mạng lưới đơn vị toàn quốc và dữ liệu hoạt động tổng hợp để đo hiệu năng."

    def add_arguments(self, parser):
        parser.add_argument("--network", choices=["national", "existing"], default="national")
        parser.add_argument("--responses", type=int, default=0)
        parser.add_argument("--cases", type=int, default=0)
        parser.add_argument("--messages", type=int, default=0)
        parser.add_argument(
            "--counters",
            action="store_true",
            help="rebuild the survey counters from the raw responses (also after --responses)",
        )
        parser.add_argument(
            "--insights",
            action="store_true",
            help="rebuild the insights aggregates (langnghe.insights) from all rows at the end",
        )
        parser.add_argument(
            "--days", type=int, default=loadgen.SPREAD_DAYS, help="activity spread over N days"
        )
        scratch_argument_add(parser)

    def handle(
        self,
        *args,
        network,
        responses,
        cases,
        messages,
        counters,
        insights,
        days,
        scratch_declared,
        **options,
    ):
        if min(responses, cases, messages) < 0 or not 1 <= days <= 3660:
            raise CommandError("Số lượng phải không âm; số ngày từ 1 đến 3660.")
        scratch = scratch_database_require("gen_load", declared=scratch_declared)
        loadgen.SPREAD_DAYS = days
        out = self.stdout.write
        t0 = time.monotonic()
        loadgen.indexes_rebuild_pending(out)  # left dropped by a run that died while loading
        if network == "national":
            out("Mạng lưới đơn vị toàn quốc (34 tỉnh, thành phố)…")
            total = loadgen.national_network_ensure(out)
            out(f"  {total:,} đơn vị ({time.monotonic() - t0:.1f}s)")
        unit_ids = loadgen._commune_ids()
        if not unit_ids:
            raise CommandError("Chưa có đơn vị cấp xã: chạy với --network national trước.")
        if scratch == "empty":  # found empty: the load generator's own database from now on
            scratch_marker_write()
        if responses:
            loadgen.responses_generate(responses, unit_ids=unit_ids, out=out)
        if responses or counters:
            loadgen.survey_counters_rebuild(out)
        if cases:
            loadgen.cases_generate(cases, unit_ids=unit_ids, out=out)
        if messages:
            loadgen.messages_generate(messages, unit_ids=unit_ids, out=out)
        loadgen.analyze(out)
        if insights:
            loadgen.insights_rebuild(out)
        out(self.style.SUCCESS(f"Xong sau {time.monotonic() - t0:.1f}s."))
