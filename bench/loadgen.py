"""Synthetic national load: the unit network of all provinces and activity at scale.

Used by ``langnghe gen_load`` and the benchmarks (bench/run.py). Everything it writes is what
the apps themselves would write, so pages, results and dashboards read it as real data:

- units come from ``import_province_network`` (the current ``vietnam-provinces`` data, 34
  provinces), so paths, slugs and search text are the app's own;
- survey responses, cases, conversations and inbox messages are generated inside PostgreSQL
  (``INSERT … SELECT generate_series``: no row crosses the wire; only the sealed case
  descriptions are made in Python, by the app's own ``crypto.seal``, and copied in) or in
  batches of ``bulk_create`` on SQLite;
- the per-unit daily and monthly survey counters are then rebuilt from the raw rows, so
  counters and rows agree by construction.

PostgreSQL runs each statement in one backend, so one connection keeps one core busy. The two
longest steps — the responses and the counters — are split into ``PARTS`` parts by range
(responses) or by unit (counters) and run on that many connections at once; the parts are
disjoint, so the rows are the same as one connection would write.

Synthetic rows carry no personal data. Responses get ``source="api"`` and a ``client_id``
derived from a run id, so a second run adds rows rather than colliding.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial

from django.db import connection, connections, models, transaction
from django.utils import timezone

BATCH = 1_000_000  # rows per SQL statement on PostgreSQL
SQLITE_BATCH = 20_000
SPREAD_DAYS = 90  # the last quarter; ``gen_load --days`` changes it
# Connections loading at once on PostgreSQL: one per core of the benchmark machine (2). An
# INSERT … SELECT never runs in parallel inside PostgreSQL, so a second connection is the only
# way to use the second core. Measured on this machine, 10M responses with their indexes: 289 s
# on one connection, 139 s on two (and jsonb_object); their counters: 367 s, then 105 s.
PARTS = 2

# Skewed 1–5 ratings: most citizens are satisfied, a tail is not (illustrative, [U]).
SCORE_WEIGHTS = [(1, 0.03), (2, 0.05), (3, 0.12), (4, 0.38), (5, 0.42)]
COMMENT_SHARE = 0.08
COMMENTS = [
    "Cán bộ hướng dẫn tận tình.",
    "Thời gian chờ hơi lâu.",
    "Thủ tục nhanh gọn.",
    "Cần thêm chỗ ngồi chờ.",
    "Rất hài lòng.",
]
MESSAGES = [
    "Cho hỏi thủ tục đăng ký thường trú cần giấy tờ gì ạ?",
    "Nhà tôi bị mất trộm xe máy đêm qua",
    "Làm căn cước cho con mấy ngày thì có?",
    "Có người gọi điện tự xưng công an yêu cầu chuyển tiền",
    "Giờ làm việc của công an phường thứ bảy thế nào ạ?",
]
CASE_DESCRIPTION = "Dữ liệu tổng hợp để đo hiệu năng."


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _log(out: Callable[[str], None] | None, text: str) -> None:
    if out:
        out(text)


def _literal(text: str) -> str:
    """A SQL string literal of one of this module's own constants."""
    return "'" + text.replace("'", "''") + "'"


def _weighted_sql(draw: str, weighted: list[tuple[str, float]]) -> str:
    """A SQL expression picking one of ``weighted`` (SQL value, weight) by the uniform draw
    ``draw`` (a column holding random())."""
    parts, acc = [], 0.0
    for value, weight in weighted[:-1]:
        acc += weight
        parts.append(f"WHEN {draw} < {acc:.4f} THEN {value}")
    return f"(CASE {' '.join(parts)} ELSE {weighted[-1][0]} END)"


# --- Several connections at once ----------------------------------------------------------------


def _parts() -> int:
    """How many connections may share a load: ``PARTS`` on PostgreSQL when no transaction is
    open on this connection, else 1 — other connections could not see rows it has not
    committed (a test's transaction), and would wait on its locks."""
    return PARTS if PARTS > 1 and is_postgres() and not connection.in_atomic_block else 1


def _alongside(here: Callable[[], object], others: list[Callable[[], object]]) -> list:
    """Run ``here`` on this thread's connection while each of ``others`` runs in a thread of its
    own, on a connection of its own; returns their results, ``here``'s first. An error is
    raised once every job has stopped."""

    def run(job):
        try:
            return job()
        finally:
            connections.close_all()  # the thread's own connections

    if not others:
        return [here()]
    with ThreadPoolExecutor(max_workers=len(others)) as pool:
        futures = [pool.submit(run, job) for job in others]
        try:
            mine = here()
        finally:
            wait(futures)
        return [mine, *(future.result() for future in futures)]


class _Progress:
    """A count shared by the parts of a load, logged as it grows."""

    def __init__(self, out, label: str, total: int):
        self.out, self.label, self.total = out, label, total
        self.done, self.lock = 0, threading.Lock()

    def add(self, n: int, seconds: float) -> None:
        with self.lock:
            self.done += n
            _log(self.out, f"  {self.label}: {self.done:,}/{self.total:,} ({seconds:.1f}s)")


# --- Network -------------------------------------------------------------------------------


def national_network_ensure(out=None) -> int:
    """All 34 provinces (province, 4 departments, every commune); idempotent. Returns the
    number of units."""
    from langnghe.units.models import Unit
    from langnghe.units.networks import current_provinces, import_province_network

    provinces = current_provinces()
    have = set(Unit.objects.filter(parent__isnull=True).values_list("code", flat=True))
    if is_postgres():
        with connection.cursor() as cursor:
            # Each of the ~3,500 units is committed by unit_create: not waiting for the WAL
            # flush of every commit took the network from 32 s to 22 s (measured on this
            # machine). Only a crash of the server could lose the last commits, as in the
            # bulk loads below.
            cursor.execute("SET synchronous_commit = off")
    try:
        for p in provinces:
            prefix = f"T{p['code']:02d}"
            if prefix in have:
                continue
            t0 = time.monotonic()
            root, result = import_province_network(province_name=p["name"])
            _log(
                out,
                f"  {root.code} {root.name}: {result.created} đơn vị "
                f"({time.monotonic() - t0:.1f}s)",
            )
    finally:
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    return Unit.objects.count()


def _commune_ids(root_codes: list[str] | None = None) -> list[int]:
    from langnghe.units.models import Unit

    qs = Unit.objects.filter(kind__code="commune", is_active=True)
    if root_codes:
        q = models.Q()
        for code in root_codes:
            q |= models.Q(code__startswith=f"{code}-")
        qs = qs.filter(q)
    return list(qs.order_by("id").values_list("id", flat=True))


# --- Survey responses ---------------------------------------------------------------------


def _survey_shape():
    """(template, [(key, element, choice values)]) of the default template."""
    from langnghe.surveys.models import QuestionType
    from langnghe.surveys.selectors import template_effective
    from langnghe.surveys.services import builtin_templates_ensure
    from langnghe.units.models import Unit

    builtin_templates_ensure()
    template = template_effective(Unit.objects.filter(parent__isnull=True).first())
    questions = [
        (q.key, q.element, q.choice_values())
        for q in template.questions.all()
        if q.type in (QuestionType.SCALE, QuestionType.SINGLE)
    ]
    return template, questions


def responses_generate(n: int, *, unit_ids: list[int], out=None) -> int:
    """Insert ``n`` responses spread over the last ``SPREAD_DAYS`` days across ``unit_ids``.

    On PostgreSQL outside a transaction the batches are shared by ``PARTS`` connections and
    each is committed on its own: a failure keeps the batches already written (a later run
    adds the rest) and rebuilds the indexes all the same."""
    if n <= 0:
        return 0
    template, questions = _survey_shape()
    run = secrets.token_hex(4)
    if is_postgres():
        return _responses_pg(n, template, questions, unit_ids, run, out)
    return _responses_sqlite(n, template, questions, unit_ids, run, out)


def _responses_sql(table: str, questions) -> str:
    """INSERT … SELECT of the responses numbered %s to %s (the client_id is derived from the
    number, so two parts never make the same row)."""
    rated = [i for i, (_key, element, _choices) in enumerate(questions) if element]
    # One random() per question, drawn in a LATERAL subquery so each row gets its own.
    draws = [f"random() AS r{i}" for i in range(len(questions))]
    weights = [(str(score), weight) for score, weight in SCORE_WEIGHTS]
    keys, values = [], []
    for i, (key, element, choices) in enumerate(questions):
        keys.append(_literal(key))
        if element:
            values.append(f"{_weighted_sql(f'd.r{i}', weights)}::text")
        else:
            arr = "ARRAY[" + ",".join(_literal(c) for c in choices) + "]"
            values.append(f"({arr})[1 + floor(d.r{i} * {len(choices)})::int]")
    # jsonb_object(keys, values) rather than jsonb_build_object(k1, v1, …): the same object
    # from text arrays at half the cost (3.1 against 5.9 s per million rows, measured on this
    # machine; jsonb_build_object looks up the type of each of its arguments on every call).
    answers = f"jsonb_object(ARRAY[{', '.join(keys)}]::text[], ARRAY[{', '.join(values)}]::text[])"
    lowest = (
        "LEAST(" + ", ".join(_weighted_sql(f"d.r{i}", weights) for i in rated) + ")"
        if rated
        else "NULL"
    )
    comments = "ARRAY[" + ",".join(_literal(c) for c in COMMENTS) + "]"
    return f"""
        WITH u AS (SELECT %s::bigint[] AS ids)
        INSERT INTO {table} (client_id, unit_id, template_id, answers, comment,
            dossier_code, lowest_score, source, submitted_at, day, ip_hash,
            device_hash, is_flagged, flag_reason)
        SELECT md5(%s || g::text)::uuid,
               u.ids[1 + floor(d.ru * array_length(u.ids, 1))::int],
               %s, {answers},
               CASE WHEN d.rc < %s THEN ({comments})[1 + floor(d.rc * 1000)::int %% %s]
                    ELSE '' END,
               '', {lowest}, 'api', d.at,
               (d.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, '', '', false, ''
        FROM u, generate_series(%s, %s) AS g,
        LATERAL (SELECT {", ".join([*draws, "random() AS ru", "random() AS rc"])},
                 now() - random() * interval '{SPREAD_DAYS} days' AS at, g AS gg) d
        """  # noqa: S608 — identifiers and literals are ours, values are parameters


def _responses_pg(n, template, questions, unit_ids, run, out) -> int:
    from langnghe.surveys.models import SurveyResponse

    table = SurveyResponse._meta.db_table
    sql = _responses_sql(table, questions)
    fixed = [unit_ids, run, template.pk, COMMENT_SHARE, len(COMMENTS)]
    batches = [(first, min(first + BATCH - 1, n)) for first in range(1, n + 1, BATCH)]
    progress = _Progress(out, "phiếu khảo sát", n)

    failed = threading.Event()

    def load(mine: list[tuple[int, int]]) -> None:
        try:
            with connection.cursor() as cursor:
                _bulk_session(cursor)
                for first, last in mine:
                    if failed.is_set():
                        return  # another part failed: stop at a batch boundary
                    t0 = time.monotonic()
                    with transaction.atomic():
                        cursor.execute(sql, [*fixed, first, last])
                    progress.add(last - first + 1, time.monotonic() - t0)
        except BaseException:
            failed.set()
            raise

    t0 = time.monotonic()
    parts = min(_parts(), len(batches))
    if parts == 1:
        with transaction.atomic(), indexes_deferred(table):
            load(batches)
    else:
        # Each part commits its own batches, so the indexes are dropped for good first (a part
        # could not write while this connection held the table's lock) and built again by
        # ``parts`` connections at the end, even after an error.
        with indexes_deferred(table, parts=parts):
            shares = [batches[k::parts] for k in range(parts)]
            _alongside(partial(load, shares[0]), [partial(load, share) for share in shares[1:]])
    _log(out, f"  phiếu khảo sát: {n:,}, cả chỉ mục ({time.monotonic() - t0:.1f}s)")
    return n


def _bulk_session(cursor) -> None:
    """Session settings for a bulk load: no wait for the WAL flush, memory for sorts, and (when
    allowed: superuser) no per-row foreign-key triggers — the generated ids are taken from the
    tables themselves, so the checks could not fail."""
    cursor.execute("SET synchronous_commit = off; SET work_mem = '256MB'")
    try:
        with transaction.atomic():
            cursor.execute("SET session_replication_role = replica")
    except Exception:  # noqa: BLE001 — not a superuser: keep the checks
        _log(print, "  (không tắt được kiểm tra khóa ngoại: chạy chậm hơn)")


# A table comment noting the indexes ``indexes_deferred`` dropped for good (several parts):
# if the process dies before building them again, the next gen_load does.
INDEXES_NOTE = "langnghe gen_load, indexes to build again: "


class indexes_deferred:  # noqa: N801 — used as a context manager
    """Drop a table's secondary indexes and unique constraints (not the primary key) for a
    bulk load and build them again after it: one sorted build is many times faster than
    millions of random inserts into each B-tree. PostgreSQL only; a no-op elsewhere.

    With ``parts`` > 1 (used outside a transaction) the drop is committed at once, so other
    connections can write to the table, together with a note of what to build again in the
    table's comment (``indexes_rebuild_pending`` reads it should this process die first); the
    indexes are then built again by ``parts`` connections at once (CREATE INDEX takes a SHARE
    lock, so builds on one table run side by side), the unique constraints first (their ALTER
    TABLE locks the table)."""

    def __init__(self, table: str, *, parts: int = 1):
        self.table, self.parts = table, parts
        self.constraints: list[tuple[str, str]] = []  # (name, statement building it)
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self):
        if not is_postgres():
            return self
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [self.table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
                [self.table, self.table],
            )
            indexes = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
                self.constraints.append(
                    (name, f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')
                )
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                self.indexes.append((name, definition))
            if self.parts > 1 and (self.constraints or self.indexes):
                note = {"constraints": self.constraints, "indexes": self.indexes}
                cursor.execute(
                    f"COMMENT ON TABLE {self.table} IS %s", [INDEXES_NOTE + json.dumps(note)]
                )
        return self

    def __exit__(self, *exc):
        if not self.constraints and not self.indexes:
            return False
        if self.parts == 1:
            _statements_run([statement for _name, statement in self.constraints + self.indexes])
        else:
            _indexes_build(self.table, self.constraints, self.indexes, self.parts)
        return False


def _indexes_build(table: str, constraints, indexes, parts: int) -> None:
    """Build what ``indexes_deferred`` dropped for good, on ``parts`` connections, and clear the
    table's note."""
    _statements_run([statement for _name, statement in constraints])
    shares = [[statement for _name, statement in indexes[k::parts]] for k in range(parts)]
    _alongside(
        partial(_statements_run, shares[0]),
        [partial(_statements_run, share) for share in shares[1:] if share],
    )
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON TABLE {table} IS NULL")


def indexes_rebuild_pending(out=None) -> None:
    """Build the indexes a gen_load that died while loading on several connections left
    dropped (noted in their table's comment by ``indexes_deferred``); those that exist already
    are skipped. PostgreSQL only."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, d.description FROM pg_description d "
            "JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass "
            "WHERE d.objsubid = 0 AND starts_with(d.description, %s)",
            [INDEXES_NOTE],
        )
        pending = cursor.fetchall()
    for table, text in pending:
        note = json.loads(text[len(INDEXES_NOTE) :])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                "UNION SELECT indexname FROM pg_indexes WHERE tablename = %s",
                [table, table],
            )
            present = {row[0] for row in cursor.fetchall()}
        constraints = [(n, s) for n, s in note["constraints"] if n not in present]
        indexes = [(n, s) for n, s in note["indexes"] if n not in present]
        _log(out, f"  {table}: dựng lại {len(constraints) + len(indexes)} chỉ mục còn thiếu")
        _indexes_build(table, constraints, indexes, _parts())


def _statements_run(statements: list[str]) -> None:
    """Index builds, with memory for their sorts."""
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("RESET maintenance_work_mem")


def _bulk_session_end(cursor) -> None:
    cursor.execute("RESET session_replication_role; RESET work_mem; RESET synchronous_commit")


def _pick_score(rng: random.Random) -> int:
    r, acc = rng.random(), 0.0
    for score, weight in SCORE_WEIGHTS:
        acc += weight
        if r < acc:
            return score
    return SCORE_WEIGHTS[-1][0]


def _responses_sqlite(n, template, questions, unit_ids, run, out) -> int:
    from langnghe.surveys.models import SurveyResponse

    rng = random.Random(run)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    done = 0
    while done < n:
        size = min(SQLITE_BATCH, n - done)
        rows = []
        for i in range(size):
            answers, scores = {}, []
            for key, element, choices in questions:
                if element:
                    s = _pick_score(rng)
                    scores.append(s)
                    answers[key] = str(s)
                else:
                    answers[key] = rng.choice(choices)
            at = now - dt.timedelta(seconds=rng.random() * SPREAD_DAYS * 86400)
            rows.append(
                SurveyResponse(
                    client_id=uuid.uuid5(uuid.NAMESPACE_OID, f"{run}:{done + i}"),
                    unit_id=rng.choice(unit_ids),
                    template_id=template.pk,
                    answers=answers,
                    comment=rng.choice(COMMENTS) if rng.random() < COMMENT_SHARE else "",
                    lowest_score=min(scores) if scores else None,
                    source="api",
                    submitted_at=at,
                    day=at.astimezone(tz).date(),
                )
            )
        with transaction.atomic():
            SurveyResponse.objects.bulk_create(rows, batch_size=2000)
        done += size
        if done % 200_000 == 0 or done == n:
            _log(out, f"  phiếu khảo sát: {done:,}/{n:,}")
    return done


def survey_counters_rebuild(out=None) -> int:
    """Recompute DailyCount and MonthlyCount from the raw responses (the same cells as
    ``surveys.services._counter_cells``: responses, comments, SIPAS elements by score, other
    choice questions as "<template>.<key>"). Returns the number of daily cells."""
    from langnghe.surveys.models import (
        DailyCount,
        MonthlyCount,
        PendingCount,
        Question,
        QuestionType,
        SurveyResponse,
    )

    t0 = time.monotonic()
    resp = SurveyResponse._meta.db_table
    daily, monthly = DailyCount._meta.db_table, MonthlyCount._meta.db_table
    pending = PendingCount._meta.db_table
    pg = is_postgres()
    parts = _parts()
    counted = [
        (q.element or f"{q.template.code}.{q.key}", q)
        for q in Question.objects.exclude(type=QuestionType.TEXT).select_related("template")
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if parts > 1:
            # The parts read one snapshot, this transaction's: taken by its first statement
            # after the LOCK below (which takes none), and exported to the other connections.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if pg:
            _bulk_session(cursor)
            cursor.execute(f"LOCK TABLE {pending}, {daily}, {monthly} IN ACCESS EXCLUSIVE MODE")
        # Pending rows first: the scan below counts every response committed before it (a
        # response stored meanwhile waits for this lock, and keeps its pending row).
        for table in (pending, daily, monthly):
            cursor.execute(f"{'TRUNCATE' if pg else 'DELETE FROM'} {table}")  # noqa: S608
        by_columns = pg and all(q.type != QuestionType.MULTIPLE for _metric, q in counted)
        if not (by_columns and _counters_by_unit_day(cursor, counted, parts)):
            _counters_by_cell(cursor, counted)
        cursor.execute(f"SELECT count(*) FROM {daily}")  # noqa: S608
        count = cursor.fetchone()[0]
        if pg:
            _bulk_session_end(cursor)
    if pg:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {resp}; ANALYZE {daily}; ANALYZE {monthly}")
    _log(out, f"  bộ đếm khảo sát: {count:,} ô theo ngày ({time.monotonic() - t0:.1f}s)")
    return count


def _counters_by_cell(cursor, counted) -> None:
    """The counters by one GROUP BY over (unit, day, metric, value, flagged) of every counted
    answer: any question type, any value, and SQLite. On PostgreSQL one row per answer is made
    (a CROSS JOIN LATERAL) and grouped into the cells, on one connection: the whole rebuild took
    367 s for 10M responses and 8.6M cells (measured on this machine), hence
    ``_counters_by_unit_day`` when it applies."""
    from langnghe.surveys.models import DailyCount, MonthlyCount, QuestionType, SurveyResponse

    resp = SurveyResponse._meta.db_table
    daily, monthly = DailyCount._meta.db_table, MonthlyCount._meta.db_table
    pg = is_postgres()
    # One (metric, value) pair per counted answer; value NULL when the row has no such cell.
    pairs = [("'responses'", "''"), ("'comments'", "CASE WHEN r.comment <> '' THEN '' END")]
    params: list = []
    multiple = []
    for metric, q in counted:
        if q.type == QuestionType.MULTIPLE:
            multiple.append((metric, q))
            continue
        getter = "r.answers ->> %s" if pg else "json_extract(r.answers, '$.' || %s)"
        pairs.append(("%s", f"CASE WHEN r.template_id = %s THEN {getter} END"))
        params += [metric, q.template_id, q.key]
    if pg:
        source = (
            f"SELECT r.unit_id, r.day, c.metric, c.value, r.is_flagged FROM {resp} r "  # noqa: S608
            f"CROSS JOIN LATERAL (VALUES {', '.join(f'({m}, {v})' for m, v in pairs)}) "
            "AS c(metric, value) "
            "WHERE c.value IS NOT NULL"
        )
        for metric, q in multiple:  # rare: a scan each
            source += (
                f" UNION ALL SELECT r.unit_id, r.day, %s, v.value, r.is_flagged FROM {resp} r "  # noqa: S608
                "CROSS JOIN LATERAL jsonb_array_elements_text("
                "CASE WHEN jsonb_typeof(r.answers -> %s) = 'array' THEN r.answers -> %s "
                "ELSE '[]'::jsonb END) AS v(value) WHERE r.template_id = %s"
            )
            params += [metric, q.key, q.key, q.template_id]
    else:  # SQLite: no LATERAL; one scan per cell (multiple-choice cells not generated)
        source = " UNION ALL ".join(
            f"SELECT * FROM (SELECT r.unit_id, r.day, {m} AS metric, {v} AS value, "  # noqa: S608
            f"r.is_flagged FROM {resp} r) WHERE value IS NOT NULL"
            for m, v in pairs
        )
    month_expr = "date_trunc('month', c.day)::date" if pg else "date(c.day, 'start of month')"
    with indexes_deferred(daily):
        cursor.execute(
            f"INSERT INTO {daily} (unit_id, day, metric, value, flagged, count) "  # noqa: S608
            f"SELECT c.unit_id, c.day, c.metric, c.value, c.is_flagged, count(*) "
            f"FROM ({source}) c GROUP BY 1, 2, 3, 4, 5",
            params,
        )
    cursor.execute(
        f"INSERT INTO {monthly} (unit_id, month, metric, value, flagged, count) "  # noqa: S608
        f"SELECT c.unit_id, {month_expr}, c.metric, c.value, c.flagged, sum(c.count) "
        f"FROM {daily} c GROUP BY 1, 2, 3, 4, 5"
    )


SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+-[0-9]+$")


def _counters_by_unit_day(cursor, counted, parts: int) -> bool:
    """The counters through one row per (unit, day, flagged) with a column per cell — a count
    of the responses with that answer — then one counter row per non-zero column, daily and
    monthly: the same rows as ``_counters_by_cell``, the cells known in advance from the
    questions' choices. Grouping 10M responses into ~300k rows is much cheaper than grouping
    their 70M answers into 8.6M cells (2M responses on one connection: 16 s against 61 s), and
    the grouping is split by unit over ``parts`` connections reading the same snapshot: the
    whole rebuild for 10M responses took 102 s instead of 367 s (measured on this machine).

    PostgreSQL, single-choice and scale questions only; returns False, having written
    nothing, when a response holds an answer outside its question's choices (the caller then
    counts by cell)."""
    from langnghe.surveys.models import DailyCount, MonthlyCount, SurveyResponse

    resp = SurveyResponse._meta.db_table
    daily, monthly = DailyCount._meta.db_table, MonthlyCount._meta.db_table
    # The answer to each question, once per row (NULL for a response to another template).
    answers = [
        f"CASE WHEN template_id = {int(q.template_id)} THEN answers ->> %s END AS a{i}"
        for i, (_metric, q) in enumerate(counted)
    ]
    answer_params = [q.key for _metric, q in counted]
    # A column per cell; questions sharing a metric (a SIPAS element in several templates)
    # add into the same cells.
    cells: dict[tuple[str, str], list[int]] = {("responses", ""): [], ("comments", ""): []}
    for i, (metric, q) in enumerate(counted):
        for value in dict.fromkeys(q.choice_values()):
            cells.setdefault((metric, value), []).append(i)
    columns = ["count(*) AS n0", "count(*) FILTER (WHERE r.comment <> '') AS n1"]
    column_params: list = []
    for j, ((_metric, value), questions) in enumerate(cells.items()):
        if j >= 2:
            columns.append(
                " + ".join(f"count(*) FILTER (WHERE r.a{i} = %s)" for i in questions) + f" AS n{j}"
            )
            column_params += [value] * len(questions)
    # Answers no column counts: when there is any, this way cannot give the counters.
    odd = " + ".join(
        f"count(*) FILTER (WHERE r.a{i} IS NOT NULL AND r.a{i} <> ALL(%s::text[]))"
        for i in range(len(counted))
    )
    odd_params = [list(dict.fromkeys(q.choice_values())) for _metric, q in counted]
    grouped = (
        f"SELECT r.unit_id, r.day, r.is_flagged, {', '.join(columns)}, "  # noqa: S608
        f"{odd or '0'} AS odd "
        f"FROM (SELECT unit_id, day, is_flagged, comment"
        f"{''.join(', ' + a for a in answers)} FROM {resp}) r "
        "WHERE r.unit_id %% %s = %s GROUP BY 1, 2, 3"
    )

    def params(part: int) -> list:
        return [*column_params, *odd_params, *answer_params, parts, part]

    cursor.execute(
        f"CREATE TEMP TABLE loadgen_counts ON COMMIT DROP AS {grouped} WITH NO DATA", params(0)
    )
    fill = partial(cursor.execute, f"INSERT INTO loadgen_counts {grouped}", params(0))
    if parts == 1:
        fill()
    else:
        # The other parts run in this transaction's snapshot (exported after the locks); their
        # rows come back as COPY text into the same temporary table.
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _none, *rows = _alongside(
            fill, [partial(_counters_part, grouped, params(k), snapshot) for k in range(1, parts)]
        )
        with cursor.cursor.copy("COPY loadgen_counts FROM STDIN") as copy:
            for chunks in rows:
                for chunk in chunks:
                    copy.write(chunk)
    cursor.execute("SELECT coalesce(sum(odd), 0) FROM loadgen_counts")
    if cursor.fetchone()[0]:
        cursor.execute("DROP TABLE loadgen_counts")
        return False
    unpivot = ", ".join(f"(%s, %s, g.n{j})" for j in range(len(cells)))  # (metric, value, n)
    unpivot_params = [text for cell in cells for text in cell]
    sums = ", ".join(f"sum(n{j})::bigint AS n{j}" for j in range(len(cells)))
    with indexes_deferred(daily):
        cursor.execute(
            f"INSERT INTO {daily} (unit_id, day, metric, value, flagged, count) "  # noqa: S608
            "SELECT g.unit_id, g.day, c.metric, c.value, g.is_flagged, c.n "
            f"FROM loadgen_counts g CROSS JOIN LATERAL (VALUES {unpivot}) AS c(metric, value, n) "
            "WHERE c.n > 0",
            unpivot_params,
        )
    cursor.execute(
        f"INSERT INTO {monthly} (unit_id, month, metric, value, flagged, count) "  # noqa: S608
        "SELECT g.unit_id, g.month, c.metric, c.value, g.is_flagged, c.n "
        f"FROM (SELECT unit_id, date_trunc('month', day)::date AS month, is_flagged, {sums} "
        "FROM loadgen_counts GROUP BY 1, 2, 3) g "
        f"CROSS JOIN LATERAL (VALUES {unpivot}) AS c(metric, value, n) WHERE c.n > 0",
        unpivot_params,
    )
    cursor.execute("DROP TABLE loadgen_counts")
    return True


def _counters_part(grouped: str, params: list, snapshot: str) -> list[bytes]:
    """One part of ``_counters_by_unit_day``'s grouping, on this thread's connection, in the
    snapshot ``snapshot`` exported by the rebuild's transaction: its rows as COPY text."""
    if not SNAPSHOT_ID.match(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        with cursor.cursor.copy(f"COPY ({grouped}) TO STDOUT", params) as copy:
            return [bytes(chunk) for chunk in copy]


# --- COPY helper -------------------------------------------------------------------------


def copy_rows(model, rows: Iterable[dict], *, out=None, label: str = "") -> int:
    """Write ``rows`` (attname → value; missing fields take the model default) with COPY on
    PostgreSQL, bulk_create elsewhere."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if not is_postgres():
        n, batch = 0, []
        for row in rows:
            batch.append(model(**row))
            if len(batch) >= SQLITE_BATCH:
                model.objects.bulk_create(batch, batch_size=2000)
                n += len(batch)
                batch = []
        model.objects.bulk_create(batch, batch_size=2000)
        return n + len(batch)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    n = 0
    with connection.cursor() as cursor:
        _bulk_session(cursor)
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = _column_values(model, row)
                copy.write_row([_pg_value(v) for v in values])
                n += 1
                if out and n % 250_000 == 0:
                    _log(out, f"  {label}: {n:,}")
    return n


def _pg_value(value):
    if hasattr(value, "dumps"):  # psycopg Jsonb adapter
        return value.dumps(value.obj)
    return value


# --- Rows with the model's defaults -------------------------------------------------------------


def _default_value(field) -> object:
    """The value ``copy_rows`` gives a column a row leaves out: the model default, else NULL
    or an empty string."""
    if field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    elif isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        value = timezone.now()
    else:
        value = "" if isinstance(field, (models.CharField, models.TextField)) else None
    return field.get_db_prep_save(value, connection)


def _column_values(model, row: dict) -> list:
    return [
        field.get_db_prep_save(row[field.attname], connection)
        if field.attname in row
        else _default_value(field)
        for field in model._meta.concrete_fields
        if not (field.primary_key and field.attname not in row)
    ]


def _insert_select(model, computed: dict[str, str]) -> tuple[str, str, list]:
    """(column list, select list, parameters) of an INSERT … SELECT into ``model`` whose
    ``computed`` columns (attname → SQL expression) are computed per row and every other
    column but the primary key takes the default ``copy_rows`` would give it, as a parameter
    cast to the column's type."""
    columns, select, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in computed:
            select.append(computed[field.attname])
        elif field.unique:
            raise ValueError(f"{model.__name__}.{field.name} is unique: give it per row")
        else:
            select.append(f"%s::{field.cast_db_type(connection)}")
            params.append(_default_value(field))
    return ", ".join(columns), ", ".join(select), params


# --- Cases and messages -----------------------------------------------------------------


def cases_generate(n: int, *, unit_ids: list[int], out=None) -> int:
    from langnghe.cases import crypto
    from langnghe.cases.models import Case, Category, Channel, Status

    if n <= 0:
        return 0
    categories = list(Category.objects.values_list("id", flat=True))
    if not categories:
        from langnghe.cases.models import Category as C
        from langnghe.cases.policies import categories_apply

        categories_apply(C)
        categories = list(Category.objects.values_list("id", flat=True))
    statuses = [
        (Status.RESOLVED, 0.55),
        (Status.RECEIVED, 0.08),
        (Status.CLASSIFIED, 0.07),
        (Status.ASSIGNED, 0.12),
        (Status.VERIFYING, 0.08),
        (Status.DECLINED, 0.06),
        (Status.TRANSFERRED, 0.02),
        (Status.MERGED, 0.02),
    ]
    channels = [Channel.WEB, Channel.WEB, Channel.PHONE, Channel.WALK_IN, Channel.API]
    closed = {Status.RESOLVED, Status.DECLINED, Status.MERGED}
    run = secrets.token_hex(3).upper()
    t0 = time.monotonic()

    def code(i: int) -> str:
        return f"G{run}{i:09d}"

    def sealed(code: str) -> str:
        return crypto.seal(CASE_DESCRIPTION, context=f"case:{code}:description")

    if is_postgres():
        # Only the sealed descriptions are made here (AES-GCM under the app's keys, one per
        # case: ~12 s per million on this machine); they are copied into a temporary table and
        # the cases made from it in one INSERT … SELECT. Rows built in Python and copied took
        # 164 s for a million, most of it in Django's per-field value preparation.
        status = _weighted_sql("r.rs", [(_literal(s), w) for s, w in statuses])
        computed = {
            "tracking_code": "s.code",
            "category_id": "k.categories[1 + floor(d.rk * array_length(k.categories, 1))::int]",
            "unit_id": "k.units[1 + floor(d.ru * array_length(k.units, 1))::int]",
            "status": "d.status",
            "is_urgent": "d.rg < 0.03",
            "is_anonymous": "d.ra < 0.2",
            "channel": f"(ARRAY[{', '.join(_literal(c) for c in channels)}])"
            f"[1 + floor(d.rc * {len(channels)})::int]",
            "routed_by": "'unit'",
            "description_sealed": "s.sealed",
            "received_at": "d.at",
            "accepted_at": "d.at",
            "closed_at": f"CASE WHEN d.status IN ({', '.join(_literal(s) for s in closed)}) "
            "THEN d.at + (1 + floor(d.rd * 30))::int * interval '1 day' END",
            "updated_at": "now()",
        }
        columns, select, params = _insert_select(Case, computed)
        with transaction.atomic(), connection.cursor() as cursor:
            _bulk_session(cursor)
            cursor.execute(
                "CREATE TEMP TABLE loadgen_sealed (i integer, code text, sealed text) "
                "ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY loadgen_sealed (i, code, sealed) FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row((i, code(i), sealed(code(i))))
            # Its 11 indexes built after the rows: 1.6 s instead of 9.1 s for 200,000 cases
            # into them (measured on this machine).
            with indexes_deferred(Case._meta.db_table):
                cursor.execute(
                    "WITH k AS (SELECT %s::bigint[] AS units, %s::bigint[] AS categories) "  # noqa: S608
                    f"INSERT INTO {Case._meta.db_table} ({columns}) SELECT {select} "
                    "FROM k, loadgen_sealed s, LATERAL (SELECT r.*, "
                    f"{status} AS status FROM (SELECT random() AS rs, "
                    "random() AS rk, random() AS ru, random() AS rg, random() AS ra, "
                    "random() AS rc, random() AS rd, "
                    f"now() - random() * interval '{SPREAD_DAYS} days' AS at, s.i AS i) r) d",
                    [unit_ids, categories, *params],
                )
                count = cursor.rowcount
        _log(out, f"  vụ việc: {count:,} ({time.monotonic() - t0:.1f}s)")
        return count

    rng = random.Random()
    now = timezone.now()
    status_values, weights = zip(*statuses, strict=True)

    def rows():
        picks = rng.choices(status_values, weights=weights, k=n)
        for i in range(n):
            received = now - dt.timedelta(seconds=rng.random() * SPREAD_DAYS * 86400)
            status = picks[i]
            yield {
                "tracking_code": code(i),
                "category_id": rng.choice(categories),
                "unit_id": rng.choice(unit_ids),
                "status": status,
                "is_urgent": rng.random() < 0.03,
                "is_anonymous": rng.random() < 0.2,
                "channel": rng.choice(channels),
                "routed_by": "unit",
                "description_sealed": sealed(code(i)),
                "received_at": received,
                "accepted_at": received,
                "closed_at": received + dt.timedelta(days=rng.randint(1, 30))
                if status in closed
                else None,
                "updated_at": now,
            }

    with transaction.atomic():
        count = copy_rows(Case, rows(), out=out, label="vụ việc")
    _log(out, f"  vụ việc: {count:,} ({time.monotonic() - t0:.1f}s)")
    return count


def messages_generate(n: int, *, unit_ids: list[int], out=None, per_conversation: int = 5) -> int:
    """``n`` inbound Zalo messages in conversations of ``per_conversation`` messages."""
    from langnghe.inbox.models import Conversation, Message

    if n <= 0:
        return 0
    run = secrets.token_hex(3)
    n_conv = max(1, n // per_conversation)
    t0 = time.monotonic()
    if is_postgres():
        # Both made by INSERT … SELECT (rows built in Python and copied: 90 s for a million
        # messages on this machine), their indexes built afterwards (a million messages into
        # them: 18.6 s; before them: 4.2 s, measured). Message i goes to the i-th new
        # conversation modulo their number, as below.
        conversation = {
            "unit_id": "k.units[1 + floor(d.ru * array_length(k.units, 1))::int]",
            "channel": "'zalo'",
            "external_id": f"'gen-{run}-' || g",
            "status": "CASE WHEN d.rs < 0.7 THEN 'resolved' ELSE 'open' END",
            "created_at": "d.at",
            "last_message_at": "now()",
            "last_incoming_at": "now()",
        }
        message = {
            "conversation_id": "c.ids[1 + g %% cardinality(c.ids)]",
            "direction": "'in'",
            "kind": "'text'",
            "text": f"(ARRAY[{', '.join(_literal(m) for m in MESSAGES)}])"
            f"[1 + floor(d.rt * {len(MESSAGES)})::int]",
            "external_id": f"'gen-{run}-' || g",
            "sent_at": "d.at",
            "delivery": "'received'",
        }
        draws = f"now() - random() * interval '{SPREAD_DAYS} days' AS at, g AS gg"
        tables = (Conversation._meta.db_table, Message._meta.db_table)
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            indexes_deferred(tables[0]),
            indexes_deferred(tables[1]),
        ):
            _bulk_session(cursor)
            first = Conversation.objects.order_by("-id").values_list("id", flat=True).first() or 0
            columns, select, params = _insert_select(Conversation, conversation)
            cursor.execute(
                "WITH k AS (SELECT %s::bigint[] AS units) "  # noqa: S608
                f"INSERT INTO {Conversation._meta.db_table} ({columns}) "
                f"SELECT {select} FROM k, generate_series(0, %s) AS g, "
                f"LATERAL (SELECT random() AS ru, random() AS rs, {draws}) d",
                [unit_ids, *params, n_conv - 1],
            )
            columns, select, params = _insert_select(Message, message)
            cursor.execute(
                f"WITH c AS (SELECT array_agg(id ORDER BY id) AS ids "  # noqa: S608
                f"FROM {Conversation._meta.db_table} WHERE id > %s AND external_id LIKE %s) "
                f"INSERT INTO {Message._meta.db_table} ({columns}) "
                f"SELECT {select} FROM c, generate_series(0, %s) AS g, "
                f"LATERAL (SELECT random() AS rt, {draws}) d",
                [first, f"gen-{run}-%", *params, n - 1],
            )
            count = cursor.rowcount
        _log(
            out, f"  tin nhắn: {count:,} trong {n_conv:,} hội thoại ({time.monotonic() - t0:.1f}s)"
        )
        return count

    rng = random.Random()
    now = timezone.now()
    with transaction.atomic():
        first = (Conversation.objects.order_by("-id").values_list("id", flat=True).first()) or 0
        copy_rows(
            Conversation,
            (
                {
                    "unit_id": rng.choice(unit_ids),
                    "channel": "zalo",
                    "external_id": f"gen-{run}-{i}",
                    "status": "resolved" if rng.random() < 0.7 else "open",
                    "created_at": now - dt.timedelta(days=rng.random() * SPREAD_DAYS),
                    "last_message_at": now,
                    "last_incoming_at": now,
                }
                for i in range(n_conv)
            ),
        )
        ids = list(
            Conversation.objects.filter(id__gt=first, external_id__startswith=f"gen-{run}-")
            .order_by("id")
            .values_list("id", flat=True)
        )
        count = copy_rows(
            Message,
            (
                {
                    "conversation_id": ids[i % len(ids)],
                    "direction": "in",
                    "kind": "text",
                    "text": rng.choice(MESSAGES),
                    "external_id": f"gen-{run}-{i}",
                    "sent_at": now - dt.timedelta(seconds=rng.random() * SPREAD_DAYS * 86400),
                    "delivery": "received",
                }
                for i in range(n)
            ),
            out=out,
            label="tin nhắn",
        )
    _log(out, f"  tin nhắn: {count:,} trong {len(ids):,} hội thoại ({time.monotonic() - t0:.1f}s)")
    return count


def analyze(out=None) -> None:
    """VACUUM (ANALYZE): statistics for the planner, and the visibility map that lets the
    covering indexes answer without reading the table (what autovacuum does on a live
    database; right after a bulk load it has not run yet — the open-case counts read 2.5× slower
    without it)."""
    t0 = time.monotonic()
    if is_postgres():
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a caller's atomic block): ANALYZE then.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    _log(out, f"  VACUUM (ANALYZE) xong ({time.monotonic() - t0:.1f}s)")


def insights_rebuild(out=None) -> None:
    """Recompute the insights aggregates (per unit per day and month) from every source row, as
    the nightly backstop does; gen_load writes rows without audit entries, so the watermark
    materializer would not see them otherwise."""
    from langnghe.insights.materialize import insights_refresh

    t0 = time.monotonic()
    note = insights_refresh(rebuild=True)
    _log(out, f"  tổng hợp insights: {note or 'không có gì'} ({time.monotonic() - t0:.1f}s)")


__all__ = [
    "analyze",
    "insights_rebuild",
    "cases_generate",
    "copy_rows",
    "indexes_rebuild_pending",
    "messages_generate",
    "national_network_ensure",
    "responses_generate",
    "survey_counters_rebuild",
]
