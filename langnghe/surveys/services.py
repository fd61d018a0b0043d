"""Every write of the surveys app: one function per state change (STYLE.md §2)."""

import functools
import json
import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.core.groupcommit import GroupCommit
from langnghe.core.sql import fetch_all, fetch_one, insert_ignore, insert_ignore_sql
from langnghe.units.models import Unit

from .builtin import BUILTIN_TEMPLATES, FIVE_LEVEL, builtin_questions
from .models import (
    DailyCount,
    Element,
    ExportStatus,
    MonthlyCount,
    PendingCount,
    Question,
    QuestionType,
    Source,
    SurveyAssignment,
    SurveyExport,
    SurveyResponse,
    SurveyTemplate,
)
from .security import form_key_check
from .selectors import form_config_forget

log = logging.getLogger(__name__)

MAX_COMMENT = 2000
MAX_TEXT_ANSWER = 2000
DOSSIER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")

# Abuse control (counted in the database, so it holds across web processes without Redis).
WINDOW = timedelta(minutes=10)
DEVICE_LIMIT = 10  # responses per device per window: above it, refused (429)
DEVICE_BURST = 3  # from the 4th response of one device in the window: kept but flagged
IP_LIMIT = 150  # a public office's Wi-Fi or a carrier NAT serves many citizens at once
IP_BURST = 40
UNIT_BURST_WINDOW = timedelta(minutes=5)
UNIT_BURST = 60  # more than this at one unit in 5 minutes is not a queue at a counter

# Counters: responses folded in per batch, and the advisory lock that makes folds take turns.
FOLD_BATCH = 2000
FOLD_LOCK = 0x53555256  # "SURV"
SETTLE_WARN = 10_000  # responses a read had to fold: more means the clock is not running


class SurveyValidationError(ApplicationError):
    """Several fields wrong at once: ``errors`` maps a field to its Vietnamese message."""

    def __init__(self, errors: dict[str, str]):
        first_field, first = next(iter(errors.items()))
        summary = first if len(errors) == 1 else f"{first} (và {len(errors) - 1} lỗi khác)"
        super().__init__(summary, code="invalid_answers", status=400, field=first_field)
        self.errors = errors


# --- Templates ---------------------------------------------------------------------------------


def builtin_templates_ensure() -> None:
    """Create the built-in templates if missing (idempotent; also run by the demo loader).
    Safe when several requests make them at once (a new install's first responses, in several
    threads or processes): the one that loses the race finds them made and rolls back its own."""
    for definition in BUILTIN_TEMPLATES:
        if SurveyTemplate.objects.filter(code=definition["code"]).exists():
            continue
        try:
            with transaction.atomic():
                template = SurveyTemplate.objects.create(
                    code=definition["code"],
                    name=definition["name"],
                    description=definition["description"],
                    is_builtin=True,
                )
                Question.objects.bulk_create(
                    Question(template=template, **row) for row in builtin_questions(definition)
                )
                audit_record(
                    actor=None,
                    action="survey_template.create",
                    target=template,
                    data={"code": template.code, "version": 1, "builtin": True},
                )
        except IntegrityError:  # made meanwhile by another request (survey_template_version)
            continue


def _clean_question_specs(specs: list[dict]) -> list[dict]:
    """Validate the questions of a custom template; raise SurveyValidationError."""
    errors: dict[str, str] = {}
    rows = []
    if not specs:
        raise SurveyValidationError({"questions": "Mẫu phiếu cần ít nhất một câu hỏi."})
    if len(specs) > 30:
        raise SurveyValidationError({"questions": "Mẫu phiếu có tối đa 30 câu hỏi."})
    for position, spec in enumerate(specs):
        field = f"questions.{position}"
        text = (spec.get("text") or "").strip()
        qtype = spec.get("type")
        element = spec.get("element") or ""
        if not text or len(text) > 500:
            errors[field] = f"Câu hỏi {position + 1}: cần nội dung (tối đa 500 ký tự)."
            continue
        if qtype not in QuestionType.values:
            errors[field] = f"Câu hỏi {position + 1}: loại “{qtype}” không hợp lệ."
            continue
        if element and element not in Element.values:
            errors[field] = f"Câu hỏi {position + 1}: yếu tố “{element}” không hợp lệ."
            continue
        choices: list[dict] = []
        if qtype == QuestionType.SCALE:
            choices = FIVE_LEVEL
        elif qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            labels = [str(c).strip() for c in spec.get("choices") or [] if str(c).strip()]
            if len(labels) < 2 or len(labels) > 12 or len(set(labels)) != len(labels):
                errors[field] = f"Câu hỏi {position + 1}: cần từ 2 đến 12 lựa chọn khác nhau."
                continue
            choices = [
                {"value": f"c{i + 1}", "label": label[:200]} for i, label in enumerate(labels)
            ]
        if element and qtype != QuestionType.SCALE:
            errors[field] = (
                f"Câu hỏi {position + 1}: chỉ câu hỏi thang mức độ hài lòng mới "
                "tính vào yếu tố SIPAS."
            )
            continue
        rows.append(
            {
                "key": spec.get("key") or f"q{position + 1}",
                "position": position,
                "type": qtype,
                "text": text,
                "required": bool(spec.get("required")),
                "element": element,
                "choices": choices,
            }
        )
    if errors:
        raise SurveyValidationError(errors)
    return rows


def template_create(*, owner: Unit, name: str, questions: list[dict], by) -> SurveyTemplate:
    """A custom template owned by ``owner`` (version 1). ``questions``: [{"text", "type",
    "required", "choices": [labels], "element"}]."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise SurveyValidationError({"name": "Cần tên mẫu phiếu (tối đa 200 ký tự)."})
    rows = _clean_question_specs(questions)
    base = f"{owner.code.lower()}-{uuid.uuid4().hex[:6]}"
    with transaction.atomic():
        template = SurveyTemplate.objects.create(code=base, name=name, owner=owner, created_by=by)
        Question.objects.bulk_create(Question(template=template, **row) for row in rows)
        audit_record(
            actor=by,
            action="survey_template.create",
            target=template,
            unit=owner,
            data={"code": template.code, "version": 1, "questions": len(rows)},
        )
    return template


def template_revise(
    *, template: SurveyTemplate, name: str, questions: list[dict], by
) -> SurveyTemplate:
    """A new version of a custom template; the old one stays for the responses it has."""
    if template.is_builtin:
        raise ApplicationError(
            "Không sửa được mẫu phiếu có sẵn; hãy tạo mẫu riêng.",
            code="builtin_template",
            status=400,
        )
    rows = _clean_question_specs(questions)
    with transaction.atomic():
        current = SurveyTemplate.objects.select_for_update().get(
            code=template.code, is_current=True
        )
        SurveyTemplate.objects.filter(pk=current.pk).update(is_current=False)
        revised = SurveyTemplate.objects.create(
            code=current.code,
            version=current.version + 1,
            name=(name or current.name)[:200],
            owner=current.owner,
            created_by=by,
        )
        Question.objects.bulk_create(Question(template=revised, **row) for row in rows)
        audit_record(
            actor=by,
            action="survey_template.revise",
            target=revised,
            unit=current.owner,
            data={"code": revised.code, "version": revised.version},
        )
        transaction.on_commit(form_config_forget)
    return revised


def template_assign(*, unit: Unit, template_code: str | None, by) -> None:
    """Make ``unit`` (and the units below it that have no template of their own) use a
    template; ``None`` removes the unit's own choice so it inherits its parent's again."""
    with transaction.atomic():
        if not template_code:
            SurveyAssignment.objects.filter(unit=unit).delete()
        else:
            template = SurveyTemplate.objects.filter(code=template_code, is_current=True).first()
            if template is None:
                raise NotFound(f"Không có mẫu phiếu “{template_code}”.", code="unknown_template")
            if template.owner_id and not unit.path.startswith(template.owner.path):
                raise ApplicationError(
                    "Mẫu phiếu riêng của đơn vị khác không dùng được ở đây.",
                    code="template_out_of_scope",
                    status=400,
                )
            SurveyAssignment.objects.update_or_create(
                unit=unit, defaults={"template_code": template_code, "assigned_by": by}
            )
        audit_record(
            actor=by,
            action="survey_template.assign",
            target=unit,
            unit=unit,
            data={"template": template_code or None},
        )
        transaction.on_commit(form_config_forget)


# --- Responses ---------------------------------------------------------------------------------


def _questions(template: SurveyTemplate) -> tuple[dict[str, Question], dict[str, list[str]]]:
    """The template's questions by key (in order) and each one's allowed values, worked out
    once per template object: the survey-form snapshot keeps one object per template version
    for the whole process, so a campaign's responses do not rebuild them every time."""
    found = template.__dict__.get("_questions")
    if found is None:
        questions = {q.key: q for q in template.questions.all()}
        allowed = {key: q.choice_values() for key, q in questions.items()}
        found = template.__dict__["_questions"] = (questions, allowed)
    return found


def _clean_answers(template: SurveyTemplate, answers: dict) -> tuple[dict, dict[str, str]]:
    questions, choices = _questions(template)
    errors: dict[str, str] = {}
    clean: dict = {}
    if not isinstance(answers, dict):
        return {}, {"answers": "Câu trả lời phải là một bảng {mã câu hỏi: giá trị}."}
    for key in answers:
        if key not in questions:
            errors[f"answers.{key}"] = f"Câu hỏi “{str(key)[:40]}” không có trong phiếu."
    for key, question in questions.items():
        field = f"answers.{key}"
        raw = answers.get(key)
        if raw in (None, "", []):
            if question.required:
                errors[field] = "Vui lòng trả lời câu hỏi này."
            continue
        allowed = choices[key]
        if question.type in (QuestionType.SCALE, QuestionType.SINGLE):
            value = str(raw)
            if value not in allowed:
                errors[field] = "Câu trả lời không nằm trong các lựa chọn của câu hỏi."
                continue
            clean[key] = value
        elif question.type == QuestionType.MULTIPLE:
            values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
            if any(v not in allowed for v in values):
                errors[field] = "Có lựa chọn không thuộc câu hỏi này."
                continue
            clean[key] = sorted(set(values), key=allowed.index)
        else:
            text = str(raw).strip()
            if len(text) > MAX_TEXT_ANSWER:
                errors[field] = f"Câu trả lời dài quá {MAX_TEXT_ANSWER} ký tự."
                continue
            if text:
                clean[key] = text
    return clean, errors


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


def _recent_counts_sql(*, client_uuid, unit_id, ip_hash, device_hash, now) -> tuple[str, list]:
    """The checks' read, as a list of scalar subqueries and its parameters: (id of a
    response already stored under this client_id, responses from this device and from this
    address in the abuse window, responses at this unit in the burst window). Four index
    lookups; each count stops at its limit (a LIMIT subquery), so one busy address costs a
    bounded read, never a scan of everything it sent."""
    table = SurveyResponse._meta.db_table
    ip_limit = _ip_limit()
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: one lookup instead of one per value
    since, unit_since = now - WINDOW, now - UNIT_BURST_WINDOW
    if db.vendor != "postgresql":  # psycopg adapts a UUID and an aware datetime itself
        field = SurveyResponse._meta.get_field
        client_uuid = field("client_id").get_db_prep_value(client_uuid, db)
        since = field("submitted_at").get_db_prep_value(since, db)
        unit_since = field("submitted_at").get_db_prep_value(unit_since, db)
    sql = (
        f"(SELECT id FROM {table} WHERE client_id = %s), "  # noqa: S608 (names are ours)
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE device_hash = %s "
        f"AND submitted_at >= %s LIMIT %s) d), "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE ip_hash = %s "
        f"AND submitted_at >= %s LIMIT %s) i), "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE unit_id = %s "
        f"AND submitted_at >= %s LIMIT %s) u)"
    )
    params = [
        client_uuid,
        device_hash,
        since,
        DEVICE_LIMIT if device_hash else 0,
        ip_hash,
        since,
        ip_limit if ip_hash else 0,
        unit_id,
        unit_since,
        UNIT_BURST,
    ]
    return sql, params


def _ip_limit() -> int:
    # LANGNGHE_SURVEY_IP_LIMIT = 0 turns the per-address check off (only the load benchmark
    # does, as every request comes from one address there: bench/settings.py).
    return getattr(settings, "LANGNGHE_SURVEY_IP_LIMIT", IP_LIMIT)


def _quiet_below() -> tuple[int, int, int]:
    """The (device, address, unit) counts below which a response is neither refused nor
    flagged: ``_abuse_verdict`` has nothing to say, and the one-statement store may write it
    without asking (``_store_checked``)."""
    ip_limit = _ip_limit()
    return min(DEVICE_BURST, DEVICE_LIMIT), min(IP_BURST, ip_limit) if ip_limit else 1, UNIT_BURST


def _abuse_verdict(*, device_count: int, ip_count: int, unit_count: int) -> str:
    """Refuse (429) above the hard limits; return a flag reason for a burst, else ""."""
    device_below, ip_below, unit_below = _quiet_below()
    if device_count < device_below and ip_count < ip_below and unit_count < unit_below:
        return ""
    ip_limit = _ip_limit()
    if device_count >= DEVICE_LIMIT or (ip_limit and ip_count >= ip_limit):
        raise ApplicationError(
            "Ông/bà đã gửi quá nhiều phiếu trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
            code="rate_limited",
            status=429,
        )
    if device_count >= DEVICE_BURST:
        return "device_burst"
    if ip_limit and ip_count >= IP_BURST:
        return "ip_burst"
    return "unit_burst"


def _insert_queued(response: SurveyResponse) -> int | None:
    """Store ``response`` with its ``PendingCount`` row (the counters take it at the next
    fold), atomically; returns its id, or None when a response with the same client_id (or a
    rating of the same dossier) is already stored — then nothing is written.

    On PostgreSQL this is one prepared statement (both inserts as one data-modifying WITH: a
    single round trip and commit); elsewhere, the same two writes in one transaction."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            if insert_ignore(response) is None:
                return None
            PendingCount.objects.create(response_id=response.pk)
        return response.pk
    insert_sql, params = insert_ignore_sql(response)
    pending = PendingCount._meta.db_table
    sql = (
        f"WITH r AS ({insert_sql}), "  # noqa: S608 (compiled by Django; names are ours)
        f"p AS (INSERT INTO {pending} (response_id) SELECT id FROM r) SELECT id FROM r"
    )
    # The text is the same for every response: prepared once per connection.
    row = fetch_one(sql, params, prepared=True)
    return row[0] if row else None


def _store_checked(response: SurveyResponse) -> tuple[int | None, int | None, tuple[int, int, int]]:
    """Store ``response`` (unflagged) if its client_id is new and it is quiet — no burst from
    its device, address or unit (``_quiet_below``); otherwise write nothing. Returns (its new
    id or None, the id of a response already stored under its client_id, the device, address
    and unit counts).

    On PostgreSQL the read and the write are one prepared statement: one round trip, one
    statement to plan and one commit for the response of every citizen in a QR campaign.
    Elsewhere, the read, then ``_insert_queued`` when it allows."""
    counts_sql, count_params = _recent_counts_sql(
        client_uuid=response.client_id,
        unit_id=response.unit_id,
        ip_hash=response.ip_hash,
        device_hash=response.device_hash,
        now=response.submitted_at,
    )
    quiet = _quiet_below()
    if connection.vendor != "postgresql":
        existing_id, *counts = fetch_one(f"SELECT {counts_sql}", count_params)
        quiet_now = all(count < below for count, below in zip(counts, quiet, strict=True))
        if existing_id is not None or not quiet_now:
            return None, existing_id, tuple(counts)
        return _insert_queued(response), None, tuple(counts)
    # The values as psycopg takes them, each cast in the statement to its column's type: the
    # answers as JSON text, the rest as they are (a UUID, dates, numbers, text) — what Django's
    # get_db_prep_save gives for these fields on PostgreSQL, at a tenth of its cost.
    insert_params = [
        json.dumps(response.answers) if f.name == "answers" else getattr(response, f.attname)
        for f in _response_fields()
    ]
    if connection.in_atomic_block:  # the caller's transaction: written in it, by itself
        return _store_checked_many([(counts_sql, count_params, insert_params)])[0]
    # Other requests of this process (gthread workers) may be storing theirs at this moment:
    # one statement and one commit for all of them. Alone, it is written at once by itself.
    item = (counts_sql, count_params, insert_params)
    return _batches.submit(item, _batch_keys(count_params))


def _batch_keys(count_params: list) -> list:
    """What a response's checks read (``_recent_counts_sql``'s parameters): its client_id, its
    unit, and its device and address where those are counted. Two responses that share one
    are not stored in the same batch, so each is checked against the other, as one by one."""
    client_uuid, device_hash, _, device_limit, ip_hash, _, ip_limit, unit_id, *_ = count_params
    keys = [("client", client_uuid), ("unit", unit_id)]
    if device_limit:
        keys.append(("device", device_hash))
    if ip_limit:
        keys.append(("ip", ip_hash))
    return keys


def _store_checked_many(rows: list) -> list:
    """``_store_checked`` for several responses of concurrent requests (``_batches``): one
    statement, one commit; the result of each, in order. A response alone goes through the
    one-response statement; no two share a client_id, unit, device or checked address
    (``_batch_keys``), so each one's checks read what they would have read alone."""
    quiet = list(_quiet_below())
    if len(rows) == 1:
        [(counts_sql, count_params, insert_params)] = rows
        stored_id, existing_id, *counts = fetch_one(
            _checked_sql(counts_sql), [*count_params, *insert_params, *quiet], prepared=True
        )
        return [(stored_id, existing_id, tuple(counts))]
    columns = [list(values) for values in zip(*(c + i for _, c, i in rows), strict=True)]
    found = {}
    for n, stored_id, existing_id, *counts in fetch_all(
        _checked_many_sql(DEVICE_LIMIT, _ip_limit(), UNIT_BURST), [*columns, *quiet], prepared=True
    ):
        found[n] = (stored_id, existing_id, tuple(counts))
    return [found[n] for n in range(1, len(rows) + 1)]


@functools.cache
def _checked_many_sql(device_limit: int, ip_limit: int, unit_limit: int) -> str:
    """``_checked_sql`` for a batch: each parameter is an array (one element per response, in
    the order of ``_recent_counts_sql``'s parameters, then the columns), unnested into rows
    numbered from 1; the checks are the same four index lookups per row. The text never
    changes with the batch's size, so it is prepared once per connection. Returns, per row
    and in order: its number, its new id (or NULL), the id already stored under its client_id,
    and its device, address and unit counts.

    The counts' limits are written in the text (a row's own limit, 0 when its device or address
    is not counted, only switches its count off): with a LIMIT taken from the row, the generic
    plan (``plan_cache_mode``) would guess a tenth of the table behind each count, and that
    guessed cost turns on PostgreSQL's JIT compiler, tens of milliseconds per statement on the
    bench data (an ad-hoc EXPLAIN ANALYZE)."""
    db = connections[DEFAULT_DB_ALIAS]
    table, pending = SurveyResponse._meta.db_table, PendingCount._meta.db_table
    fields = _response_fields()
    names = ", ".join(f.column for f in fields)
    checks = [  # _recent_counts_sql's parameters, in its order
        ("c_client", "uuid"),
        ("c_device", "text"),
        ("c_since", "timestamptz"),
        ("c_dlimit", "int"),
        ("c_ip", "text"),
        ("c_isince", "timestamptz"),
        ("c_ilimit", "int"),
        ("c_unit", "bigint"),
        ("c_usince", "timestamptz"),
        ("c_ulimit", "int"),
    ]
    types = [t for _, t in checks] + [f.cast_db_type(db) for f in fields]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    aliases = ", ".join(name for name, _ in checks)

    def count(column: str, value: str, since: str, limit: int, on: str) -> str:
        return (
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} t WHERE {on} > 0 "  # noqa: S608
            f"AND t.{column} = v.{value} AND t.submitted_at >= v.{since} "
            f"LIMIT {max(int(limit), 1)}) k)"
        )

    return (
        f"WITH v AS (SELECT * FROM unnest({arrays}) WITH ORDINALITY "  # noqa: S608 (ours)
        f"AS v ({aliases}, {names}, n)), "
        f"c AS (SELECT v.*, (SELECT t.id FROM {table} t WHERE t.client_id = v.c_client) AS x, "
        f"{count('device_hash', 'c_device', 'c_since', device_limit, 'v.c_dlimit')} AS d, "
        f"{count('ip_hash', 'c_ip', 'c_isince', ip_limit, 'v.c_ilimit')} AS i, "
        f"{count('unit_id', 'c_unit', 'c_usince', unit_limit, 'v.c_ulimit')} AS u FROM v), "
        f"r AS (INSERT INTO {table} ({names}) SELECT {names} FROM c "
        "WHERE c.x IS NULL AND c.d < %s AND c.i < %s AND c.u < %s ORDER BY c.n "
        "ON CONFLICT DO NOTHING RETURNING id, client_id), "
        f"p AS (INSERT INTO {pending} (response_id) SELECT id FROM r) "
        "SELECT c.n, r.id, c.x, c.d, c.i, c.u FROM c LEFT JOIN r ON r.client_id = c.client_id "
        "ORDER BY c.n"
    )


# This process's group commit of survey responses (langnghe.core.groupcommit).
_batches = GroupCommit(_store_checked_many)


@functools.cache
def _response_fields() -> tuple:
    """The columns a response is inserted with (all but the id), once the models are loaded."""
    return tuple(f for f in SurveyResponse._meta.concrete_fields if not f.primary_key)


@functools.cache
def _checked_sql(counts_sql: str) -> str:
    """Django's INSERT … VALUES (…) ON CONFLICT DO NOTHING RETURNING id of a response, as an
    INSERT … SELECT gated by the checks (``counts_sql``, whose text never changes); each value
    cast to its column's type, which a VALUES list would have given it."""
    db = connections[DEFAULT_DB_ALIAS]
    insert_sql, _params = insert_ignore_sql(SurveyResponse())
    head, tail = insert_sql.split(" VALUES ", 1)
    values = ", ".join(f"%s::{f.cast_db_type(db)}" for f in _response_fields())
    on_conflict = tail[tail.index(") ON CONFLICT") + 2 :]
    pending = PendingCount._meta.db_table
    return (
        f"WITH c (existing, d, i, u) AS (SELECT {counts_sql}), "  # noqa: S608 (ours)
        f"r AS ({head} SELECT {values} FROM c WHERE c.existing IS NULL "
        f"AND c.d < %s AND c.i < %s AND c.u < %s {on_conflict}), "
        f"p AS (INSERT INTO {pending} (response_id) SELECT id FROM r) "
        "SELECT (SELECT id FROM r), c.existing, c.d, c.i, c.u FROM c"
    )


def _stored(client_uuid: uuid.UUID) -> SurveyResponse | None:
    return SurveyResponse.objects.select_related("unit").filter(client_id=client_uuid).first()


def response_submit(
    *,
    unit_code: str,
    client_id,
    answers: dict,
    comment: str = "",
    dossier_code: str = "",
    key: str | None = None,
    require_key: bool = False,
    source: str = Source.QR,
    ip_hash: str = "",
    device_hash: str = "",
    template_id: int | None = None,
) -> tuple[SurveyResponse, bool]:
    """Record one response; the counters take it at the next fold (``counters_fold``).

    Returns ``(response, created)``. A ``client_id`` seen before returns the stored response
    with ``created=False`` and changes nothing (safe retries, KoboToolbox-style instance ids).
    Raises ApplicationError (4xx, nothing stored) for an unknown unit, a forged or expired
    ``key``, invalid answers, an oversized comment, a dossier already rated, or too many
    submissions. Suspicious bursts are stored flagged, outside the index.

    The hot path of a QR campaign: one round trip to the database on PostgreSQL (the checks
    and the write in one statement, ``_store_checked``) and none for the unit and its template
    (``selectors.form_config``); a burst takes a second one, to store the response flagged.
    """
    from .selectors import form_config

    try:
        client_uuid = client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ApplicationError(
            "Mã phiếu (client_id) phải là UUID.", code="invalid_client_id", field="client_id"
        ) from exc
    unit, template = form_config(unit_code)
    now = timezone.now()
    try:
        response = _response_build(
            unit=unit,
            template=template,
            client_uuid=client_uuid,
            answers=answers,
            comment=comment,
            dossier_code=dossier_code,
            key=key,
            require_key=require_key,
            template_id=template_id,
        )
    except ApplicationError:
        # A resend of a response already stored is answered as the first time was, even if
        # its form key has expired since: the stored response stands, nothing changes.
        if (existing := _stored(client_uuid)) is not None:
            return existing, False
        raise
    response.source, response.submitted_at, response.day = source, now, timezone.localdate(now)
    response.ip_hash, response.device_hash = ip_hash, device_hash
    stored_id, existing_id, (device_count, ip_count, unit_count) = _store_checked(response)
    if existing_id is not None:
        return SurveyResponse.objects.select_related("unit").get(pk=existing_id), False
    if stored_id is None:
        flag_reason = _abuse_verdict(
            device_count=device_count, ip_count=ip_count, unit_count=unit_count
        )
        if flag_reason:  # a burst: stored, flagged out of the index
            response.is_flagged, response.flag_reason = True, flag_reason
            stored_id = _insert_queued(response)
    if stored_id is None:
        # A concurrent retry with the same client_id won the race, or the dossier is rated.
        if (existing := _stored(client_uuid)) is not None:
            return existing, False
        raise ApplicationError(
            "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần.",
            code="dossier_already_rated",
            status=409,
            field="dossier_code",
        )
    response.pk = stored_id
    response._state.adding = False
    return response, True


def _response_build(
    *,
    unit: Unit,
    template: SurveyTemplate,
    client_uuid: uuid.UUID,
    answers: dict,
    comment: str,
    dossier_code: str,
    key: str | None,
    require_key: bool,
    template_id: int | None,
) -> SurveyResponse:
    """The response to store, checked (its key, answers, comment and dossier code); raises
    ApplicationError for what is wrong."""
    if key or require_key:
        form_key_check(unit.code, key or "")
    if template_id and template_id != template.pk:
        # The page was opened on an older version of the same template: accept that version.
        older = (
            SurveyTemplate.objects.filter(pk=template_id, code=template.code)
            .prefetch_related("questions")
            .first()
        )
        if older is not None:
            template = older
    clean, errors = _clean_answers(template, answers or {})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Ý kiến góp ý dài quá {MAX_COMMENT} ký tự (hiện {len(comment)})."
    dossier_code = (dossier_code or "").strip().upper()
    if dossier_code and not DOSSIER_CODE.match(dossier_code):
        errors["dossier_code"] = "Mã hồ sơ chỉ gồm chữ, số và các dấu . _ / - (tối đa 40 ký tự)."
    if errors:
        raise SurveyValidationError(errors)
    questions, _choices = _questions(template)
    scores = [int(clean[key]) for key, q in questions.items() if q.element and key in clean]
    return SurveyResponse(
        client_id=client_uuid,
        unit=unit,
        template=template,
        answers=clean,
        comment=comment,
        dossier_code=dossier_code,
        lowest_score=min(scores) if scores else None,
    )


def response_flag_set(
    *, response: SurveyResponse, flagged: bool, by, reason: str = "manual"
) -> SurveyResponse:
    """Flag a response out of the index, or clear a flag so it counts again; the counters move
    between the flagged and unflagged cells in the same transaction (a response still pending
    is folded into its new cells here)."""
    with transaction.atomic():
        locked = (
            SurveyResponse.objects.select_for_update()
            .select_related("template")
            .get(pk=response.pk)
        )
        if locked.is_flagged == flagged:
            return locked
        cells = _counter_cells(locked.template, locked.answers, locked.comment)
        # Not yet folded: it is in no cell, so it only goes into the new one. (A fold that has
        # taken it holds its pending row until it commits, so this waits and then moves it.)
        was_pending = PendingCount.objects.filter(response_id=locked.pk).delete()[0]
        if not was_pending:
            _counters_add(
                unit_id=locked.unit_id,
                day=locked.day,
                cells=cells,
                flagged=locked.is_flagged,
                delta=-1,
            )
        _counters_add(unit_id=locked.unit_id, day=locked.day, cells=cells, flagged=flagged, delta=1)
        locked.is_flagged = flagged
        locked.flag_reason = reason[:40] if flagged else ""
        locked.save(update_fields=["is_flagged", "flag_reason"])
        audit_record(
            actor=by,
            action="survey_response.flag" if flagged else "survey_response.unflag",
            target=locked,
            unit=locked.unit,
            data={"reason": locked.flag_reason},
        )
    return locked


# --- Exports -----------------------------------------------------------------------------------


def export_request(*, user, unit: Unit, export_format: str, params: dict) -> SurveyExport:
    """Queue an export with the officer's filters; the task builds the file after commit."""
    from .tasks import export_build  # cycle: the task calls these services

    if export_format not in ("xlsx", "pdf"):
        raise ApplicationError(
            "Định dạng xuất phải là xlsx hoặc pdf.", code="invalid_format", field="format"
        )
    with transaction.atomic():
        export = SurveyExport.objects.create(
            requested_by=user, unit=unit, format=export_format, params=params
        )
        audit_record(
            actor=user,
            action="survey_export.request",
            target=export,
            unit=unit,
            data={"format": export_format, **params},
        )
        transaction.on_commit(lambda: export_build.enqueue(str(export.pk)))
    return export


def export_progress_set(
    *,
    export_id,
    status: str,
    progress: int,
    rows: int | None = None,
    file_name: str = "",
    error: str = "",
) -> None:
    fields = {"status": status, "progress": max(0, min(100, progress))}
    if rows is not None:
        fields["rows"] = rows
    if file_name:
        fields["file_name"] = file_name
    if error:
        fields["error"] = error[:300]
    if status in (ExportStatus.DONE, ExportStatus.FAILED):
        fields["finished_at"] = timezone.now()
    SurveyExport.objects.filter(pk=export_id).update(**fields)


def survey_assignment_move(*, from_unit: Unit, to_unit: Unit) -> None:
    """A unit that ends hands its survey template to its successor if it has none."""
    from .models import SurveyAssignment

    if not SurveyAssignment.objects.filter(unit=to_unit).exists():
        SurveyAssignment.objects.filter(unit=from_unit).update(unit=to_unit)
    form_config_forget()
