"""Synthetic national load: the unit network of all provinces and activity at scale.

Used by ``langnghe gen_load`` and the benchmarks (bench/run.py). Everything it writes is what
the apps themselves would write, so pages, results and dashboards read it as real data:

- units come from ``import_province_network`` (the current ``vietnam-provinces`` data, 34
  provinces), so paths, slugs and search text are the app's own;
- survey responses are generated inside PostgreSQL (``INSERT … SELECT generate_series``: no row
  crosses the wire, ~10× faster than COPY from Python) or in batches of ``executemany`` on
  SQLite; the per-unit daily and monthly counters are then rebuilt from the raw rows by one
  GROUP BY, so counters and rows agree by construction;
- cases and inbox messages are streamed with ``COPY … FROM STDIN`` (psycopg ``cursor.copy``)
  on PostgreSQL, ``bulk_create`` on SQLite. Case descriptions are sealed like real ones.

Synthetic rows carry no personal data. Responses get ``source="api"`` and a ``client_id``
derived from a run id, so a second run adds rows rather than colliding.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable

from django.db import connection, models, transaction
from django.utils import timezone

BATCH = 1_000_000  # rows per SQL statement on PostgreSQL
SQLITE_BATCH = 20_000
SPREAD_DAYS = 90  # the last quarter; ``gen_load --days`` changes it

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


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _log(out: Callable[[str], None] | None, text: str) -> None:
    if out:
        out(text)


# --- Network -------------------------------------------------------------------------------


def national_network_ensure(out=None) -> int:
    """All 34 provinces (province, 4 departments, every commune); idempotent. Returns the
    number of units."""
    from langnghe.units.models import Unit
    from langnghe.units.networks import current_provinces, import_province_network

    provinces = current_provinces()
    have = set(Unit.objects.filter(parent__isnull=True).values_list("code", flat=True))
    for p in provinces:
        prefix = f"T{p['code']:02d}"
        if prefix in have:
            continue
        t0 = time.monotonic()
        root, result = import_province_network(province_name=p["name"])
        _log(
            out,
            f"  {root.code} {root.name}: {result.created} đơn vị ({time.monotonic() - t0:.1f}s)",
        )
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


def _score_sql() -> str:
    """A SQL expression giving a skewed 1–5 score from random()."""
    parts, acc = [], 0.0
    for score, weight in SCORE_WEIGHTS[:-1]:
        acc += weight
        parts.append(f"WHEN r < {acc:.4f} THEN {score}")
    return f"(CASE {' '.join(parts)} ELSE {SCORE_WEIGHTS[-1][0]} END)"


def responses_generate(n: int, *, unit_ids: list[int], out=None) -> int:
    """Insert ``n`` responses spread over the last year across ``unit_ids``."""
    if n <= 0:
        return 0
    template, questions = _survey_shape()
    run = secrets.token_hex(4)
    if is_postgres():
        return _responses_pg(n, template, questions, unit_ids, run, out)
    return _responses_sqlite(n, template, questions, unit_ids, run, out)


def _responses_pg(n, template, questions, unit_ids, run, out) -> int:
    from langnghe.surveys.models import SurveyResponse

    table = SurveyResponse._meta.db_table
    rated = [(k, e, c) for k, e, c in questions if e]
    # One random() per question, drawn in a LATERAL subquery so each row gets its own.
    draws = ", ".join(f"random() AS r{i}" for i in range(len(questions)))
    score = _score_sql()
    cols = []
    for i, (key, element, choices) in enumerate(questions):
        if element:
            cols.append(f"'{key}', ({score.replace('r <', f'd.r{i} <')})::text")
        else:
            arr = "ARRAY[" + ",".join(f"'{c}'" for c in choices) + "]"
            cols.append(f"'{key}', ({arr})[1 + floor(d.r{i} * {len(choices)})::int]")
    answers = "jsonb_build_object(" + ", ".join(cols) + ")"
    lowest = (
        "LEAST("
        + ", ".join(f"({score.replace('r <', f'd.r{questions.index(q)} <')})" for q in rated)
        + ")"
        if rated
        else "NULL"
    )
    comments = "ARRAY[" + ",".join("'" + c.replace("'", "''") + "'" for c in COMMENTS) + "]"
    done = 0
    with transaction.atomic(), indexes_deferred(table), connection.cursor() as cursor:
        while done < n:
            size = min(BATCH, n - done)
            t0 = time.monotonic()
            _bulk_session(cursor)
            cursor.execute(
                f"""
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
                LATERAL (SELECT {draws}, random() AS ru, random() AS rc,
                         now() - random() * interval '{SPREAD_DAYS} days' AS at, g AS gg) d
                """,  # noqa: S608 — identifiers and literals are ours, values are parameters
                [
                    unit_ids,
                    run,
                    template.pk,
                    COMMENT_SHARE,
                    len(COMMENTS),
                    done + 1,
                    done + size,
                ],
            )
            done += size
            _log(out, f"  phiếu khảo sát: {done:,}/{n:,} ({time.monotonic() - t0:.1f}s)")
    return done


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


class indexes_deferred:  # noqa: N801 — used as a context manager
    """Drop a table's secondary indexes and unique constraints (not the primary key) for a
    bulk load and build them again after it: one sorted build is many times faster than
    millions of random inserts into each B-tree. PostgreSQL only; a no-op elsewhere."""

    def __init__(self, table: str):
        self.table, self.saved = table, []

    def __enter__(self):
        if not is_postgres():
            return self
        with connection.cursor() as cursor:
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
                self.saved.append(f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                self.saved.append(definition)
        return self

    def __exit__(self, *exc):
        if not self.saved:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for statement in self.saved:
                cursor.execute(statement)
            cursor.execute("RESET maintenance_work_mem")
        return False


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
    choice questions as "<template>.<key>"), in one scan of the responses. Returns the number
    of daily cells."""
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
    pg = is_postgres()
    # One (metric, value) pair per counted answer; value NULL when the row has no such cell.
    pairs = [("'responses'", "''"), ("'comments'", "CASE WHEN r.comment <> '' THEN '' END")]
    params: list = []
    multiple = []
    for q in Question.objects.exclude(type=QuestionType.TEXT).select_related("template"):
        metric = q.element or f"{q.template.code}.{q.key}"
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
    daily, monthly = DailyCount._meta.db_table, MonthlyCount._meta.db_table
    pending = PendingCount._meta.db_table
    month_expr = "date_trunc('month', c.day)::date" if pg else "date(c.day, 'start of month')"
    with transaction.atomic(), connection.cursor() as cursor:
        if pg:
            _bulk_session(cursor)
        wipe = "TRUNCATE" if pg else "DELETE FROM"
        # Pending rows first: the scan below counts every response committed before it (a
        # response stored meanwhile waits for this lock, and keeps its pending row).
        cursor.execute(f"{wipe} {pending}")  # noqa: S608
        cursor.execute(f"{wipe} {daily}")  # noqa: S608
        cursor.execute(f"{wipe} {monthly}")  # noqa: S608
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
        cursor.execute(f"SELECT count(*) FROM {daily}")  # noqa: S608
        count = cursor.fetchone()[0]
        if pg:
            _bulk_session_end(cursor)
    if pg:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {resp}; ANALYZE {daily}; ANALYZE {monthly}")
    _log(out, f"  bộ đếm khảo sát: {count:,} ô theo ngày ({time.monotonic() - t0:.1f}s)")
    return count


# --- COPY helper -------------------------------------------------------------------------


def _column_values(model, row: dict) -> list:
    values = []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in row:
            continue
        if field.attname in row:
            value = row[field.attname]
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            value = timezone.now()
        else:
            value = "" if isinstance(field, (models.CharField, models.TextField)) else None
        values.append(field.get_db_prep_save(value, connection))
    return values


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
    rng = random.Random()
    now = timezone.now()
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
    status_values, weights = zip(*statuses, strict=True)
    channels = [Channel.WEB, Channel.WEB, Channel.PHONE, Channel.WALK_IN, Channel.API]
    run = secrets.token_hex(3).upper()
    closed = {Status.RESOLVED, Status.DECLINED, Status.MERGED}

    def rows():
        picks = rng.choices(status_values, weights=weights, k=n)
        for i in range(n):
            code = f"G{run}{i:09d}"
            received = now - dt.timedelta(seconds=rng.random() * SPREAD_DAYS * 86400)
            status = picks[i]
            yield {
                "tracking_code": code,
                "category_id": rng.choice(categories),
                "unit_id": rng.choice(unit_ids),
                "status": status,
                "is_urgent": rng.random() < 0.03,
                "is_anonymous": rng.random() < 0.2,
                "channel": rng.choice(channels),
                "routed_by": "unit",
                "description_sealed": crypto.seal(
                    "Dữ liệu tổng hợp để đo hiệu năng.", context=f"case:{code}:description"
                ),
                "received_at": received,
                "accepted_at": received,
                "closed_at": received + dt.timedelta(days=rng.randint(1, 30))
                if status in closed
                else None,
                "updated_at": now,
            }

    t0 = time.monotonic()
    with transaction.atomic():
        count = copy_rows(Case, rows(), out=out, label="vụ việc")
    _log(out, f"  vụ việc: {count:,} ({time.monotonic() - t0:.1f}s)")
    return count


def messages_generate(n: int, *, unit_ids: list[int], out=None, per_conversation: int = 5) -> int:
    """``n`` inbound Zalo messages in conversations of ``per_conversation`` messages."""
    from langnghe.inbox.models import Conversation, Message

    if n <= 0:
        return 0
    rng = random.Random()
    now = timezone.now()
    run = secrets.token_hex(3)
    n_conv = max(1, n // per_conversation)
    t0 = time.monotonic()
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
    if is_postgres():
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a caller's atomic block): ANALYZE then.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    _log(out, "  VACUUM (ANALYZE) xong")


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
    "messages_generate",
    "national_network_ensure",
    "responses_generate",
    "survey_counters_rebuild",
]
