"""Small SQL helpers for the hot paths, built with Django's own compiler (so columns, types and
quoting are the ORM's, on SQLite and PostgreSQL alike)."""

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

_SQL: dict[tuple[type, str], tuple[str, list]] = {}


def insert_ignore_sql(obj: Model) -> tuple[str, list]:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` of ``obj`` (SQLite: ``INSERT OR IGNORE
    … RETURNING id``): one statement that stores the row, or nothing when a unique constraint
    already holds it — no failed insert, no savepoint to roll back.

    The statement is compiled by Django once per model and database; each call only prepares
    the values, as the compiler would (``pre_save``, then ``get_db_prep_save``)."""
    # The connection itself, not django.db.connection: that proxy looks the connection up
    # (a context-local read) on every attribute, and preparing a row reads it dozens of times.
    db = connections[DEFAULT_DB_ALIAS]
    model = type(obj)
    found = _SQL.get((model, db.vendor))
    if found is None:
        fields = [f for f in model._meta.concrete_fields if f is not model._meta.pk]
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=db)
        compiler.returning_fields = [model._meta.pk]
        [(sql, _params)] = compiler.as_sql()
        found = _SQL[(model, db.vendor)] = (sql, fields)
    sql, fields = found
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), connection=db) for f in fields]


def insert_ignore(obj: Model, *, prepared: bool = False) -> int | None:
    """Store ``obj`` unless a unique constraint already holds it; its new id, else None. In
    autocommit this is one round trip and one commit. ``prepared``: see ``fetch_one``."""
    sql, params = insert_ignore_sql(obj)
    row = fetch_one(sql, params, prepared=prepared)
    if row is None:
        return None
    obj.pk = row[0]
    obj._state.adding = False
    return obj.pk


def fetch_one(sql: str, params, *, prepared: bool = False):
    """Run one statement and return its first row (or None).

    ``prepared=True`` is for a hot statement whose text never changes: on PostgreSQL it goes
    through a psycopg cursor with server-side parameters, which the connection prepares on first
    use (``prepare_threshold`` 0, settings.base.postgres_options) — the server then parses and
    plans it once per connection instead of on every call, and no value is quoted into the
    text. Django's ORM cursors bind on the client and are never prepared. The connection keeps
    one such cursor (``_server_cursor``); errors are Django's (``wrap_database_errors``), and
    while queries are logged or execute wrappers are installed it goes through Django's cursor
    wrapper, so they see it. Elsewhere (SQLite) it is an ordinary cursor."""
    return _run(sql, params, prepared, lambda cursor: cursor.fetchone())


def fetch_all(sql: str, params, *, prepared: bool = False) -> list:
    """Run one statement and return all its rows; ``prepared`` as for ``fetch_one``."""
    return _run(sql, params, prepared, lambda cursor: cursor.fetchall())


def _run(sql: str, params, prepared: bool, fetch):
    db = connections[DEFAULT_DB_ALIAS]
    if not (prepared and db.vendor == "postgresql"):
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    db.ensure_connection()
    raw = _server_cursor(db)
    try:
        if db.queries_logged or db.execute_wrappers:
            # Django's wrapper, so query logging (the tests' query counts) and wrappers see it.
            cursor = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
            cursor.execute(sql, params)
            return fetch(cursor)
        # What the wrapper's execute does, without a wrapper object per call.
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            raw.execute(sql, params)
            return fetch(raw)
    except BaseException:
        db._langnghe_server_cursor = None  # a failed statement: the next call opens a new one
        raise


def _server_cursor(db):
    """The connection's server-binding psycopg cursor, kept for the connection's life: opening
    one per statement builds its adapters and transformer every time, a visible part of the
    client's work on a prepared statement (``bench/cpu.py survey --profile``). One per
    connection, and Django's connections are one per thread."""
    import psycopg

    raw = getattr(db, "_langnghe_server_cursor", None)
    if raw is None or raw.closed or raw.connection is not db.connection:
        raw = db._langnghe_server_cursor = psycopg.Cursor(db.connection)
    return raw


def insert_ignore_many(objs: list[Model], key: str) -> dict:
    """Store each of ``objs`` unless a unique constraint already holds it, in one statement;
    ``{obj.<key>: new id}`` for the rows this call stored (the others are left out). Each stored
    object gets its id. ``key`` names a field unique among ``objs`` that tells the rows apart."""
    if not objs:
        return {}
    db = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.pk]
    key_field = model._meta.get_field(key)
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, objs)
    compiler = query.get_compiler(connection=db)
    compiler.returning_fields = [model._meta.pk, key_field]
    [(sql, params)] = compiler.as_sql()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        stored = {value: pk for pk, value in cursor.fetchall()}
    for obj in objs:
        pk = stored.get(getattr(obj, key_field.attname))
        if pk is not None:
            obj.pk = pk
            obj._state.adding = False
    return stored


def insert_many(objs: list[Model]) -> list[Model]:
    """``bulk_create`` of one model's new rows for a hot path (a drain batch's messages, notes,
    outbox rows and audit entries): each object gets its id, as from ``bulk_create``.

    On PostgreSQL the ids are taken from the table's sequence in one statement and the rows
    written with ``COPY … FROM STDIN``, which psycopg formats in C: ``bulk_create`` binds every
    value of every row on the client (Django's psycopg cursors do) and quotes the UNNEST arrays
    in Python — the largest part of a drain's own CPU in a py-spy profile — and PostgreSQL
    reads a COPY faster than the INSERT … SELECT over those arrays. Two round trips instead of
    one. The values are the ORM's (``pre_save``, then ``get_db_prep_save``, as the compiler
    prepares them). Elsewhere (SQLite) it is ``bulk_create``."""
    if not objs:
        return objs
    db = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    if db.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return objs
    opts = model._meta
    fields = [f for f in opts.concrete_fields if f is not opts.pk]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [opts.pk, *fields])
    with db.cursor() as cursor:
        # Ascending, as bulk_create's ids come: the objects keep their order by id.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id "
            "FROM generate_series(1, %s) ORDER BY id",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        rows = [
            [pk, *(f.get_db_prep_save(f.pre_save(obj, True), connection=db) for f in fields)]
            for obj, pk in zip(objs, ids, strict=True)
        ]
        # Django's cursor hands the COPY over to psycopg: its errors (a unique key, a deadlock)
        # are made Django's here, as bulk_create's would be, for the callers that tell them apart.
        with (
            db.wrap_database_errors,
            cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db.alias
    return objs


def update_many(objs: list[Model], fields: list[str]) -> int:
    """Save ``fields`` of each of ``objs`` (rows that already exist): ``bulk_update`` for a batch
    whose rows all differ, without its cost. Django's ``bulk_update`` writes one UPDATE with a
    CASE WHEN per field and row, and resolving those expressions costs about a millisecond of
    Python per row — most of a failed Zalo send's time when a whole batch is to be retried.
    Here it is one ``UPDATE … SET … WHERE id = %s`` with each row's values (the attributes as
    they are, as ``bulk_update`` takes them, prepared by ``get_db_prep_save``), run by
    ``executemany`` in one transaction (psycopg pipelines them: one round trip for the batch).
    Returns the number of rows given."""
    if not objs:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    quote = db.ops.quote_name
    sql = (
        f"UPDATE {quote(opts.db_table)} SET "  # noqa: S608 (names from the model, quoted)
        + ", ".join(f"{quote(f.column)} = %s" for f in columns)
        + f" WHERE {quote(opts.pk.column)} = %s"
    )
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection=db) for f in columns]
        + [opts.pk.get_db_prep_value(obj.pk, db)]
        for obj in objs
    ]
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(objs)
