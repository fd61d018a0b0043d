"""The counters of results: each response's cells, added to ``DailyCount`` and
``MonthlyCount`` by the fold of what is pending (``PendingCount``).

Below the services and the selectors: a read of the counters folds what is pending first
(``counters_settle``), so a selector needs this module, and this module needs neither.
"""

import functools
import logging

from django.db import connection, transaction

from .models import (
    DailyCount,
    MonthlyCount,
    PendingCount,
    Question,
    QuestionType,
    SurveyResponse,
    SurveyTemplate,
)

log = logging.getLogger("langnghe.surveys.services")

# Responses folded in per batch, and the advisory lock that makes folds take turns.
FOLD_BATCH = 2000
FOLD_LOCK = 0x53555256  # "SURV"
SETTLE_WARN = 10_000  # responses a read had to fold: more means the clock is not running


def _counter_cells(template: SurveyTemplate, answers: dict, comment: str) -> list[tuple[str, str]]:
    cells = [("responses", "")]
    if comment:
        cells.append(("comments", ""))
    for question in template.questions.all():
        value = answers.get(question.key)
        if value is None or question.type == QuestionType.TEXT:
            continue
        metric = question.element or f"{template.code}.{question.key}"
        for v in value if isinstance(value, list) else [value]:
            cells.append((metric, v))
    return cells


def _counters_write(rows: list[tuple]) -> None:
    """Add to counter cells, daily and monthly: ``rows`` are (unit_id, day, metric, value,
    flagged, delta). Django's ORM cannot express "insert or increment", so this is the app's
    raw SQL; the same ON CONFLICT syntax runs on SQLite (≥ 3.24) and PostgreSQL and is safe
    under concurrent writers (the row lock is taken by the upsert itself). Rows are summed per
    cell first (an upsert cannot touch the same row twice) and written in sorted order, so two
    writers lock shared cells in the same order."""
    for model, column, bucket_of in (
        (DailyCount, "day", lambda day: day),
        (MonthlyCount, "month", lambda day: day.replace(day=1)),
    ):
        cells: dict[tuple, int] = {}
        for unit_id, day, metric, value, flagged, delta in rows:
            key = (unit_id, bucket_of(day), metric, value, flagged)
            cells[key] = cells.get(key, 0) + delta
        table = model._meta.db_table
        ordered = sorted(cells.items())
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            params: list = []
            for (unit_id, bucket, metric, value, flagged), delta in chunk:
                params += [unit_id, bucket.isoformat(), metric, value, flagged, delta]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            sql = (
                f"INSERT INTO {table} (unit_id, {column}, metric, value, flagged, count) "  # noqa: S608
                f"VALUES {placeholders} "
                f"ON CONFLICT (unit_id, {column}, metric, value, flagged) "
                f"DO UPDATE SET count = {table}.count + excluded.count"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)


def _counters_add(
    *, unit_id: int, day, cells: list[tuple[str, str]], flagged: bool, delta: int
) -> None:
    """Add ``delta`` to each of one response's counter cells, daily and monthly."""
    _counters_write([(unit_id, day, metric, value, flagged, delta) for metric, value in cells])


def counters_fold(*, batch: int = FOLD_BATCH) -> int:
    """Add the responses waiting in ``PendingCount`` to the counters; returns how many.

    Each batch is one transaction: the pending rows are deleted (taken) first, then their
    responses are read and their cells summed and upserted, so a response is counted exactly
    once — a crash rolls the batch back whole, and another process's fold cannot take the
    same rows. On PostgreSQL folds take turns (a transaction-level advisory lock): a reader that
    folds before reading waits for a fold under way, then takes what is left, so what it reads
    includes every response stored before it began. Run every second by ``run_periodic`` and
    before every read of the counters (``counters_settle``)."""
    folded = 0
    if connection.vendor == "postgresql":
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
                cursor.execute(_fold_sql(), [batch, QuestionType.TEXT.value])
                taken = cursor.fetchone()[0]
            folded += taken
            if taken < batch:
                return folded
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                table = PendingCount._meta.db_table
                cursor.execute(
                    f"DELETE FROM {table} WHERE response_id IN "  # noqa: S608 (names are ours)
                    f"(SELECT response_id FROM {table} ORDER BY response_id LIMIT %s) "
                    "RETURNING response_id",
                    [batch],
                )
                ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return folded
            responses = list(
                SurveyResponse.objects.filter(pk__in=ids).values_list(
                    "unit_id", "template_id", "day", "is_flagged", "answers", "comment"
                )
            )
            templates = SurveyTemplate.objects.prefetch_related("questions").in_bulk(
                {r[1] for r in responses}
            )
            rows = []
            for unit_id, template_id, day, flagged, answers, comment in responses:
                template = templates[template_id]
                for metric, value in _counter_cells(template, answers, comment):
                    rows.append((unit_id, day, metric, value, flagged, 1))
            _counters_write(rows)
        folded += len(ids)
        if len(ids) < batch:
            return folded


@functools.cache
def _fold_sql() -> str:
    """A batch of the fold as one PostgreSQL statement: take (delete) up to ``%s`` pending
    rows, read their responses, make their cells (``_counter_cells``, in SQL: the responses
    cell, the comments cell, and one cell per answered choice of every question that is not
    free text), sum them, and upsert the day and month cells; it returns how many responses
    it took. Nothing of the batch goes through Python: in a campaign across every commune each
    response has cells of its own (no two share one in a batch), and building and quoting
    those rows in Python cost the fold as much CPU as PostgreSQL took to write them. The cells
    are written in code-point order (COLLATE "C"), the order ``_counters_write`` sorts in, so
    a fold and a flag change lock shared cells in the same order."""
    pending, responses = PendingCount._meta.db_table, SurveyResponse._meta.db_table
    questions, templates = Question._meta.db_table, SurveyTemplate._meta.db_table
    daily, monthly = DailyCount._meta.db_table, MonthlyCount._meta.db_table
    order = 'unit_id, bucket, metric COLLATE "C", value COLLATE "C", flagged'
    upsert = (
        "INSERT INTO {table} (unit_id, {column}, metric, value, flagged, count) "  # noqa: S608
        "SELECT unit_id, bucket, metric, value, flagged, sum(n) FROM ("
        "SELECT unit_id, {bucket} AS bucket, metric, value, flagged, n FROM summed) b "
        f"GROUP BY unit_id, bucket, metric, value, flagged ORDER BY {order} "
        "ON CONFLICT (unit_id, {column}, metric, value, flagged) "
        "DO UPDATE SET count = {table}.count + excluded.count"
    )
    return (
        f"WITH taken AS (DELETE FROM {pending} WHERE response_id IN "  # noqa: S608 (ours)
        f"(SELECT response_id FROM {pending} ORDER BY response_id LIMIT %s) "
        "RETURNING response_id), "
        "r AS (SELECT r.unit_id, r.day, r.is_flagged, r.template_id, r.answers, r.comment "
        f"FROM {responses} r JOIN taken ON taken.response_id = r.id), "
        "cells AS ("
        "SELECT r.unit_id, r.day, 'responses' AS metric, '' AS value, r.is_flagged AS flagged "
        "FROM r "
        "UNION ALL SELECT r.unit_id, r.day, 'comments', '', r.is_flagged FROM r "
        "WHERE r.comment <> '' "
        "UNION ALL SELECT r.unit_id, r.day, COALESCE(NULLIF(q.element, ''), "
        "t.code || '.' || q.key), a.value, r.is_flagged FROM r "
        f"JOIN {questions} q ON q.template_id = r.template_id AND q.type <> %s "
        f"JOIN {templates} t ON t.id = r.template_id "
        "CROSS JOIN LATERAL ("
        "SELECT jsonb_array_elements_text(r.answers -> q.key) "
        "WHERE jsonb_typeof(r.answers -> q.key) = 'array' "
        "UNION ALL SELECT r.answers ->> q.key "
        "WHERE jsonb_typeof(r.answers -> q.key) NOT IN ('array', 'null')) a(value)), "
        "summed AS (SELECT unit_id, day, metric, value, flagged, count(*) AS n FROM cells "
        "GROUP BY unit_id, day, metric, value, flagged), "
        f"d AS ({upsert.format(table=daily, column='day', bucket='day')}), "
        "m AS ("
        + upsert.format(table=monthly, column="month", bucket="date_trunc('month', day)::date")
        + ") SELECT count(*) FROM taken"
    )


def counters_settle() -> None:
    """Fold what is pending, if anything is: called before every read of the counters, so a
    result includes every response stored before the read began. With nothing pending it is
    one indexed read and writes nothing."""
    if PendingCount.objects.exists():
        folded = counters_fold()
        if folded > SETTLE_WARN:
            # The clock folds every second; a backlog this long means it is not running.
            log.warning(
                "survey counters: %d pending responses folded by a read; is run_periodic running?",
                folded,
            )
