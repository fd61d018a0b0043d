"""Storing a response: the abuse checks (counted in the database, so they hold across web
processes without Redis) and the write, on PostgreSQL one prepared statement for both."""

import functools
import json
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from langnghe.core.exceptions import ApplicationError
from langnghe.core.sql import fetch_one, insert_ignore, insert_ignore_sql

from ..models import PendingCount, SurveyResponse

# Abuse control (counted in the database, so it holds across web processes without Redis).
WINDOW = timedelta(minutes=10)
DEVICE_LIMIT = 10  # responses per device per window: above it, refused (429)
DEVICE_BURST = 3  # from the 4th response of one device in the window: kept but flagged
IP_LIMIT = 150  # a public office's Wi-Fi or a carrier NAT serves many citizens at once
IP_BURST = 40
UNIT_BURST_WINDOW = timedelta(minutes=5)
UNIT_BURST = 60  # more than this at one unit in 5 minutes is not a queue at a counter


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
    stored_id, existing_id, *counts = fetch_one(
        _checked_sql(counts_sql), [*count_params, *insert_params, *quiet], prepared=True
    )
    return stored_id, existing_id, tuple(counts)


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
