"""Small SQL helpers for the hot paths, built with Django's own compiler (so columns, types and
quoting are the ORM's, on SQLite and PostgreSQL alike)."""

from django.db import connection
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
    model = type(obj)
    found = _SQL.get((model, connection.vendor))
    if found is None:
        fields = [f for f in model._meta.concrete_fields if f is not model._meta.pk]
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [model._meta.pk]
        [(sql, _params)] = compiler.as_sql()
        found = _SQL[(model, connection.vendor)] = (sql, fields)
    sql, fields = found
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]


def insert_ignore(obj: Model) -> int | None:
    """Store ``obj`` unless a unique constraint already holds it; its new id, else None. In
    autocommit this is one round trip and one commit."""
    sql, params = insert_ignore_sql(obj)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    obj.pk = row[0]
    obj._state.adding = False
    return obj.pk
